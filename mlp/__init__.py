"""Small NumPy networks trained by the ``optim_core`` optimizers on toy 2-D data sets.

>>> import optim_core
>>> from mlp import MLP, make, train
>>> data = make("moons", n=300, noise=0.1, seed=0)
>>> net = MLP((2, 16, 16, 1), activation="tanh", loss="bce")
>>> history = train(net, optim_core.make("adam", lr=0.02), data.X, data.y, epochs=60, batch_size=32)
"""

from mlp.datasets import DATASETS, Dataset, make, split, standardize
from mlp.network import ACTIVATIONS, LOSSES, MLP
from mlp.train import History, probability_grid, train

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "LOSSES",
    "MLP",
    "Dataset",
    "History",
    "make",
    "probability_grid",
    "split",
    "standardize",
    "train",
]
