"""A narrow summary of one finding (for comparing two side by side): claim, overall figures, limits."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll

from bold_tui import render
from bold_tui.widgets.plain import Plain
from bold_tui import glyphs, labels
from bold_tui.widgets.forest_plot import ForestPlot
from bold_tui.widgets.symbol_key import symbol_lines
from linkage_core.schema import Estimate, Finding


def overall_lines(finding: Finding, estimates: Sequence[Estimate]) -> Text:
    """Each side on its own line, so a 38-column half screen still shows every number."""
    text = Text()
    for e in estimates:
        text.append(f"{labels.group(e.breakdown, e.group)}\n", style="bold")
        text.append(f"{labels.plain(finding.treated_label)}: {render.figure(e, 'treated', finding)}, "
                    f"{render.count(e.treated_n, e.suppressed, e.symbol)} people\n")
        if finding.comparison_label:
            text.append(f"{labels.plain(finding.comparison_label)}: {render.figure(e, 'comparison', finding)}, "
                        f"{render.count(e.comparison_n, e.suppressed, e.symbol)} people\n")
            verdict = labels.clear_word(labels.is_clear(e)) if not e.suppressed else ""
            text.append(f"Difference: {render.difference(e, finding)}" + (f", {verdict}" if verdict else "") + "\n")
    for line in symbol_lines(estimates, finding.comparison_label is not None):
        text.append(line + "\n", style="italic")
    return text


class FindingSummary(VerticalScroll):
    """Scrolls on its own, so each side of a comparison can be read at its own pace."""

    DEFAULT_CSS = """
    FindingSummary { width: 1fr; height: 1fr; padding: 0 1; }
    FindingSummary > Static { margin: 0 0 1 0; }
    """

    def __init__(self, finding: Finding, estimates: Sequence[Estimate], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.finding = finding
        self.estimates = list(estimates)

    def compose(self) -> ComposeResult:
        f = self.finding
        yield Plain(Text(labels.plain(f.title), style="bold"))
        yield Plain(labels.plain(f.headline))
        yield Plain(overall_lines(f, self.estimates))
        if f.comparison_label:
            yield ForestPlot(self.estimates)
        if f.cannot_say:
            yield Plain(Text.assemble(("What you cannot say\n", "bold"), "\n".join(f"{glyphs.g().no} {labels.plain(s)}" for s in f.cannot_say)))
        if f.caveats:
            yield Plain(Text.assemble(("Caveats\n", "bold"), "\n".join(f"! {s}" for s in f.caveats)))
