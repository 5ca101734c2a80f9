"""One finding: headline, figures with intervals and group sizes, what it does and does not let you say.

The order on screen follows how a careful reader should meet a finding: the claim, the figures behind it
(with hidden cells explained right under them), the picture, then the limits: what you can say, what you
cannot say, caveats, how many people were left at each step, and the method.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer

from bold_tui import render
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.breakdown_bar import BreakdownBar
from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.estimates_table import EstimatesTable
from bold_tui.widgets.forest_plot import ForestPlot
from bold_tui.widgets.note_list import NoteList
from bold_tui.widgets.symbol_key import SymbolKey
from linkage_core.schema import Finding


def attrition_text(finding: Finding) -> Text:
    text = Text.assemble(("People at each step: ", "bold"))
    text.append(" → ".join(f"{s.label} {render.count(s.count)}" for s in finding.attrition))
    return text


class FindingScreen(Screen[None]):
    """Holds the finding's description; figures are re-read from the app's bundle per breakdown."""

    CSS_PATH = "../styles/finding.tcss"
    AUTO_FOCUS = "#finding-body"

    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("b", "breakdown(1)", "breakdown"),
        Binding("B", "breakdown(-1)", "previous breakdown", show=False),
        Binding("e", "export", "export"),
        Binding("p", "pin", "pin", show=False),
    ]

    def __init__(self, finding: Finding) -> None:
        super().__init__()
        self.finding = finding
        self.breakdowns = self._available_breakdowns()
        self.breakdown = self.breakdowns[0]

    def _available_breakdowns(self) -> list[str]:
        """The finding's declared breakdowns that have figures, in its order; any extra ones after."""
        bundle = self.app.bundle  # type: ignore[attr-defined]
        present = list(dict.fromkeys(e.breakdown for e in bundle.estimates(self.finding.id)))
        ordered = [b for b in self.finding.breakdowns if b in present]
        ordered += [b for b in present if b not in ordered]
        return ordered or list(self.finding.breakdowns) or ["overall"]

    def _estimates(self):
        return self.app.bundle.estimates(self.finding.id, self.breakdown)  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        f = self.finding
        estimates = self._estimates()
        pack = self._pack_title()
        yield DemoBanner(pack or "Finding")
        with VerticalScroll(id="finding-body"):
            yield Plain(Text(f.title, style="bold"), id="finding-title")
            yield Plain(f.headline, id="finding-headline")
            yield BreakdownBar(self.breakdowns, self.breakdown, id="breakdowns")
            yield EstimatesTable(f, estimates, id="estimates")
            key = SymbolKey(id="symbols")
            key.show(estimates, f.comparison_label is not None)
            yield key
            if f.comparison_label is not None:
                yield ForestPlot(estimates, id="forest")
            yield NoteList("What you can say", f.can_say, marker="✓", id="can-say", classes="notes")
            yield NoteList("What you cannot say", f.cannot_say, marker="✗", id="cannot-say", classes="notes")
            yield NoteList("Caveats", f.caveats, marker="!", id="caveats", classes="notes")
            if f.balance_ok is not None:
                yield Plain(
                    "The matched groups were alike on every measure checked." if f.balance_ok else
                    "The matched groups still differed on some measures: read the difference with care.",
                    id="balance")
            if f.attrition:
                yield Plain(attrition_text(f), id="attrition")
            yield Plain(Text.assemble(("Method: ", "bold"), f.method), id="method")
        yield Footer(show_command_palette=False, compact=True)

    def _pack_title(self) -> str:
        pack = getattr(self.app, "current_pack", None)
        if pack is None or pack.id != self.finding.pack_id:
            try:
                pack = self.app.bundle.pack(self.finding.pack_id)  # type: ignore[attr-defined]
            except KeyError:
                return ""
            self.app.current_pack = pack  # type: ignore[attr-defined]
        return pack.title

    # -- actions ----------------------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_breakdown(self, step: int) -> None:
        if len(self.breakdowns) < 2:
            self.notify("This finding has no other breakdowns.", timeout=3)
            return
        index = (self.breakdowns.index(self.breakdown) + step) % len(self.breakdowns)
        self.breakdown = self.breakdowns[index]
        estimates = self._estimates()
        self.query_one(BreakdownBar).show(self.breakdown)
        self.query_one(EstimatesTable).show(estimates)
        self.query_one(SymbolKey).show(estimates, self.finding.comparison_label is not None)
        for plot in self.query(ForestPlot):
            plot.show(estimates)

    def action_export(self) -> None:
        from bold_tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.finding))

    def action_pin(self) -> None:
        self.app.toggle_pin(self.finding.id)  # type: ignore[attr-defined]
