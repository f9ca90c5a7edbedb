"""Data sets from users: CSV files up and down, and points drawn by hand, kept in a URL.

CSV (:func:`read_csv`, :func:`to_csv`): a header row with the columns ``x1``, ``x2`` and
``label`` (any order, any case), then one point per row. Rows are numbered as a spreadsheet
shows them: the header is row 1, the first point row 2. Every problem raises ``ValueError``
naming the row and the column. Classification or regression is decided by ``task``:

* ``"classification"``: the labels take 2 to 4 distinct values (any numbers, e.g. ``0/1`` or
  TensorFlow Playground's ``-1/+1``), which become the classes ``0..k-1`` in increasing order;
* ``"regression"``: the labels are real-valued targets;
* ``"auto"`` (default): classification when the labels are 2 to 4 distinct whole numbers,
  regression otherwise.

Drawn points (:func:`encode_points`, :func:`decode_points`): up to :data:`MAX_DRAWN` points
``(x, y, class)`` in the box ``[-DRAW_BOX, DRAW_BOX]^2``, classes ``0..3``, written as
``"x_y_c~x_y_c~..."`` with coordinates rounded to 2 decimals, for example
``"1.25_-0.5_0~2_3.1_1"``. Only URL-safe characters (digits, ``.``, ``-``, ``_``, ``~``), at
most about 3 kB; the decoder accepts exactly that format and nothing else.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np

from mlp.datasets import Dataset

__all__ = [
    "DRAW_BOX",
    "MAX_CSV_BYTES",
    "MAX_CSV_ROWS",
    "MAX_DRAWN",
    "decode_points",
    "encode_points",
    "read_csv",
    "to_csv",
]

MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 5_000  # rows after the header
MAX_VALUE = 1e9  # magnitude of any number in a CSV: keeps squares and sums far from overflow
MAX_NUMBER_CHARS = 40
MAX_CLASSES = 4
COLUMNS = ("x1", "x2", "label")
OPTIONAL = ("split",)  # written by to_csv; read and checked, then ignored
MAX_DRAWN = 200
DRAW_BOX = 6.0
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_COORD = r"-?[0-9](?:\.[0-9]{1,2})?"
_POINT = re.compile(rf"({_COORD})_({_COORD})_([0-3])")


# --- CSV -------------------------------------------------------------------------------------


def _text(data: bytes | str) -> str:
    """The file as text: at most :data:`MAX_CSV_BYTES` bytes of UTF-8 (a BOM is dropped)."""
    if isinstance(data, str):
        size = len(data) if len(data) > MAX_CSV_BYTES else len(data.encode("utf-8"))
    elif isinstance(data, bytes | bytearray):
        size = len(data)
    else:
        raise ValueError(f"a CSV file is bytes or text, got {type(data).__name__}")
    if size > MAX_CSV_BYTES:
        raise ValueError(f"the file has {size:,} bytes; the limit is {MAX_CSV_BYTES:,}")
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"the file is not UTF-8 text (byte {error.start:,}); save it as CSV UTF-8"
        ) from None


def _header(record: list[str]) -> dict[str, int]:
    """Column name -> position, or ``ValueError`` unless row 1 names exactly the columns."""
    names = [field.strip().lower() for field in record]
    if any(names) and all(_NUMBER.fullmatch(n) for n in names if n):
        raise ValueError(
            f"row 1 must be the header {','.join(COLUMNS)}; it holds numbers ({','.join(record)})"
        )
    unknown = [n for n in names if n not in COLUMNS + OPTIONAL]
    missing = [c for c in COLUMNS if c not in names]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if unknown or missing or repeated:
        problems = [
            f"unknown column(s) {', '.join(map(repr, unknown))}" if unknown else "",
            f"missing {', '.join(missing)}" if missing else "",
            f"repeated {', '.join(repeated)}" if repeated else "",
        ]
        raise ValueError(
            f"row 1 must name the columns {', '.join(COLUMNS)} (and optionally split): "
            + "; ".join(p for p in problems if p)
        )
    return {name: i for i, name in enumerate(names)}


def _number(field: str, row: int, column: str) -> float:
    value = field.strip()
    where = f"row {row}, column {column}"
    if not value:
        raise ValueError(f"{where} is empty; every point needs x1, x2 and label")
    if len(value) > MAX_NUMBER_CHARS or not _NUMBER.fullmatch(value):
        shown = value if len(value) <= MAX_NUMBER_CHARS else value[:MAX_NUMBER_CHARS] + "..."
        raise ValueError(
            f"{where}: {shown!r} is not a number (plain decimals like -1.5 or 2e3; "
            "no NaN, no infinity)"
        )
    number = float(value)
    if not abs(number) <= MAX_VALUE:
        raise ValueError(f"{where}: {value} is outside [-{MAX_VALUE:g}, {MAX_VALUE:g}]")
    return number


def _task(labels: np.ndarray, task: str) -> tuple[np.ndarray, int, str]:
    """Targets, number of classes (0 for regression) and task of the label column."""
    distinct = np.unique(labels)
    if len(distinct) < 2:
        raise ValueError(f"every label is {distinct[0]:g}: there is nothing to learn")
    whole = bool(np.all(distinct == np.round(distinct)))
    if task == "auto":
        task = "classification" if whole and len(distinct) <= MAX_CLASSES else "regression"
    if task == "regression":
        return labels, 0, task
    if len(distinct) > MAX_CLASSES:
        shown = ", ".join(f"{v:g}" for v in distinct[:6]) + (", ..." if len(distinct) > 6 else "")
        raise ValueError(
            f"classification takes 2 to {MAX_CLASSES} distinct labels, got {len(distinct)} "
            f"({shown})"
        )
    return np.searchsorted(distinct, labels).astype(np.intp), len(distinct), task


def read_csv(data: bytes | str, task: str = "auto", name: str = "uploaded") -> Dataset:
    """A :class:`~mlp.datasets.Dataset` from a CSV file with the columns ``x1, x2, label``.

    ``data``: the file's bytes (UTF-8) or text. ``task``: ``"auto"``, ``"classification"`` or
    ``"regression"`` (see the module docstring for the rules and the class numbering). An
    optional ``split`` column (``train``/``test``, as :func:`to_csv` writes) is checked and
    ignored: the playground draws its own split. Blank rows are skipped.

    Limits, each a ``ValueError`` with the row (header = row 1): :data:`MAX_CSV_BYTES` bytes,
    :data:`MAX_CSV_ROWS` rows after the header, at least 2 points, plain decimal numbers of
    magnitude at most ``1e9`` (no NaN, no infinity), exactly one value per column. The size
    is checked first and every field is bounded, so hostile input costs bounded time.
    """
    if task not in ("auto", "classification", "regression"):
        raise ValueError(f"task must be 'auto', 'classification' or 'regression', got {task!r}")
    reader = csv.reader(io.StringIO(_text(data), newline=""), strict=True)
    points, labels = [], []
    row = 0
    try:
        header = None
        for row, record in enumerate(reader, start=1):
            if header is None:
                header = _header(record)
                continue
            if row - 1 > MAX_CSV_ROWS:
                raise ValueError(f"row {row}: at most {MAX_CSV_ROWS:,} rows after the header")
            if not any(field.strip() for field in record):
                continue
            if len(record) != len(header):
                raise ValueError(
                    f"row {row} has {len(record)} value(s); the header has {len(header)} "
                    f"({', '.join(header)})"
                )
            x1, x2, label = (_number(record[header[c]], row, c) for c in COLUMNS)
            if "split" in header and record[header["split"]].strip().lower() not in (
                "train",
                "test",
            ):
                raise ValueError(
                    f"row {row}, column split: {record[header['split']][:20]!r} is not "
                    "train or test"
                )
            points.append((x1, x2))
            labels.append(label)
    except csv.Error as error:
        raise ValueError(f"row {row + 1}: not valid CSV ({error})") from None
    if header is None:
        raise ValueError(f"the file is empty; row 1 must be the header {','.join(COLUMNS)}")
    if len(points) < 2:
        raise ValueError(f"the file has {len(points)} point(s) after the header; it needs 2")
    y, k, task = _task(np.array(labels), task)
    return Dataset(np.array(points), y, name, k, task)


def to_csv(train: Dataset, test: Dataset | None = None) -> str:
    """Both sets as CSV text with the columns ``x1, x2, label, split`` (``train``/``test``),
    readable by :func:`read_csv`. Numbers are written exactly (shortest round-trip form);
    labels are the class numbers ``0..k-1``, or the targets for regression."""

    def rows(data: Dataset, split: str):
        labels = data.y.tolist()
        for (x1, x2), label in zip(data.X.tolist(), labels, strict=True):
            yield repr(x1), repr(x2), repr(label), split

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, "split"])
    writer.writerows(rows(train, "train"))
    if test is not None:
        writer.writerows(rows(test, "test"))
    return out.getvalue()


# --- drawn points ----------------------------------------------------------------------------


def _coordinate(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def encode_points(X: np.ndarray, y: np.ndarray) -> str:
    """Drawn points ``X`` ``(n, 2)`` with classes ``y`` ``(n,)`` as ``"x_y_c~..."`` (see the
    module docstring), coordinates rounded to 2 decimals. ``ValueError`` for more than
    :data:`MAX_DRAWN` points, coordinates outside ``[-DRAW_BOX, DRAW_BOX]`` or classes outside
    ``0..3``."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (len(X),):
        raise ValueError(
            f"points need X of shape (n, 2) and y of shape (n,), got {X.shape}, {y.shape}"
        )
    if len(X) > MAX_DRAWN:
        raise ValueError(f"at most {MAX_DRAWN} drawn points, got {len(X)}")
    if not (np.abs(X) <= DRAW_BOX).all():  # also rejects NaN
        raise ValueError(f"drawn points lie in [-{DRAW_BOX:g}, {DRAW_BOX:g}] on both axes")
    if not np.isin(y, range(MAX_CLASSES)).all():
        raise ValueError(f"drawn classes are 0 to {MAX_CLASSES - 1}, got {sorted(set(y.tolist()))}")
    return "~".join(
        f"{_coordinate(a)}_{_coordinate(b)}_{int(c)}"
        for (a, b), c in zip(X.tolist(), y, strict=True)
    )


def decode_points(text: str, name: str = "drawn") -> Dataset:
    """The :class:`~mlp.datasets.Dataset` encoded by :func:`encode_points` (``""``: no
    points); ``n_classes`` is the largest class + 1 (at least 2). Raises ``ValueError`` for
    anything else: a wrong format, a coordinate outside the box, more than :data:`MAX_DRAWN`
    points."""
    if not isinstance(text, str):
        raise ValueError(f"drawn points are text, got {type(text).__name__}")
    if len(text) > MAX_DRAWN * 16:  # "-5.99_-5.99_3~" is 14 characters
        raise ValueError(f"drawn points: at most {MAX_DRAWN} points, the text is too long")
    tokens = text.split("~") if text else []
    if len(tokens) > MAX_DRAWN:
        raise ValueError(f"at most {MAX_DRAWN} drawn points, got {len(tokens)}")
    X, y = np.empty((len(tokens), 2)), np.empty(len(tokens), dtype=np.intp)
    for i, token in enumerate(tokens):
        match = _POINT.fullmatch(token)
        if match is None:
            raise ValueError(f"drawn point {i + 1} is not x_y_class: {token[:20]!r}")
        X[i] = float(match[1]), float(match[2])
        y[i] = int(match[3])
    if not (np.abs(X) <= DRAW_BOX).all():
        i = int(np.argmax((np.abs(X) > DRAW_BOX).any(axis=1)))
        raise ValueError(
            f"drawn point {i + 1} lies outside [-{DRAW_BOX:g}, {DRAW_BOX:g}]: {tokens[i]!r}"
        )
    return Dataset(X, y, name, max(2, int(y.max()) + 1) if len(y) else 2)
