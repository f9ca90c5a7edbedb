"""Pure-NumPy optimizers that step exactly as ``torch.optim`` does, on arrays of any shape.

>>> import optim_core, surfaces
>>> opt = optim_core.make("adam", lr=0.1)
>>> result = optim_core.run(opt, surfaces.get("beale"), start=(1.0, 1.5), steps=500)
"""

from optim_core import schedules
from optim_core.optimizers import (
    OPTIMIZERS,
    Optimizer,
    OptState,
    adadelta,
    adagrad,
    adam,
    adamw,
    make,
    momentum,
    nag,
    rmsprop,
    sgd,
)
from optim_core.run import RunResult, escape_box, run

__all__ = [
    "OPTIMIZERS",
    "Optimizer",
    "OptState",
    "RunResult",
    "adadelta",
    "adagrad",
    "adam",
    "adamw",
    "escape_box",
    "make",
    "momentum",
    "nag",
    "rmsprop",
    "run",
    "schedules",
    "sgd",
]
