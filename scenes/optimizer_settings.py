"""Which hyperparameters each optimizer shows in the UI, their bounds, and their URL keys.

Pure (no streamlit). Keys are ``f"{prefix}{name}.{hyperparameter}"``, e.g. ``"adam.lr"``;
``betas`` is split into ``beta1`` and ``beta2`` because a widget holds one number. First-order
optimizers (``FIRST_ORDER``) and the second-order and quasi-Newton methods (``CURVATURE``) are
listed in two groups, as the study notes sort them.
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
    "newton": "Newton",
    "saddle_free_newton": "Saddle-free Newton",
    "bfgs": "BFGS",
    "lbfgs": "L-BFGS",
    "cg": "Conjugate gradient",
    "levenberg_marquardt": "Levenberg–Marquardt",
}
FIRST_ORDER = tuple(optim_core.OPTIMIZERS)
CURVATURE = tuple(optim_core.CURVATURE_OPTIMIZERS)
ALL = FIRST_ORDER + CURVATURE
GROUPS = {"First-order": FIRST_ORDER, "Second-order and quasi-Newton": CURVATURE}

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
    "floor": (1e-8, 10.0, "eigenvalue floor"),
    "history_size": (1, 100, "history size m"),
    "tau": (1e-9, 1e3, "initial damping τ"),
}
# hyperparameter -> (label, {value shown in the URL: value passed to optim_core.make}).
CHOICES = {
    "line_search": ("line search", {"strong_wolfe": "strong_wolfe", "armijo": "armijo"}),
    "line_search_fn": ("line search", {"none": None, "strong_wolfe": "strong_wolfe"}),
    "beta": ("β formula", {"pr+": "pr+", "fr": "fr"}),
}
INTEGERS = {"history_size"}

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
    "newton": ["lr"],
    "saddle_free_newton": ["lr", "floor"],
    "bfgs": ["line_search"],
    "lbfgs": ["lr", "history_size", "line_search_fn"],
    "cg": ["beta"],
    "levenberg_marquardt": ["tau"],
}


def torch_defaults(name: str) -> dict:
    """The optimizer's PyTorch defaults for the shown hyperparameters (betas split; choices as
    their URL text)."""
    hp = dict(optim_core.make(name).hyperparams)
    if "betas" in hp:
        hp["beta1"], hp["beta2"] = hp.pop("betas")
    out = {k: hp[k] for k in SHOWN[name]}
    for k in out.keys() & CHOICES.keys():
        out[k] = next(text for text, v in CHOICES[k][1].items() if v == out[k])
    return out


def spec(name: str, prefix: str = "", overrides: Mapping[str, float] | None = None) -> dict:
    """``{key: Param}`` for one optimizer; ``overrides`` replace PyTorch's defaults
    (e.g. a per-surface learning rate)."""
    defaults = {**torch_defaults(name), **(overrides or {})}
    out = {}
    for hp in SHOWN[name]:
        key = f"{prefix}{name}.{hp}"
        if hp in CHOICES:
            out[key] = params.choice(defaults[hp], list(CHOICES[hp][1]))
            continue
        lo, hi, _ = bounds(name, hp)
        if lo is None:
            out[key] = params.flag(bool(defaults[hp]))
        elif hp in INTEGERS:
            out[key] = params.integer(int(defaults[hp]), lo, hi)
        else:
            out[key] = params.number(float(defaults[hp]), lo, hi)
    return out


def hyperparams(name: str, values: Mapping, prefix: str = "") -> dict:
    """Keyword arguments for ``optim_core.make(name, ...)`` from settings keyed as in ``spec``."""
    hp = {h: values[f"{prefix}{name}.{h}"] for h in SHOWN[name]}
    if "beta1" in hp:
        hp["betas"] = (hp.pop("beta1"), hp.pop("beta2"))
    for h in hp.keys() & CHOICES.keys():
        hp[h] = CHOICES[h][1][hp[h]]
    return hp
