"""A pack's answer: every service or course lined up against one outcome, from the findings' overall figures.

A pack's comparison findings each set one group (people who took a maths course) against similar people who
did not, on one outcome (the finding's ``measure``). Grouping them by outcome gives the pack's answer to its
own question: for "in work a year after release", each course's difference with its 95% interval, side by
side. Only the overall figure of each finding is used: a breakdown belongs on the finding's own screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bold_tui import labels

if TYPE_CHECKING:
    from linkage_core.bundle.reader import Bundle
    from linkage_core.schema import Estimate, Finding, Pack

#: A pack with more comparison findings than this is answered from its first ones (a screen holds ~30).
MAX_FINDINGS = 2000


@dataclass(frozen=True)
class Row:
    """One comparison: what people took or reached, the overall estimate, and the finding to open."""

    finding: Finding
    estimate: Estimate | None

    @property
    def label(self) -> str:
        return labels.plain(self.finding.treated_label)

    @property
    def sort_key(self) -> tuple[int, float]:
        e = self.estimate
        if e is None or e.suppressed or e.difference is None:
            return (1, 0.0)  # hidden figures go last, still listed so nothing seems missing
        return (0, -e.difference)

    @property
    def people(self) -> int | None:
        e = self.estimate
        if e is None or e.suppressed or e.treated_n is None:
            return None
        return e.treated_n + (e.comparison_n or 0)


@dataclass(frozen=True)
class Outcome:
    """One outcome (a measure) and every comparison on it, largest difference first."""

    measure: str
    rows: tuple[Row, ...]

    @property
    def label(self) -> str:
        return labels.plain(self.measure)

    @property
    def kind(self) -> str:
        for row in self.rows:
            if row.estimate is not None and not row.estimate.suppressed:
                return row.estimate.kind
        return "proportion"

    @property
    def clear_count(self) -> int:
        return sum(1 for r in self.rows if r.estimate is not None and not r.estimate.suppressed
                   and labels.is_clear(r.estimate))


def pack_outcomes(bundle: Bundle, pack: Pack) -> list[Outcome]:
    """The pack's outcomes in the order its findings first name them, each with its comparisons sorted."""
    by_measure: dict[str, list[Row]] = {}
    for finding in bundle.findings(pack.id, limit=MAX_FINDINGS):
        if not finding.comparison_label:
            continue
        overall = bundle.estimates(finding.id, "overall")
        by_measure.setdefault(finding.measure, []).append(Row(finding, overall[0] if overall else None))
    return [Outcome(measure, tuple(sorted(rows, key=lambda r: r.sort_key))) for measure, rows in by_measure.items()]


def answerable(bundle: Bundle) -> list[Pack]:
    """Packs that hold at least one comparison, in the bundle's order: the ones an answer screen can show."""
    packs = []
    for pack in bundle.packs():
        if any(f.comparison_label for f in bundle.findings(pack.id, limit=MAX_FINDINGS)):
            packs.append(pack)
    return packs
