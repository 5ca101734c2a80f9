"""Identifier corruption: how one true person ends up written differently in each agency's records.

Every record is corrupted independently (each employer, each claim, each council keys the details in
again), at the profile's rates, scaled up for name backgrounds recorded with more variation. Name swaps
work on integer codes; only typos touch text, and only on the few rows that get one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sample_db.world import postcodes
from sample_db.world.names import NameTables
from sample_db.world.people import Identities
from sample_db.world.profile import BACKGROUNDS, ErrorProfile
from sample_db.world.util import arrow_labels, arrow_text, iso_dates, ymd

_LOWER = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_UNIT_LETTERS = np.frombuffer(b"ABDEFGHJLNPQRSTUWXYZ", dtype=np.uint8)


def _as_matrix(s: np.ndarray, extra: int = 1) -> np.ndarray:
    width = s.dtype.itemsize
    m = np.zeros((len(s), width + extra), dtype=np.uint8)
    if len(s):
        m[:, :width] = np.frombuffer(np.ascontiguousarray(s).tobytes(), dtype=np.uint8).reshape(len(s), width)
    return m


def typo(rng: np.random.Generator, s: np.ndarray) -> np.ndarray:
    """One keying slip per value: a letter substituted, dropped, added or two letters swapped.

    The first letter is kept (people rarely get it wrong, and it is what blocking often relies on).
    """
    n = len(s)
    if n == 0:
        return s
    m = _as_matrix(s)
    width = m.shape[1]
    length = np.strings.str_len(s).astype(np.int64)
    op = rng.integers(0, 4, n)
    op = np.where(length < 3, np.where(op == 1, 2, op), op)  # never shorten very short names to nothing
    op = np.where((op == 3) & (length < 3), 0, op)
    span = np.maximum(length - 1, 1)
    pos = 1 + (rng.random(n) * span).astype(np.int64)          # 1 .. length-1
    pos = np.where(op == 3, np.minimum(pos, np.maximum(length - 2, 1)), pos)
    pos = np.minimum(pos, np.maximum(length, 1))
    j = np.arange(width)[None, :]
    src = np.broadcast_to(j, (n, width)).copy()
    p = pos[:, None]
    delete, insert, swap = (op == 1)[:, None], (op == 2)[:, None], (op == 3)[:, None]
    src = np.where(delete, np.minimum(j + (j >= p), width - 1), src)
    src = np.where(insert, j - (j > p), src)
    src = np.where(swap & (j == p), p + 1, src)
    src = np.where(swap & (j == p + 1), p, src)
    out = np.take_along_axis(m, src, axis=1)
    letter = _LOWER[rng.integers(0, 26, n)]
    rows = np.flatnonzero((op == 0) | (op == 2))
    out[rows, pos[rows]] = letter[rows]
    return out.view(f"S{width}").ravel()


def _maybe_typo(rng: np.random.Generator, s: np.ndarray, rate: np.ndarray) -> np.ndarray:
    hit = np.flatnonzero(rng.random(len(s)) < rate)
    if len(hit) == 0:
        return s
    fixed = typo(rng, s[hit])
    out = s.astype(fixed.dtype if fixed.dtype.itemsize > s.dtype.itemsize else s.dtype)
    out[hit] = fixed
    return out


def _variant(rng: np.random.Generator, tables: NameTables, codes: np.ndarray, rate: np.ndarray) -> np.ndarray:
    k = tables.n_variants[np.maximum(codes, 0)]
    hit = (rng.random(len(codes)) < rate) & (k > 0) & (codes >= 0)
    pick = (rng.random(len(codes)) * np.maximum(k, 1)).astype(np.int64)
    return np.where(hit, tables.variants[np.maximum(codes, 0), pick], codes)


def identifiers(rng: np.random.Generator, tables: NameTables, ids: Identities, who: np.ndarray,
                day: np.ndarray, profile: ErrorProfile, dataset: str) -> dict[str, pa.Array]:
    """The six standard identifier columns for records of people ``who`` dated ``day``."""
    n = len(who)
    mult = np.array([profile.multiplier(b) for b in BACKGROUNDS])[ids.background[who]]
    r = lambda: rng.random(n)  # noqa: E731 - one fresh uniform per record, read as a sentence
    first = ids.first[who].copy()
    middle = ids.middle[who].copy()
    by_middle = (r() < profile.known_by_middle) & (middle[:, 0] >= 0)
    first = np.where(by_middle, middle[:, 0], first)
    middle[by_middle, 0] = middle[by_middle, 1]
    middle[by_middle, 1] = -1
    surname = ids.surname[who]
    old = ids.old_surname[who]
    surname = np.where((old >= 0) & (r() < profile.old_surname_used), old, surname)
    first = _variant(rng, tables, first, profile.nickname * mult)
    surname = _variant(rng, tables, surname, profile.surname_variant * mult)
    swap = r() < profile.name_order_swap * mult
    first, surname = np.where(swap, surname, first), np.where(swap, first, surname)
    no_middle = r() < profile.middle_missing
    middle[no_middle] = -1

    first_s = _maybe_typo(rng, tables.names[first], profile.typo * mult)
    surname_s = _maybe_typo(rng, tables.names[surname], profile.typo * mult)
    if dataset in profile.uppercase_surname:
        surname_s = np.strings.upper(surname_s)
    m0 = tables.names[np.maximum(middle[:, 0], 0)]
    m1 = tables.names[np.maximum(middle[:, 1], 0)]
    middle_s = np.where(middle[:, 1] >= 0, np.strings.add(np.strings.add(m0, b" "), m1), m0)
    middle_s = _maybe_typo(rng, middle_s, profile.typo * mult)

    y, mo, d = ymd(ids.dob[who])
    transpose = (r() < profile.dob_transposed) & (d <= 12)
    mo, d = np.where(transpose, d, mo), np.where(transpose, mo, d)
    digit = r() < profile.dob_digit
    year_slip = r() < 0.5
    y = np.where(digit & year_slip, y + np.where(r() < 0.5, -1, 1), y)
    d = np.where(digit & ~year_slip, np.clip(d + np.where(r() < 0.5, -1, 1), 1, 28), d)
    jan = r() < profile.dob_first_of_january
    mo, d = np.where(jan, 1, mo), np.where(jan, 1, d)
    # Wrong but never impossible: a 29 February moved to a year that has none becomes the 28th.
    d = np.where((mo == 2) & (d == 29) & ((y % 4 != 0) | ((y % 100 == 0) & (y % 400 != 0))), 28, d)

    wrong_sex = r() < profile.sex_wrong
    male = ids.male[who] ^ wrong_sex

    code = np.where(day >= ids.move_day[who], ids.postcode_after[who], ids.postcode_before[who])
    moved = r() < profile.postcode_moved
    code = np.where(moved, postcodes.nearby(rng, code), code)
    post_s = postcodes.to_text(code)
    post_s = _postcode_typo(rng, post_s, r() < profile.postcode_typo)

    return {
        "first_name": arrow_text(first_s, r() < profile.first_missing),
        "middle_names": arrow_text(middle_s, middle[:, 0] < 0),
        "surname": arrow_text(surname_s, r() < profile.surname_missing),
        "date_of_birth": arrow_text(iso_dates(y, mo, d), r() < profile.dob_missing),
        "sex": arrow_labels(["F", "M"], male.astype(np.int64), r() < profile.sex_missing),
        "postcode": arrow_text(post_s, r() < profile.postcode_missing),
    }


def _postcode_typo(rng: np.random.Generator, s: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """A mistyped letter in the inward code (the part people most often get wrong)."""
    rows = np.flatnonzero(hit)
    if len(rows) == 0:
        return s
    m = _as_matrix(s[rows], extra=0)
    length = np.strings.str_len(s[rows]).astype(np.int64)
    pos = length - 1 - rng.integers(0, 2, len(rows))
    m[np.arange(len(rows)), pos] = _UNIT_LETTERS[rng.integers(0, len(_UNIT_LETTERS), len(rows))]
    out = s.copy()
    out[rows] = m.view(f"S{m.shape[1]}").ravel()
    return out
