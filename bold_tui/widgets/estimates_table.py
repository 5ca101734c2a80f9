"""The figures of one finding for one breakdown, three lines a group: each side, then the difference.

Three lines a group (rather than one wide row) keep every number, interval and group size readable at 80
columns without sideways scrolling. Hidden cells show the statistical service's shorthand ([c], [x], [z]),
which the symbol key under the table explains; significance is the word "yes" or "no", never a colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from bold_tui import render
from bold_tui.labels import yes_no
from linkage_core.schema import Estimate, Finding


def difference_short(e: Estimate) -> str:
    """The difference with its interval, units said once: '-14.2 pts (-18.0 to -10.4)' fits 80 columns."""
    if e.suppressed or e.difference is None or e.kind != "proportion" or e.difference_low is None:
        return render.difference(e)
    return f"{render.points(e.difference)} ({e.difference_low * 100:+.1f} to {e.difference_high * 100:+.1f})"


def _people(e: Estimate, side: str) -> str:
    return render.count(getattr(e, f"{side}_n"), e.suppressed)


def estimates_renderable(finding: Finding, estimates: Sequence[Estimate]) -> RenderableType:
    """A Rich table, reused by the compare screen and by tests that read the figures as text."""
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False, padding=(0, 1),
                  header_style="bold")
    table.add_column("Group", ratio=1, overflow="fold")
    table.add_column("Who", ratio=2, overflow="fold")
    table.add_column("People", justify="right")
    table.add_column("Rate (95% interval)" if _all_proportions(estimates) else "Figure (95% interval)")
    has_comparison = finding.comparison_label is not None
    if has_comparison:
        table.add_column("Sig.", no_wrap=True)
    if not estimates:
        table.add_row(Text(""), Text("No figures for this breakdown.", style="italic"))
        return table
    for index, e in enumerate(estimates):
        end = index == len(estimates) - 1
        treated = [e.group, finding.treated_label, _people(e, "treated"), render.figure(e, "treated")]
        if not has_comparison:
            table.add_row(*map(Text, treated), end_section=end)
            continue
        table.add_row(*map(Text, treated), Text(""))
        table.add_row(Text(""), Text(finding.comparison_label), Text(_people(e, "comparison")),
                      Text(render.figure(e, "comparison")), Text(""))
        table.add_row(Text(""), Text("Difference", style="italic"), Text(""), Text(difference_short(e)),
                      Text(yes_no(e.significant) if not e.suppressed else ""), end_section=True)
    return table


def _all_proportions(estimates: Sequence[Estimate]) -> bool:
    return all(e.kind == "proportion" for e in estimates if not e.suppressed)


class EstimatesTable(Static):
    """Shows one breakdown; the finding screen swaps the rows when the breakdown changes."""

    DEFAULT_CSS = """
    EstimatesTable { height: auto; }
    """

    def __init__(self, finding: Finding, estimates: Sequence[Estimate], *, id: str | None = None) -> None:
        super().__init__(estimates_renderable(finding, estimates), id=id)
        self.finding = finding

    def show(self, estimates: Sequence[Estimate]) -> None:
        self.update(estimates_renderable(self.finding, estimates))
