"""Pure-NumPy optimizers that step exactly as ``torch.optim`` does, on arrays of any shape,
and second-order / quasi-Newton methods (Newton, saddle-free Newton, BFGS, L-BFGS, CG,
Levenberg-Marquardt) that run on surfaces.

>>> import optim_core, surfaces
>>> opt = optim_core.make("adam", lr=0.1)
>>> result = optim_core.run(opt, surfaces.get("beale"), start=(1.0, 1.5), steps=500)
>>> newton = optim_core.run(optim_core.make("newton"), surfaces.get("beale"), (1.0, 1.5), 50)
"""

from optim_core import schedules
from optim_core.curvature import CurvatureOptimizer
from optim_core.newton import LevenbergMarquardt, Newton, SaddleFreeNewton
from optim_core.optimizers import (
    CURVATURE_OPTIMIZERS,
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
from optim_core.quasi_newton import BFGS, CG, LBFGS
from optim_core.run import RunResult, escape_box, run

__all__ = [
    "BFGS",
    "CG",
    "CURVATURE_OPTIMIZERS",
    "CurvatureOptimizer",
    "LBFGS",
    "LevenbergMarquardt",
    "Newton",
    "OPTIMIZERS",
    "Optimizer",
    "OptState",
    "RunResult",
    "SaddleFreeNewton",
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
