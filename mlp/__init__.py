"""Small NumPy networks trained by the ``optim_core`` optimizers on toy 2-D data sets.

>>> import optim_core
>>> from mlp import MLP, make, train
>>> data = make("moons", n=300, noise=0.1, seed=0)
>>> net = MLP((2, 16, 16, 1), activation="tanh", loss="bce")
>>> history = train(net, optim_core.make("adam", lr=0.02), data.X, data.y, epochs=60, batch_size=32)

Regression works the same way on real targets, e.g. TensorFlow Playground's sets:

>>> plane = make("plane", n=300, noise=0.1)
>>> net = MLP((2, 8, 1), loss="mse", task="regression")
>>> history = train(net, optim_core.make("adam", lr=0.02), plane.X, plane.y, 60, batch_size=32)

and ``features=("x1sq", "x2sq")`` feeds the network TF Playground's input features instead of
the raw coordinates. ``mlp.userdata`` reads and writes CSV files and drawn points, and
``mlp.landscape`` evaluates the training loss on a plane through weight space (PCA of the
optimizers' trajectories, or filter-normalised random directions).
"""

from mlp.datasets import DATASETS, REGRESSION_SETS, Dataset, make, split, standardize
from mlp.features import FEATURES, feature_map
from mlp.network import ACTIVATIONS, LOSSES, MLP, r2_score
from mlp.train import History, probability_grid, train
from mlp.userdata import decode_points, encode_points, read_csv, to_csv

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "FEATURES",
    "LOSSES",
    "MLP",
    "REGRESSION_SETS",
    "Dataset",
    "History",
    "decode_points",
    "encode_points",
    "feature_map",
    "make",
    "probability_grid",
    "r2_score",
    "read_csv",
    "split",
    "standardize",
    "to_csv",
    "train",
]
