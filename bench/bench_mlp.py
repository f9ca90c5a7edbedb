"""Benchmark: train a 2-32-32-1 tanh MLP with Adam on 1,000 moons points for 200 epochs.

Baseline: scikit-learn's ``MLPClassifier`` with the same architecture, optimizer, learning rate,
batch size and epoch count (no L2, no early stopping, reshuffled every epoch), run in the same
process on the same data. Prints both times, the ratio, and both final training accuracies.
scikit-learn is a development dependency only. Each timing is the best of ``--repeat`` runs
(the two take turns) because the machines are shared and noisy; compare the ratio, not the
seconds.

BLAS runs single-threaded unless ``--blas-threads`` says otherwise (set before NumPy loads, so
it applies to both sides): these matrices are at most 1000 x 32, too small to gain from
threads, and on a busy 2-core machine OpenBLAS's spinning worker threads steal the CPU from
the main thread and make both timings noisy and several times slower.

    python bench/bench_mlp.py [--epochs 200] [--n 1000] [--lr 0.01] [--repeat 3] [--blas-threads 1]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import warnings


def _blas_threads(argv: list[str]) -> str:
    """``--blas-threads N`` from the command line (default 1), before NumPy is imported."""
    for i, arg in enumerate(argv):
        if arg == "--blas-threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--blas-threads="):
            return arg.split("=", 1)[1]
    return "1"


os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = _blas_threads(sys.argv)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_times  # noqa: E402

import optim_core  # noqa: E402
from mlp import MLP, make, train  # noqa: E402

HIDDEN = (32, 32)
BATCH = 32


def ours(X, y, epochs: int, lr: float, seed: int) -> float:
    """Train with ``mlp.train`` (which also records loss and accuracy every epoch)."""
    net = MLP((2, *HIDDEN, 1), activation="tanh", loss="bce", seed=seed)
    hist = train(net, optim_core.make("adam", lr=lr), X, y, epochs, batch_size=BATCH, seed=seed)
    return hist.train_accuracy[-1]


def sklearn(X, y, epochs: int, lr: float, seed: int) -> float:
    """The same training with scikit-learn; ``tol=0`` and ``n_iter_no_change`` keep it going."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        activation="tanh",
        solver="adam",
        alpha=0.0,
        batch_size=BATCH,
        learning_rate_init=lr,
        max_iter=epochs,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ == epochs, clf.n_iter_
    return clf.score(X, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--noise", type=float, default=0.2)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (both sides)")
    args = parser.parse_args()

    data = make("moons", n=args.n, noise=args.noise, seed=args.seed)
    run = (data.X, data.y, args.epochs, args.lr, args.seed)
    (t_sk, acc_sk), (t_us, acc_us) = best_times(
        [lambda: sklearn(*run), lambda: ours(*run)], args.repeat
    )

    print(
        f"Adam (lr={args.lr}), 2-{'-'.join(map(str, HIDDEN))}-1 tanh, {args.n} moons points "
        f"(noise {args.noise}), batch {BATCH}, {args.epochs} epochs; best of {args.repeat}; "
        f"{args.blas_threads} BLAS thread(s)"
    )
    print(f"  scikit-learn MLPClassifier (baseline) {t_sk:7.3f} s  train accuracy {acc_sk:.3f}")
    print(f"  mlp.train                             {t_us:7.3f} s  train accuracy {acc_us:.3f}")
    print(f"  ratio: mlp.train is x{t_sk / t_us:.2f} faster than scikit-learn (target >= 3)")


if __name__ == "__main__":
    main()
