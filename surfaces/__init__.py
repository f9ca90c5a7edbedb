"""2D loss surfaces with analytic gradients for watching optimizers move (NumPy only).

>>> import surfaces
>>> s = surfaces.get("beale")
>>> s.value([3.0, 0.5]), s.gradient([[1.0, 1.5]]).shape
(array(0.), (1, 2))
"""

from surfaces.base import Minimum, Surface
from surfaces.classic import (
    ACKLEY,
    BEALE,
    BOOTH,
    GOLDSTEIN_PRICE,
    HIMMELBLAU,
    RASTRIGIN,
    ROSENBROCK,
    SIX_HUMP_CAMEL,
    STYBLINSKI_TANG,
    THREE_HUMP_CAMEL,
)
from surfaces.data import LINEAR_REGRESSION, LOGISTIC_CE, LOGISTIC_MSE, linear_regression, logistic
from surfaces.endpoints import Reached, group_minima, reached_minima, settle
from surfaces.formula import from_formula
from surfaces.lecture import LONG_VALLEY, QUADRATIC, SADDLE, WELLS_SURFACE, quadratic

# Display order: lecture favourites first, then the benchmark zoo.
SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        LONG_VALLEY,
        BEALE,
        SADDLE,
        ROSENBROCK,
        HIMMELBLAU,
        WELLS_SURFACE,
        QUADRATIC,
        RASTRIGIN,
        ACKLEY,
        SIX_HUMP_CAMEL,
        THREE_HUMP_CAMEL,
        STYBLINSKI_TANG,
        GOLDSTEIN_PRICE,
        BOOTH,
        # Losses of small models on data, over their parameters (w, b).
        LINEAR_REGRESSION,
        LOGISTIC_CE,
        LOGISTIC_MSE,
    )
}


def get(name: str) -> Surface:
    """The surface called ``name``; raises KeyError listing the valid names."""
    try:
        return SURFACES[name]
    except KeyError:
        raise KeyError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}") from None


__all__ = [
    "SURFACES",
    "Minimum",
    "Reached",
    "Surface",
    "from_formula",
    "get",
    "group_minima",
    "linear_regression",
    "logistic",
    "quadratic",
    "reached_minima",
    "settle",
]
