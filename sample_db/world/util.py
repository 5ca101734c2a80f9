"""Small vectorised helpers shared by the generator: dates, fixed-width text, calibration.

Text is built as bytes arrays (numpy ``S`` dtype) and handed to Arrow once per column, because Python
string objects for millions of records cost more time and memory than everything else together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def calibrate(score: np.ndarray, target: float, extra: np.ndarray | float = 0.0,
              logistic: bool = False, lo: float = 0.005, hi: float = 0.97) -> np.ndarray:
    """Shift ``score`` so the mean probability hits ``target`` (bisection on one number).

    Targets are published rates, so intercepts are solved for rather than hand-tuned: the same
    covariate effects then give the right base rate whatever the cohort's mix happens to be.
    """
    a, b = -20.0, 20.0
    for _ in range(60):
        mid = (a + b) / 2
        p = expit(score + mid) if logistic else np.clip(score + mid, lo, hi)
        if np.mean(np.clip(p + extra, 0.0, 1.0)) < target:
            a = mid
        else:
            b = mid
    mid = (a + b) / 2
    return expit(score + mid) if logistic else np.clip(score + mid, lo, hi)


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers, as a (n, width) uint8 matrix."""
    v = np.asarray(values, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return _DIGITS[(v[:, None] // powers[None, :]) % 10]


def matrix_to_s(m: np.ndarray) -> np.ndarray:
    m = np.ascontiguousarray(m, dtype=np.uint8)
    return m.view(f"S{m.shape[1]}").ravel()


def prefixed_numbers(prefix: str, values: np.ndarray, width: int) -> np.ndarray:
    pre = np.frombuffer(prefix.encode(), dtype=np.uint8)
    m = np.empty((len(values), len(pre) + width), dtype=np.uint8)
    m[:, : len(pre)] = pre
    m[:, len(pre):] = digits(values, width)
    return matrix_to_s(m)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    y = d.astype("datetime64[Y]")
    m = d.astype("datetime64[M]")
    return (y.astype(np.int64) + 1970, (m - y.astype("datetime64[M]")).astype(np.int64) + 1,
            (d - m.astype("datetime64[D]")).astype(np.int64) + 1)


def iso_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` bytes from components (components need not form a real date: errors may not)."""
    m = np.empty((len(year), 10), dtype=np.uint8)
    m[:, 0:4] = digits(year, 4)
    m[:, 4] = ord("-")
    m[:, 5:7] = digits(month, 2)
    m[:, 7] = ord("-")
    m[:, 8:10] = digits(day, 2)
    return matrix_to_s(m)


def arrow_text(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Arrow strings from a bytes array; ``mask`` marks nulls."""
    values = np.asarray(values)
    width = max(values.dtype.itemsize, 1)
    fixed = pa.array(values.astype(f"S{width}"), type=pa.binary(width))
    text = pc.utf8_rtrim(fixed.cast(pa.binary()).cast(pa.string()), characters="\x00")
    if mask is not None and mask.any():
        text = pc.if_else(pa.array(mask), pa.nulls(len(text), pa.string()), text)
    return text


def arrow_labels(labels: Sequence[str], codes: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Arrow strings ``labels[codes]``; ``mask`` (or a negative code) marks nulls."""
    codes = np.asarray(codes)
    null = codes < 0 if mask is None else (mask | (codes < 0))
    idx = pa.array(np.where(null, 0, codes).astype(np.int32), mask=null)
    return pa.array(list(labels), type=pa.string()).take(idx)


def arrow_dates(days: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.date32(),
                    mask=None if mask is None else np.asarray(mask, dtype=bool))


def categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One category per row from a (n, k) matrix of row probabilities."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    return (rng.random(len(probs))[:, None] > cum).sum(axis=1)
