"""The cell key method and rounding, in pure Python: what every published count goes through.

Why here and why pure: the pipeline publishes counts with these rules (``apply()`` via
``linkage_core.disclosure.cellkey``), and the anonymisation lab in the app shows a room of people the same
rules at work. The lab ships in the reader install (textual, rich, pydantic, cryptography: no numpy), so the
rules live once, here, with nothing heavier than the standard library, and both sides call them. A ptable
or a rounding rule changed here changes the bundles and the lab together.

The method (ABS TableBuilder, ONS census outputs, DWP Stat-Xplore): every person has a fixed random
*record key*; a cell's key is the sum of its members' keys modulo 1; a published perturbation table
(ptable) maps (true count, cell key) to an adjustment. The same people always get the same adjustment, in
every table and every run, so asking again or averaging reveals nothing, while two cells that differ by one
person get unrelated adjustments.

Keys are whole multiples of 2**-32 so that sums are exact integers: the same set of people added up in a
different order must give exactly the same key, or it could land on the other side of a ptable boundary.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass

KEY_BITS = 32
SCALE = 1 << KEY_BITS
#: The shortest record-key secret accepted.
MIN_SECRET_BYTES = 16


def round_to_base(count: int, base: int) -> int:
    """Nearest multiple of ``base``, halves up (so rounding is monotone: a bigger count never shows smaller)."""
    return base * math.floor(count / base + 0.5)


def record_key_units(person_id: object, secret: bytes | str) -> int:
    """A person's fixed record key in units of 2**-32 (divide by ``SCALE`` for [0, 1)).

    A keyed hash (BLAKE2b keyed with a hash of the secret, not a random draw) so a person's key does not
    depend on the order of the extract or on who else is in it: rebuilding the bundle next quarter adjusts
    the same cells in the same way.
    """
    return record_key_hasher(secret)(person_id)


def record_key_hasher(secret: bytes | str):
    """``record_key_units`` with the secret prepared once, for many people."""
    secret_bytes = secret.encode() if isinstance(secret, str) else bytes(secret)
    if len(secret_bytes) < MIN_SECRET_BYTES:
        raise ValueError(f"the record-key secret must be at least {MIN_SECRET_BYTES} bytes")
    key = hashlib.blake2b(secret_bytes, digest_size=32).digest()

    def units(person_id: object) -> int:
        return int.from_bytes(hashlib.blake2b(str(person_id).encode(), key=key, digest_size=4).digest(), "big")

    return units


def cell_key_units(units: Iterable[int]) -> float:
    """The cell key of a set of people from their record keys in units of 2**-32: the sum modulo 1, exact."""
    return (sum(int(u) for u in units) % SCALE) / SCALE


def to_units(key: float) -> int:
    """A key in [0, 1) back to whole units of 2**-32 (exact for keys made here)."""
    return int(round(key * SCALE))


def bound_key(group_key: float, members_key: float) -> float:
    """The key of "the people in a group who had the outcome", tied to the whole group.

    Why not the outcome set's own key: if one person joins a group and the count of people with the
    outcome keeps its exact published value, the attacker learns the newcomer did not have the outcome
    (the same people always get the same adjustment). Adding the group's key means anyone joining or
    leaving the group re-draws both adjustments, whatever their outcome. The same group with the same
    outcome set still gets the same key, so the figures stay consistent across tables.
    """
    total = int(round(group_key * SCALE)) + int(round(members_key * SCALE))
    return (total % SCALE) / SCALE


@dataclass(frozen=True)
class PTable:
    """A published perturbation table: for each true count, adjustments and their chances.

    ``rows[c]`` applies to a true count ``c``. Counts past the end repeat the last ``period`` rows (the
    last row alone, by default). Within a row the cell key picks an adjustment by walking the cumulative
    chances in ascending order, so keys (uniform on [0, 1)) give each adjustment with exactly its chance.
    """

    threshold: int
    rows: tuple[tuple[tuple[int, float], ...], ...]
    period: int = 1

    def row(self, count: int) -> tuple[tuple[int, float], ...]:
        if count < 0:
            raise ValueError("counts cannot be negative")
        if count < len(self.rows):
            return self.rows[count]
        start = len(self.rows) - self.period
        return self.rows[start + (count - start) % self.period]

    def adjustment(self, count: int, key: float) -> int:
        if not 0.0 <= key < 1.0:
            raise ValueError(f"a cell key lies in [0, 1), not {key}")
        cumulative = 0.0
        row = self.row(count)
        for adjust, chance in row:
            cumulative += chance
            if key < cumulative:
                return adjust
        return row[-1][0]  # float rounding in the last cumulative step

    def perturb(self, count: int, key: float) -> int:
        return count + self.adjustment(count, key)

    def problems(self) -> list[str]:
        """Ways this ptable breaks the promises apply() relies on; empty for a sound one."""
        problems = []
        for count in range(len(self.rows) + self.threshold + 3):
            row = self.row(count)
            if abs(sum(p for _, p in row) - 1.0) > 1e-9:
                problems.append(f"row for {count} does not add up to 1")
            for adjust, chance in row:
                result = count + adjust
                if chance > 0 and 0 < result < self.threshold:
                    problems.append(f"{count} can become {result}, under the threshold")
                if chance > 0 and result < 0:
                    problems.append(f"{count} can become negative")
            if count == 0 and row != ((0, 1.0),):
                problems.append("zero is not kept as zero")
        return problems

    def lines(self) -> list[str]:
        """The ptable as it would be published alongside the figures."""
        out = ["true count: adjustment (chance)"]
        repeat = len(self.rows) - self.period
        for count, row in enumerate(self.rows):
            if self.period == 1:
                label = f"{count}+" if count == len(self.rows) - 1 else str(count)
            else:
                label = f"{count}, {count + self.period}, ..." if count >= repeat else str(count)
            out.append(f"{label}: " + ", ".join(f"{a:+d} ({p:.2f})" for a, p in row))
        return out


def default_ptable(threshold: int = 10) -> PTable:
    """An unbiased ptable with adjustments of at most 2, which never turns a count into 1..threshold-1.

    Counts under the threshold go to zero (apply() hides them anyway; this keeps the table sound on its
    own). At the threshold the count is left alone, just above it the downward step is limited, so no
    published count falls under the threshold. Every row has mean adjustment zero, so totals stay unbiased.
    """
    rows: list[tuple[tuple[int, float], ...]] = [((0, 1.0),)]
    rows += [((-c, 1.0),) for c in range(1, threshold)]
    rows.append(((0, 1.0),))
    rows.append(((-1, 0.25), (0, 0.55), (1, 0.15), (2, 0.05)))
    rows.append(((-2, 0.05), (-1, 0.20), (0, 0.50), (1, 0.20), (2, 0.05)))
    return PTable(threshold, tuple(rows))


def random_rounding_ptable(base: int = 5, threshold: int = 10) -> PTable:
    """Rounding to ``base``, up or down as the cell key decides, with chances that keep it unbiased.

    A count of 12 is published as 10 for 60% of keys and 15 for 40%, so on average it is 12. Every
    published count is still a multiple of the base, as plain rounding gives. Unlike plain rounding,
    one person more or fewer never moves the published count in a way that gives the person away: 12 and
    13 can each be shown as 10 or as 15. Counts under the threshold go to zero (they are hidden anyway).
    """
    rows: list[tuple[tuple[int, float], ...]] = [((0, 1.0),)]
    rows += [((-c, 1.0),) for c in range(1, threshold)]
    for count in range(threshold, threshold + base):
        r = count % base
        rows.append(((0, 1.0),) if r == 0 else ((-r, (base - r) / base), (base - r, r / base)))
    return PTable(threshold, tuple(rows), period=base)


def ptable_for(rounding_base: int, threshold: int) -> PTable:
    """The ptable a policy uses: random rounding to its base, or small adjustments when it does not round."""
    return random_rounding_ptable(rounding_base, threshold) if rounding_base > 1 else default_ptable(threshold)


def perturb(count: int, key: float, ptable: PTable) -> int:
    """The published form of a true count under the cell key method."""
    return ptable.perturb(int(count), float(key))
