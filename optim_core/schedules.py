"""Learning-rate schedules, as closed forms of PyTorch's ``torch.optim.lr_scheduler``.

A schedule maps the base learning rate and the 0-based step index ``k`` (the first step uses
``k = 0``) to the learning rate of that step. ``lr`` may be an array (batched sweeps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from optim_core.validation import check_count, check_value


@dataclass(frozen=True)
class Constant:
    r""":math:`\text{lr}_k = \text{lr}`."""

    def __call__(self, lr, k: int):
        return lr


@dataclass(frozen=True)
class Step:
    r"""``StepLR``: :math:`\text{lr}_k = \text{lr}\cdot\gamma^{\lfloor k / \text{step\_size} \rfloor}`."""

    step_size: int
    gamma: float = 0.1

    def __post_init__(self):
        check_count("step_size", self.step_size, 1)
        _check_gamma(self.gamma)

    def __call__(self, lr, k: int):
        return lr * self.gamma ** (k // self.step_size)


@dataclass(frozen=True)
class Exponential:
    r"""``ExponentialLR``: :math:`\text{lr}_k = \text{lr}\cdot\gamma^k`."""

    gamma: float

    def __post_init__(self):
        _check_gamma(self.gamma)

    def __call__(self, lr, k: int):
        return lr * self.gamma**k


@dataclass(frozen=True)
class Cosine:
    r"""``CosineAnnealingLR`` (closed form):
    :math:`\text{lr}_k = \eta_{min} + (\text{lr} - \eta_{min})(1 + \cos(\pi k / T_{max}))/2`."""

    T_max: int
    eta_min: float = 0.0

    def __post_init__(self):
        check_count("T_max", self.T_max, 1)
        check_value("eta_min", self.eta_min, lambda a: a >= 0, ">= 0")

    def __call__(self, lr, k: int):
        return self.eta_min + (lr - self.eta_min) * (1.0 + math.cos(math.pi * k / self.T_max)) / 2


def _check_gamma(gamma) -> None:
    check_value("gamma", gamma, lambda a: (a > 0) & (a <= 1), "in (0, 1]")


SCHEDULES = {"constant": Constant, "step": Step, "exponential": Exponential, "cosine": Cosine}
