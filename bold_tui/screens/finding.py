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

from bold_tui import glyphs, labels, render
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.breakdown_bar import BreakdownBar
from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.estimates_table import EstimatesTable
from bold_tui.widgets.forest_plot import ForestPlot
from bold_tui.widgets.note_list import NoteList
from bold_tui.widgets.symbol_key import SymbolKey
from bold_tui.widgets.key_bar import KeyBar
from linkage_core.schema import Finding


def attrition_text(finding: Finding) -> Text:
    text = Text.assemble(("People at each step: ", "bold"))
    text.append(f" {glyphs.g().then} ".join(f"{s.label} {render.count(s.count)}" for s in finding.attrition))
    return text


def method_text(finding: Finding) -> Text:
    """The method in plain words first; the technical wording after, for an analyst checking it."""
    text = Text.assemble(("Method: ", "bold"))
    plain = labels.method_lines(finding.method)
    if plain:
        text.append(" ".join(plain))
        text.append(f"\nTechnical: {finding.method}. (g: glossary)", style="italic")
    else:
        text.append(finding.method)
    return text


def can_say(finding: Finding, breakdown: str, estimates) -> list[str]:
    """What you can say about the figures on screen: the finding's own sentences for everyone, and one
    sentence per group, from that group's figures, for a breakdown."""
    if breakdown == "overall":
        return [labels.plain(line) for line in finding.can_say]
    return render.group_sentences(finding, estimates)


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
            yield Plain(Text(labels.plain(f.title), style="bold"), id="finding-title")
            yield Plain(labels.plain(f.headline), id="finding-headline")
            yield BreakdownBar(self.breakdowns, self.breakdown, id="breakdowns")
            yield EstimatesTable(f, estimates, id="estimates")
            key = SymbolKey(id="symbols")
            key.show(estimates, f.comparison_label is not None)
            yield key
            yield NoteList("About these rows", labels.estimate_notes(estimates), id="row-notes", classes="notes")
            if f.comparison_label is not None:
                yield ForestPlot(estimates, id="forest", unit=self._unit_words(estimates))
            g = glyphs.g()
            yield NoteList(self._can_say_title(), can_say(f, self.breakdown, estimates), marker=g.yes,
                           id="can-say", classes="notes")
            yield NoteList("What you cannot say", [labels.plain(x) for x in f.cannot_say], marker=g.no,
                           id="cannot-say", classes="notes")
            yield NoteList("Caveats", [labels.plain(x) for x in f.caveats], marker="!", id="caveats",
                           classes="notes")
            if f.balance_ok is not None:
                yield Plain(labels.balance_sentence(f.balance_ok), id="balance")
            if f.attrition:
                yield Plain(attrition_text(f), id="attrition")
            yield Plain(method_text(f), id="method")
        yield KeyBar()

    def _unit_words(self, estimates) -> str:
        kind = next((e.kind for e in estimates if not e.suppressed), "proportion")
        unit = labels.difference_unit(self.finding, kind)
        return "percentage points" if unit == "points" else (unit or "the figure's own unit")

    def _can_say_title(self) -> str:
        if self.breakdown == "overall":
            return "What you can say"
        return f"What you can say, by {labels.breakdown(self.breakdown).lower()}"

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
        self.query_one("#row-notes", NoteList).show("About these rows", labels.estimate_notes(estimates))
        for plot in self.query(ForestPlot):
            plot.unit = self._unit_words(estimates)
            plot.show(estimates)
        self.query_one("#can-say", NoteList).show(self._can_say_title(),
                                                  can_say(self.finding, self.breakdown, estimates))

    def action_export(self) -> None:
        from bold_tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.finding))

    def action_pin(self) -> None:
        self.app.toggle_pin(self.finding.id)  # type: ignore[attr-defined]
