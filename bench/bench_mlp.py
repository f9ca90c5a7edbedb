"""Benchmark: train a 2-32-32-1 tanh MLP with Adam on 1,000 moons points for 200 epochs.

Baseline: scikit-learn's ``MLPClassifier`` with the same architecture, optimizer, learning rate,
batch size and epoch count (no L2, no early stopping, reshuffled every epoch), run in the same
process on the same data. scikit-learn is a development dependency only. Each timing is the
best of ``--repeat`` runs, the compared runs taking turns, because the machines are shared and
noisy; compare the ratios, not the seconds.

This is a plain Python process: no thread environment variable is set, as in a notebook or a
script. Printed:

1. both libraries at their defaults (``mlp.train`` limits BLAS to one thread itself, with
   threadpoolctl; scikit-learn uses every BLAS thread);
2. both at one BLAS thread (``threadpool_limits(1)`` around both ``fit`` and ``train``);
3. ``mlp.train`` (and scikit-learn at its defaults) again while two busy processes (started
   and stopped here) spin on the CPU: what BLAS threads fighting for the cores would cost.

Both final training accuracies are printed: the ratios compare equal work.

    python bench/bench_mlp.py [--epochs 200] [--n 1000] [--lr 0.01] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import pathlib
import sys
import warnings

from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from timing import best_times  # noqa: E402

import optim_core  # noqa: E402
from mlp import MLP, make, train  # noqa: E402

HIDDEN = (32, 32)
BATCH = 32
BUSY = 2  # background processes for the run under load


def ours(X, y, epochs: int, lr: float, seed: int) -> float:
    """Train with ``mlp.train`` (which also records loss and accuracy every epoch, and the
    final weights' exact training accuracy)."""
    net = MLP((2, *HIDDEN, 1), activation="tanh", loss="bce", seed=seed)
    hist = train(net, optim_core.make("adam", lr=lr), X, y, epochs, batch_size=BATCH, seed=seed)
    return hist.final_train_metric


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


def one_thread(fn):
    """``fn`` with every BLAS library limited to one thread."""

    def run(*args):
        with threadpool_limits(1, user_api="blas"):
            return fn(*args)

    return run


def _spin(stop) -> None:
    while not stop.is_set():
        sum(range(100_000))


@contextlib.contextmanager
def busy(processes: int):
    """``processes`` background processes spinning in Python loops while the block runs."""
    stop = multiprocessing.Event()
    workers = [multiprocessing.Process(target=_spin, args=(stop,)) for _ in range(processes)]
    for w in workers:
        w.start()
    try:
        yield
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=5)
            if w.is_alive():
                w.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--noise", type=float, default=0.2)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = make("moons", n=args.n, noise=args.noise, seed=args.seed)
    run = (data.X, data.y, args.epochs, args.lr, args.seed)
    blas = ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info())
    print(
        f"Adam (lr={args.lr}), 2-{'-'.join(map(str, HIDDEN))}-1 tanh, {args.n} moons points "
        f"(noise {args.noise}), batch {BATCH}, {args.epochs} epochs; best of {args.repeat}; "
        f"BLAS: {blas}; {multiprocessing.cpu_count()} CPUs"
    )
    (sk, acc_sk), (us, acc_us), (sk1, acc_sk1), (us1, acc_us1) = best_times(
        [
            lambda: sklearn(*run),
            lambda: ours(*run),
            lambda: one_thread(sklearn)(*run),
            lambda: one_thread(ours)(*run),
        ],
        args.repeat,
    )
    with busy(BUSY):
        (us_busy, _), (sk_busy, _) = best_times(
            [lambda: ours(*run), lambda: sklearn(*run)], args.repeat
        )

    rows = [
        ("defaults", sk, acc_sk, us, acc_us),
        ("1 BLAS thread", sk1, acc_sk1, us1, acc_us1),
    ]
    for label, t_sk, a_sk, t_us, a_us in rows:
        print(
            f"  {label + ':':15s} scikit-learn {t_sk:7.3f} s (train accuracy {a_sk:.3f})   "
            f"mlp.train {t_us:7.3f} s (train accuracy {a_us:.3f})   "
            f"ratio x{t_sk / t_us:.2f} (target >= 3)"
        )
    print(
        f"  {BUSY} busy processes, defaults: scikit-learn {sk_busy:7.3f} s   "
        f"mlp.train {us_busy:7.3f} s (x{us_busy / us:.2f} its time without them)   "
        f"ratio x{sk_busy / us_busy:.2f}"
    )


if __name__ == "__main__":
    main()
