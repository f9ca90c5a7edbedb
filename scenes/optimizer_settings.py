"""Which hyperparameters each optimizer shows in the UI, their bounds, and their URL keys.

Pure (no streamlit). Keys are ``f"{prefix}{name}.{hyperparameter}"``, e.g. ``"adam.lr"``;
``betas`` is split into ``beta1`` and ``beta2`` because a widget holds one number.
"""

from __future__ import annotations

from collections.abc import Mapping

import optim_core
from scenes import params

LABELS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nag": "NAG",
    "adagrad": "Adagrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "adamw": "AdamW",
    "adadelta": "Adadelta",
}

# hyperparameter -> (lowest, highest, label); booleans are (None, None, label).
BOUNDS = {
    "lr": (1e-6, 100.0, "learning rate"),
    "momentum": (0.0, 0.999, "momentum μ"),
    "weight_decay": (0.0, 10.0, "weight decay λ"),
    "lr_decay": (0.0, 10.0, "learning-rate decay"),
    "initial_accumulator_value": (0.0, 10.0, "initial accumulator"),
    "alpha": (0.0, 0.9999, "smoothing α"),
    "rho": (0.0, 1.0, "ρ"),
    "beta1": (0.0, 0.9999, "β₁"),
    "beta2": (0.0, 0.9999, "β₂"),
    "eps": (1e-12, 1.0, "ε"),
    "centered": (None, None, "centered"),
    "amsgrad": (None, None, "AMSGrad"),
}

# Bounds that depend on the optimizer, so no widget or URL can ask for an invalid combination:
# Nesterov momentum needs momentum > 0 (torch.optim.SGD raises otherwise).
SPECIAL_BOUNDS = {("nag", "momentum"): (0.01, 0.999, "momentum μ (> 0 for Nesterov)")}


def bounds(name: str, hp: str) -> tuple:
    """(lowest, highest, label) of hyperparameter ``hp`` of optimizer ``name``."""
    return SPECIAL_BOUNDS.get((name, hp), BOUNDS[hp])


SHOWN = {
    "sgd": ["lr", "weight_decay"],
    "momentum": ["lr", "momentum", "weight_decay"],
    "nag": ["lr", "momentum", "weight_decay"],
    "adagrad": ["lr", "lr_decay", "initial_accumulator_value", "eps", "weight_decay"],
    "rmsprop": ["lr", "alpha", "momentum", "eps", "centered", "weight_decay"],
    "adam": ["lr", "beta1", "beta2", "eps", "amsgrad", "weight_decay"],
    "adamw": ["lr", "beta1", "beta2", "eps", "amsgrad", "weight_decay"],
    "adadelta": ["lr", "rho", "eps", "weight_decay"],
}


def torch_defaults(name: str) -> dict:
    """The optimizer's PyTorch defaults for the shown hyperparameters (betas split)."""
    hp = dict(optim_core.make(name).hyperparams)
    if "betas" in hp:
        hp["beta1"], hp["beta2"] = hp.pop("betas")
    return {k: hp[k] for k in SHOWN[name]}


def spec(name: str, prefix: str = "", overrides: Mapping[str, float] | None = None) -> dict:
    """``{key: Param}`` for one optimizer; ``overrides`` replace PyTorch's defaults
    (e.g. a per-surface learning rate)."""
    defaults = {**torch_defaults(name), **(overrides or {})}
    out = {}
    for hp in SHOWN[name]:
        lo, hi, _ = bounds(name, hp)
        key = f"{prefix}{name}.{hp}"
        if lo is None:
            out[key] = params.flag(bool(defaults[hp]))
        else:
            out[key] = params.number(float(defaults[hp]), lo, hi)
    return out


def hyperparams(name: str, values: Mapping, prefix: str = "") -> dict:
    """Keyword arguments for ``optim_core.make(name, ...)`` from settings keyed as in ``spec``."""
    hp = {h: values[f"{prefix}{name}.{h}"] for h in SHOWN[name]}
    if "beta1" in hp:
        hp["betas"] = (hp.pop("beta1"), hp.pop("beta2"))
    return hp
