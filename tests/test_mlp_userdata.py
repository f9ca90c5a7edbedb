"""mlp.userdata: CSV upload and download, drawn points in the URL."""

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlp.datasets import make
from mlp.userdata import (
    DRAW_BOX,
    MAX_CSV_BYTES,
    MAX_DRAWN,
    decode_points,
    encode_points,
    read_csv,
    to_csv,
)
from scenes import playground as pg


def _csv(rows, header="x1,x2,label") -> str:
    return "\n".join([header, *rows]) + "\n"


def test_classification_labels_become_classes_in_increasing_order():
    d = read_csv(_csv(["0,0,1", "1,0,-1", "0,1,1", "1,1,-1"]).encode())
    assert d.task == "classification" and d.n_classes == 2
    np.testing.assert_array_equal(d.y, [1, 0, 1, 0])  # -1 -> 0, 1 -> 1
    np.testing.assert_array_equal(d.X, [[0, 0], [1, 0], [0, 1], [1, 1]])
    four = read_csv(_csv(["0,0,7", "1,0,3", "0,1,5", "1,1,9"]))
    np.testing.assert_array_equal(four.y, [2, 0, 1, 3])
    assert four.n_classes == 4


def test_auto_task_rule_and_explicit_task():
    assert read_csv(_csv(["0,0,0.5", "1,0,1.5", "0,1,2.0"])).task == "regression"
    many = _csv([f"{i},0,{i}" for i in range(5)])  # 5 distinct whole numbers
    assert read_csv(many).task == "regression"
    halves = _csv(["0,0,0.5", "1,0,1.5", "0,1,0.5"])
    d = read_csv(halves, task="classification")
    assert d.task == "classification" and list(d.y) == [0, 1, 0]
    r = read_csv(_csv(["0,0,0", "1,0,1", "0,1,1"]), task="regression")
    assert r.task == "regression" and r.y.dtype == np.float64 and r.n_classes == 0


def test_header_is_case_and_space_insensitive_in_any_order_with_optional_split():
    d = read_csv(" Label ,X2,x1,SPLIT\r\n1,2,3,train\r\n0,5,6,Test\r\n")
    np.testing.assert_array_equal(d.X, [[3, 2], [6, 5]])
    np.testing.assert_array_equal(d.y, [1, 0])


def test_bom_and_blank_rows_are_fine():
    d = read_csv(b"\xef\xbb\xbfx1,x2,label\n1,2,0\n\n,,\n3,4,1\n")
    assert len(d) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty; row 1 must be the header"),
        ("0.5,1,0\n1,2,1\n", "row 1 must be the header x1,x2,label; it holds numbers"),
        ("x1,x2,class\n1,2,0\n", r"unknown column\(s\) 'class'; missing label"),
        ("x1,x2,label,x1\n", "repeated x1"),
        (_csv(["1,2,0", "3,4"]), "row 3 has 2 value"),
        (_csv(["1,2,0", "3,4,1,5"]), "row 3 has 4 value"),
        (_csv(["1,2,0", "3,,1"]), "row 3, column x2 is empty"),
        (_csv(["1,2,0", "", "3,abc,1"]), "row 4, column x2: 'abc' is not a number"),
        (_csv(["1,2,0", "3,4,nan"]), "row 3, column label: 'nan' is not a number"),
        (_csv(["1,2,0", "inf,4,1"]), "row 3, column x1: 'inf' is not a number"),
        (_csv(["1,2,0", "1_000,4,1"]), "row 3, column x1: '1_000' is not a number"),
        (_csv(["1,2,0", "1e10,4,1"]), r"row 3, column x1: 1e10 is outside \[-1e\+09, 1e\+09\]"),
        (_csv(["1,2,0", "1" * 500 + ",4,1"]), r"row 3, column x1: '1{40}\.\.\.' is not a number"),
        (_csv(["1,2,0,train", "3,4,1,"], "x1,x2,label,split"), "row 3, column split: .. is not"),
        (_csv(["1,2,0", "3,4,1", '5,"6,1']), "row 4: not valid CSV"),
        (_csv(["1,2,0"]), "1 point"),
        (_csv(["1,2,3", "3,4,3"]), "every label is 3: there is nothing to learn"),
        (_csv([f"0,0,{i}.5" for i in range(5)]), None),  # regression by the auto rule: fine
        (b"x1,x2,label\n1,2,\xff\n", "not UTF-8 text"),
        (b"x1,x2,label\n1,2\x00,3\n", "row 2, column x2"),
        (12, "a CSV file is bytes or text, got int"),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else None,
)
def test_problems_are_reported_with_their_spreadsheet_row(data, message):
    """Each problem names its row as a spreadsheet numbers it: the header is row 1."""
    if message is None:
        assert read_csv(data).task == "regression"
        return
    with pytest.raises(ValueError, match=message):
        read_csv(data)


def test_classification_needs_two_to_four_values():
    with pytest.raises(ValueError, match=r"2 to 4 distinct labels, got 5 \(0, 1, 2, 3, 4\)"):
        read_csv(_csv([f"0,0,{i}" for i in range(5)]), task="classification")
    with pytest.raises(ValueError, match="task must be 'auto'"):
        read_csv(_csv(["0,0,0", "1,1,1"]), task="clustering")


def test_size_limits():
    with pytest.raises(ValueError, match=f"the limit is {MAX_CSV_BYTES:,}"):
        read_csv(b"x1,x2,label\n" + b"1,2,0\n" * 200_000)
    with pytest.raises(ValueError, match="row 5002: at most 5,000 rows after the header"):
        read_csv(_csv(["1,2,0"] * 5001))
    with pytest.raises(ValueError, match="at most 5,000 rows"):  # blank rows count too
        read_csv("x1,x2,label\n" + "\n" * 6000)
    assert len(read_csv(_csv(["1,2,0", "2,1,1"] * 2500))) == 5000


@pytest.mark.parametrize(
    "data",
    [
        b"x1,x2,label\n" + b"," * 900_000,  # one huge row
        b"x1,x2,label\n" + b'"' + b"9" * 900_000 + b'"\n',  # one huge quoted field
        b"\x00" * 900_000,
        b"x1,x2,label\n" + b"1" * 900_000 + b",2,3\n",
    ],
    ids=["huge-row", "huge-quoted-field", "nul-bytes", "huge-number"],
)
def test_hostile_files_fail_with_a_clear_message(data):
    with pytest.raises(ValueError, match="row|header"):
        read_csv(data)


def test_download_is_readable_csv_and_uploads_again():
    train_set, test_set = pg.load_data("spiral3", 60, 0.1, 3, 0.25)
    text = to_csv(train_set, test_set)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["x1", "x2", "label", "split"]
    assert [r["split"] for r in rows] == ["train"] * 45 + ["test"] * 15
    assert float(rows[0]["x1"]) == train_set.X[0, 0]  # exact round trip of floats
    back = read_csv(text)
    np.testing.assert_array_equal(back.X, np.vstack([train_set.X, test_set.X]))
    np.testing.assert_array_equal(back.y, np.concatenate([train_set.y, test_set.y]))
    regression, _ = pg.load_data("sine", 30, 0.2, 1, 0.0)
    again = read_csv(to_csv(regression), task="regression")
    np.testing.assert_array_equal(again.y, regression.y)


def test_drawn_points_encoding_example_and_rounding():
    text = encode_points([[1.234, -5.999], [0.0, 0.004], [-6, 6], [-0.001, 2.5]], [0, 1, 3, 2])
    assert text == "1.23_-6_0~0_0_1~-6_6_3~0_2.5_2"
    d = decode_points(text)
    np.testing.assert_array_equal(d.X, [[1.23, -6], [0, 0], [-6, 6], [0, 2.5]])
    np.testing.assert_array_equal(d.y, [0, 1, 3, 2])
    assert d.n_classes == 4 and d.name == "drawn"
    assert len(decode_points("")) == 0 and encode_points(np.empty((0, 2)), []) == ""


coordinates = st.floats(-DRAW_BOX, DRAW_BOX, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(coordinates, coordinates, st.integers(0, 3)), max_size=MAX_DRAWN))
def test_drawn_points_round_trip(points):
    X = np.array([p[:2] for p in points]).reshape(-1, 2)
    y = np.array([p[2] for p in points], dtype=int)
    text = encode_points(X, y)
    assert len(text) <= MAX_DRAWN * 16
    assert set(text) <= set("0123456789.-_~")
    d = decode_points(text)
    np.testing.assert_allclose(d.X, X, atol=0.005 + 1e-12)  # rounded to 2 decimals
    np.testing.assert_array_equal(d.y, y)
    assert encode_points(d.X, d.y) == text  # stable once rounded


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1_2", "drawn point 1 is not x_y_class"),
        ("1_2_0~", "drawn point 2 is not x_y_class"),
        ("1_2_4", "drawn point 1 is not"),
        ("1.234_2_0", "drawn point 1 is not"),
        ("1e1_2_0", "drawn point 1 is not"),
        ("+1_2_0", "drawn point 1 is not"),
        ("12_2_0", "drawn point 1 is not"),
        ("1_2_0~7_1_1", r"drawn point 2 lies outside \[-6, 6\]"),
        ("0_6.01_1", "drawn point 1 lies outside"),
        ("1_2_0;3_4_1", "drawn point 1 is not"),
        (" 1_2_0", "drawn point 1 is not"),
        ("~".join(["1_2_0"] * (MAX_DRAWN + 1)), f"at most {MAX_DRAWN} drawn points, got 201"),
        ("1" * 10_000, "too long"),
        (None, "drawn points are text"),
    ],
)
def test_decoder_is_strict(text, message):
    with pytest.raises(ValueError, match=message):
        decode_points(text)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        ([[7.0, 0.0]], [0], r"lie in \[-6, 6\]"),
        ([[np.nan, 0.0]], [0], r"lie in \[-6, 6\]"),
        ([[0.0, 0.0]], [4], "classes are 0 to 3, got \\[4\\]"),
        ([[0.0, 0.0]] * (MAX_DRAWN + 1), [0] * (MAX_DRAWN + 1), "at most 200 drawn points"),
        ([0.0, 0.0], [0], r"X of shape \(n, 2\)"),
    ],
)
def test_encoder_refuses_what_it_cannot_write(X, y, message):
    with pytest.raises(ValueError, match=message):
        encode_points(X, y)


def test_drawn_points_train_like_any_data_set():
    d = decode_points(encode_points(make("xor", 40, seed=1).X / 6 * 5.9, make("xor", 40, seed=1).y))
    train_set, test_set = pg.prepare(d, 0.25, seed=0)
    assert pg.check_data(train_set) is None and len(test_set) == 10
