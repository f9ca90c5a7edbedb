"""URL settings: tampered query strings fall back to defaults with a warning, never raise."""

import pytest

from scenes import params

SPEC = {
    "lr": params.number(0.01, 1e-6, 10.0),
    "steps": params.integer(200, 1, 5000),
    "surface": params.choice("beale", ["beale", "himmelblau"]),
    "opts": params.choices(["sgd", "adam"], ["sgd", "momentum", "adam"], min_count=1),
    "three_d": params.flag(False),
    "start": params.point((1.0, 1.5), ((-4.5, 4.5), (-4.5, 4.5))),
}


def test_round_trip_of_valid_values():
    values = {
        "lr": 0.3,
        "steps": 42,
        "surface": "himmelblau",
        "opts": ["adam", "momentum"],
        "three_d": True,
        "start": (-2.0, 0.25),
    }
    read, warnings = params.read(params.encode(values, SPEC), SPEC)
    assert read == values and warnings == []


def test_missing_keys_give_defaults_without_warnings():
    read, warnings = params.read({"unrelated": "x"}, SPEC)
    assert read == {k: p.default for k, p in SPEC.items()} and warnings == []


@pytest.mark.parametrize(
    "key, raw",
    [
        ("lr", "abc"),
        ("lr", "nan"),
        ("lr", "inf"),
        ("lr", "-1"),
        ("lr", "1e400"),
        ("steps", "10000000"),
        ("steps", "2.5"),
        ("steps", ""),
        ("surface", "../../etc"),
        ("opts", "sgd,nadam"),
        ("opts", ","),
        ("three_d", "maybe"),
        ("start", "1"),
        ("start", "1,2,3"),
        ("start", "100,0"),
        ("start", "nan,0"),
        ("lr", "9" * 5000),
    ],
)
def test_bad_values_fall_back_with_a_warning_naming_the_key(key, raw):
    read, warnings = params.read({key: raw}, SPEC)
    assert read[key] == SPEC[key].default
    assert len(warnings) == 1 and f"{key}=" in warnings[0] and "default" in warnings[0]
    assert len(warnings[0]) < 300


def test_repeated_keys_use_the_last_value():
    read, _ = params.read({"steps": ["5", "7"]}, SPEC)
    assert read["steps"] == 7
