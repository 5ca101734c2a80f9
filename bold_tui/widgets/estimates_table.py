"""The figures of one finding for one breakdown, three lines a group: each side, then the difference.

Three lines a group (rather than one wide row) keep every number, interval and group size readable at 80
columns without sideways scrolling. Hidden cells show the statistical service's shorthand ([c], [x], [z]),
which the symbol key under the table explains; the verdict is the word "clear" or "not clear", never a colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from bold_tui import render
from bold_tui import glyphs, labels
from linkage_core.schema import Estimate, Finding


def difference_short(e: Estimate, finding: Finding | None = None) -> str:
    """The difference with its interval, unit said once: '-14.2 points (-18.0 to -10.4)' fits 80 columns."""
    return render.difference(e, finding)


def _people(e: Estimate, side: str) -> str:
    return render.count(getattr(e, f"{side}_n"), e.suppressed, e.symbol)


def estimates_renderable(finding: Finding, estimates: Sequence[Estimate]) -> RenderableType:
    """A Rich table, reused by the compare screen and by tests that read the figures as text.

    A breakdown's group is named once, on a line of its own above its rows, so a long group name never
    squeezes the figures or breaks mid-word; the overall figures need no group line at all.
    """
    table = Table(box=box.ASCII if glyphs.ascii_mode() else box.SIMPLE_HEAD, expand=True, show_edge=False,
                  pad_edge=False, padding=(0, 1), header_style="bold")
    units = {labels.unit(finding, e.kind, e) for e in estimates if not e.suppressed}
    unit = units.pop() if len(units) == 1 else ""  # a finding holding a rate and an average of days says neither
    figure_head = "Rate (95% interval)" if _all_proportions(estimates) else (
        f"Figure in {unit} (95% interval)" if unit and unit != "%" else "Figure (95% interval)")
    table.add_column("Who", ratio=1, min_width=12)
    table.add_column("People", justify="right", no_wrap=True)
    table.add_column(figure_head, ratio=1, min_width=22)
    has_comparison = finding.comparison_label is not None
    if not estimates:
        table.add_row(Text("No figures for this breakdown.", style="italic"))
        return table
    treated_label = labels.plain(finding.treated_label)
    for index, e in enumerate(estimates):
        end = index == len(estimates) - 1
        if e.breakdown != "overall" or len(estimates) > 1:
            table.add_row(Text(labels.group(e.breakdown, e.group), style="bold underline"))
        treated = [treated_label, _people(e, "treated"), render.figure(e, "treated", finding)]
        if not has_comparison:
            table.add_row(*map(Text, treated), end_section=end)
            continue
        table.add_row(*map(Text, treated))
        table.add_row(Text(labels.plain(finding.comparison_label or "")), Text(_people(e, "comparison")),
                      Text(render.figure(e, "comparison", finding)))
        gap = Text(difference_short(e, finding))
        verdict = labels.clear_word(labels.is_clear(e)) if not e.suppressed else ""
        if verdict:
            gap.append(f", {verdict}", style="bold" if labels.is_clear(e) else "italic")
        table.add_row(Text("Difference", style="italic"), Text(""), gap, end_section=True)
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
