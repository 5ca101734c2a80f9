"""``bold evaluate``: does each published comparison row recover the truth planted in a synthetic world?

This is the judge that keeps the packs honest. It reads the world's per-person truth
(``_truth/potential.parquet``, which no pipeline step may read) and scores every published comparison row
of a bundle, breakdown rows included: the truth of a row is the realised effect on the treated people of
that row's group (mean of Y1 - Y0 over them), in the units of the row's ``difference``.

Nothing here names a pack. A finding says what it compares through its id, ``<pack>.<treatment>.<outcome>``
(or ``treatment`` / ``outcome`` attributes when a finding carries them), and the world's truth table uses the
same treatment and outcome names; a row whose treatment, outcome, breakdown or group the world does not
know is simply not scored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from linkage_core.errors import UsageError

#: How a row with no recorded group is labelled by the packs.
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Scored:
    """One published comparison row beside its truth."""

    id: str
    pack_id: str
    finding_id: str
    breakdown: str
    group: str
    truth: float
    null: bool
    planted: float             # mean planted effect over the row's treated people (its sign is the truth's)
    naive: float | None        # unadjusted treated-minus-untreated difference in the same population
    difference: float | None
    low: float | None
    high: float | None
    significant: bool | None
    treated_n: int | None
    truth_treated: int         # treated people of the row's group in the world

    @property
    def published(self) -> bool:
        return self.low is not None and self.high is not None and self.difference is not None

    @property
    def covered(self) -> bool:
        return self.published and self.low <= self.truth <= self.high

    @property
    def clear(self) -> bool:
        return bool(self.published and self.significant)

    @property
    def wrong_sign(self) -> bool:
        """Called clear, an effect was planted, and the published gap points the other way."""
        return self.clear and not self.null and self.planted * self.difference < 0

    def as_json(self) -> dict:
        return {"id": self.id, "truth": round(self.truth, 6), "null": self.null}


class Truth:
    """The world's per-person truth, indexed by (treatment, outcome)."""

    def __init__(self, world: Path) -> None:
        path = Path(world) / "_truth" / "potential.parquet"
        if not path.exists():
            raise UsageError(f"{world} has no _truth/potential.parquet, so there is nothing to compare with "
                             "(worlds written before this version: write it again with bold synth).")
        table = pd.read_parquet(path)
        for column in table.columns:   # labels are stored as dictionaries: plain text, nulls kept
            if isinstance(table[column].dtype, pd.CategoricalDtype):
                table[column] = table[column].astype(object)
        self._by = {key: rows.reset_index(drop=True) for key, rows in table.groupby(["treatment", "outcome"])}

    def knows(self, treatment: str, outcome: str) -> bool:
        return (treatment, outcome) in self._by

    def row(self, treatment: str, outcome: str, breakdown: str, group: str) -> dict | None:
        """Truth, nullness and the naive gap for the treated people of one group (None if unknown)."""
        rows = self._by.get((treatment, outcome))
        if rows is None:
            return None
        if breakdown == "overall":
            keep = np.ones(len(rows), bool)
        elif breakdown in rows.columns:
            labels = rows[breakdown].fillna(NOT_RECORDED).astype(str).to_numpy()
            keep = labels == group
        else:
            return None
        treated = rows.treated.to_numpy(bool) & keep
        if not treated.any():
            return None
        untreated = rows.eligible.to_numpy(bool) & ~rows.treated.to_numpy(bool) & keep
        y0, y1, planted = rows.y0.to_numpy(float), rows.y1.to_numpy(float), rows.planted.to_numpy(float)
        observed = np.where(treated, y1, y0)
        naive = float(observed[treated].mean() - observed[untreated].mean()) if untreated.any() else None
        return {"truth": float((y1[treated] - y0[treated]).mean()), "null": bool(np.all(planted[treated] == 0)),
                "planted": float(planted[treated].mean()), "naive": naive, "treated": int(treated.sum())}


def comparison_of(finding) -> tuple[str, str] | None:
    """(treatment, outcome) a finding compares, from its own declaration or its id."""
    treatment, outcome = getattr(finding, "treatment", None), getattr(finding, "outcome", None)
    if treatment and outcome:
        return str(treatment), str(outcome)
    parts = finding.id.split(".")
    return (parts[1], parts[2]) if len(parts) == 3 else None


def _scale(estimate) -> float:
    """Truth is held in the packs' units (shares as fractions); a share published in points is scaled."""
    unit = str(getattr(estimate, "unit", "") or "").lower()
    return 100.0 if estimate.kind == "proportion" and "point" in unit else 1.0


def score(world: Path, bundle) -> list[Scored]:
    """Every published comparison row of ``bundle`` whose truth ``world`` knows, with that truth."""
    truth = Truth(world)
    out = []
    for finding in bundle.findings():
        pair = comparison_of(finding)
        if pair is None or not truth.knows(*pair):
            continue
        for e in bundle.estimates(finding.id):
            if e.suppressed or e.comparison_n is None or e.difference is None:
                continue
            known = truth.row(*pair, e.breakdown, str(e.group))
            if known is None:
                continue
            scale = _scale(e)
            out.append(Scored(
                e.id, finding.pack_id, finding.id, e.breakdown, str(e.group), known["truth"] * scale,
                known["null"], known["planted"] * scale,
                None if known["naive"] is None else known["naive"] * scale, e.difference, e.difference_low,
                e.difference_high, e.significant, e.treated_n, known["treated"]))
    return out


@dataclass(frozen=True)
class PackSummary:
    pack_id: str
    rows: int
    covered: int
    mean_bias: float
    mean_abs_bias: float
    naive_abs_bias: float
    nulls: int
    clear_nulls: int
    clear_wrong_sign: int


def summarise(rows: list[Scored]) -> list[PackSummary]:
    by = defaultdict(list)
    for r in rows:
        by[r.pack_id].append(r)
    out = []
    for pack_id, rs in sorted(by.items()):
        bias = [r.difference - r.truth for r in rs]
        naive = [abs(r.naive - r.truth) for r in rs if r.naive is not None]
        out.append(PackSummary(
            pack_id, len(rs), sum(r.covered for r in rs), float(np.mean(bias)), float(np.mean(np.abs(bias))),
            float(np.mean(naive)) if naive else math.nan, sum(r.null for r in rs),
            sum(r.null and r.clear for r in rs), sum(r.wrong_sign for r in rs)))
    return out


def as_json(rows: list[Scored]) -> dict:
    return {"estimates": [r.as_json() for r in rows]}


def evaluate(world: Path, bundle) -> list[str]:
    """The text report: per pack, then the rows whose interval missed; the last line is ``coverage: K/N``."""
    rows = score(world, bundle)
    lines = [f"{'pack':<16} {'rows':>5} {'covered':>8} {'bias':>8} {'|bias|':>8} {'naive |bias|':>13} "
             f"{'clear nulls':>12} {'wrong sign':>11}"]
    for s in summarise(rows):
        lines.append(f"{s.pack_id:<16} {s.rows:>5} {s.covered:>4} {s.covered / s.rows:>3.0%} "
                     f"{s.mean_bias:>+8.3f} {s.mean_abs_bias:>8.3f} {s.naive_abs_bias:>13.3f} "
                     f"{s.clear_nulls:>5}/{s.nulls:<6} {s.clear_wrong_sign:>11}")
    missed = [r for r in rows if not r.covered]
    if missed:
        lines.append("")
        lines.append("Rows whose 95% interval missed the truth:")
        for r in missed:
            lines.append(f"  {r.finding_id} [{r.breakdown}={r.group}] truth {r.truth:+.3f}, "
                         f"interval {r.low:+.3f} to {r.high:+.3f}{' (null)' if r.null else ''}")
    lines.append(f"coverage: {sum(r.covered for r in rows)}/{len(rows)}")
    return lines
