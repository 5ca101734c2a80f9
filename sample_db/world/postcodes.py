"""Postcode-shaped codes by region, so moves stay local and regions can be read from the postcode.

Postcodes are packed into one integer (area, district, sector, unit) so that "moved nearby" is arithmetic
and only the final extract turns them into text. They look like real postcodes but are drawn at random.
"""

from __future__ import annotations

import numpy as np

from sample_db.world.util import matrix_to_s

#: ONS English regions and Wales, with postcode areas and a rough share of people released there.
REGIONS: tuple[tuple[str, float, str], ...] = (
    ("North East", 0.05, "NE SR DH DL TS"),
    ("North West", 0.13, "M L WA BL OL PR BB CH CW SK WN LA CA FY"),
    ("Yorkshire and The Humber", 0.11, "LS BD S HU DN HD HX WF YO HG"),
    ("East Midlands", 0.08, "NG LE DE NN LN"),
    ("West Midlands", 0.11, "B CV WS WV DY ST TF WR HR"),
    ("East of England", 0.09, "CB CO IP NR PE CM SS LU SG AL"),
    ("London", 0.15, "E N NW SE SW W IG RM DA BR CR SM KT TW HA UB EN"),
    ("South East", 0.13, "BN CT ME TN GU RH SO PO OX RG MK HP SL"),
    ("South West", 0.09, "BS BA EX PL TQ TR GL SN SP BH DT TA"),
    ("Wales", 0.06, "CF SA NP LL SY LD"),
)
REGION_NAMES = tuple(r[0] for r in REGIONS)
REGION_PROBS = np.array([r[1] for r in REGIONS]) / sum(r[1] for r in REGIONS)
AREAS = tuple(a for r in REGIONS for a in r[2].split())
AREA_REGION = np.array([i for i, r in enumerate(REGIONS) for _ in r[2].split()], dtype=np.int8)
_REGION_AREAS = [np.flatnonzero(AREA_REGION == i) for i in range(len(REGIONS))]
_UNIT_LETTERS = np.frombuffer(b"ABDEFGHJLNPQRSTUWXYZ", dtype=np.uint8)  # letters real inward codes use
_DISTRICTS, _SECTORS, _UNITS = 20, 10, 400


def draw(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    """A random postcode in each person's region."""
    region = np.asarray(region)
    n = len(region)
    counts = np.array([len(a) for a in _REGION_AREAS])
    pick = (rng.random(n) * counts[region]).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    area = np.concatenate(_REGION_AREAS)[offsets[region] + pick]
    district = rng.integers(1, _DISTRICTS, n)
    return _pack(area, district, rng.integers(0, _SECTORS, n), rng.integers(0, _UNITS, n))


def nearby(rng: np.random.Generator, code: np.ndarray) -> np.ndarray:
    """Another address in the same postcode district (a move across town, a hostel)."""
    area, district, _, _ = _unpack(code)
    n = len(code)
    return _pack(area, district, rng.integers(0, _SECTORS, n), rng.integers(0, _UNITS, n))


def region_of(code: np.ndarray) -> np.ndarray:
    return AREA_REGION[_unpack(code)[0]]


def _pack(area, district, sector, unit) -> np.ndarray:
    return ((np.asarray(area, np.int64) * 32 + district) * _SECTORS + sector) * _UNITS + unit


def _unpack(code: np.ndarray):
    code = np.asarray(code, dtype=np.int64)
    unit = code % _UNITS
    rest = code // _UNITS
    sector = rest % _SECTORS
    rest //= _SECTORS
    return rest // 32, rest % 32, sector, unit


def to_text(code: np.ndarray) -> np.ndarray:
    """Postcodes as bytes, e.g. ``b"LS12 4QT"`` (outward code, space, inward code)."""
    area, district, sector, unit = _unpack(code)
    area_s = np.array(AREAS, dtype="S2")[area]
    district_s = np.array([str(i).encode() for i in range(32)], dtype="S2")[district]
    inward = np.empty((len(code), 4), dtype=np.uint8)
    inward[:, 0] = ord(" ")
    inward[:, 1] = ord("0") + sector
    inward[:, 2] = _UNIT_LETTERS[unit // 20]
    inward[:, 3] = _UNIT_LETTERS[unit % 20]
    return np.strings.add(np.strings.add(area_s, district_s), matrix_to_s(inward))
