"""The pack's answer (``a``): every service or course against one outcome, as a forest plot across findings.

This is the screen that answers a pack's question. Each row is one comparison finding's overall figure:
what people took or reached, the difference from similar people who did not, its 95% interval, "clear" or
"not clear" in words and a symbol, and how many people it covers. Rows are sorted, largest difference
first. One key picks the outcome (``1``-``9``, or ``o`` for the next one), ``[`` and ``]`` move between
packs, and Enter opens the highlighted finding.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from bold_tui import glyphs, labels, render
from bold_tui.answers import Outcome, answerable, pack_outcomes
from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.forest_plot import plot_lines
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.key_bar import KeyBar
from linkage_core.schema import Pack


def outcome_bar(outcomes: list[Outcome], current: int) -> Text:
    """Every outcome with its key; the chosen one in reverse video and marked with an arrow (not colour)."""
    g = glyphs.g()
    text = Text.assemble(("Outcome: ", "bold"))
    for index, outcome in enumerate(outcomes[:9]):
        chosen = index == current
        text.append(f"{g.arrow if chosen else ' '}{index + 1} {outcome.label} ", style="reverse bold" if chosen else "")
        text.append(" ")
    return text


def summary(outcome: Outcome) -> str:
    shown = [r for r in outcome.rows if r.estimate is not None and not r.estimate.suppressed]
    clear = outcome.clear_count
    if not shown:
        return "Every figure for this outcome is hidden to protect people."
    comparison = _comparison_words(outcome)
    return (f"{clear} of {len(shown)} show a clear difference from {comparison}. "
            "A clear difference does not prove what caused it.")


def _comparison_words(outcome: Outcome) -> str:
    """Whom each row is compared with, in the pack's own words ("similar children" for the children's
    pack), so a sentence about courses never lands on children."""
    labels_seen = {r.finding.comparison_label for r in outcome.rows if r.finding.comparison_label}
    if len(labels_seen) == 1:
        return labels.plain(labels_seen.pop()).lower()
    return "similar people who did not"


class AnswerScreen(Screen[None]):
    """Reads one pack's overall figures when shown or when the pack changes; never keeps the bundle."""

    CSS_PATH = "../styles/answer.tcss"
    AUTO_FOCUS = "#answer-rows"

    BINDINGS = [
        Binding("escape", "back", "back"),
        Binding("enter", "open", "open finding", priority=True),
        Binding("o", "outcome(1)", "next outcome"),
        Binding("O", "outcome(-1)", "previous outcome", show=False),
        Binding("right_square_bracket", "pack(1)", "next pack", key_display="]"),
        Binding("left_square_bracket", "pack(-1)", "previous pack", key_display="[", show=False),
        *[Binding(str(n), f"choose({n - 1})", f"outcome {n}", show=False) for n in range(1, 10)],
    ]

    def __init__(self, pack_id: str | None = None, outcome: int = 0) -> None:
        super().__init__()
        self._start_pack = pack_id
        self.outcome_index = outcome
        self.packs: list[Pack] = []
        self.pack: Pack | None = None
        self.outcomes: list[Outcome] = []

    def compose(self) -> ComposeResult:
        bundle = self.app.bundle  # type: ignore[attr-defined]
        self.packs = answerable(bundle)
        self.pack = next((p for p in self.packs if p.id == self._start_pack), self.packs[0] if self.packs else None)
        self._read()
        yield DemoBanner("Answer", id="answer-banner")
        yield Plain("", id="answer-question")
        yield Plain("", id="answer-outcomes")
        yield Plain("", id="answer-title")
        yield OptionList(id="answer-rows")
        yield Plain("", id="answer-axis")
        yield Plain("", id="answer-summary")
        yield KeyBar()

    def on_mount(self) -> None:
        self._paint()

    def _read(self) -> None:
        bundle = self.app.bundle  # type: ignore[attr-defined]
        self.outcomes = pack_outcomes(bundle, self.pack) if self.pack is not None else []
        self.outcome_index = min(self.outcome_index, max(0, len(self.outcomes) - 1))
        if self.pack is not None:
            self.app.current_pack = self.pack  # type: ignore[attr-defined]

    @property
    def outcome(self) -> Outcome | None:
        return self.outcomes[self.outcome_index] if self.outcomes else None

    def _paint(self) -> None:
        g = glyphs.g()
        rows = self.query_one("#answer-rows", OptionList)
        banner = self.query_one(DemoBanner)
        if self.pack is None or self.outcome is None:
            banner.place = "Answer"
            self.query_one("#answer-question", Plain).update(
                "This bundle has no comparisons to line up: open its findings from the list instead.")
            rows.clear_options()
            return
        banner.place = f"Answer, pack {self.packs.index(self.pack) + 1} of {len(self.packs)}"
        banner.refresh()
        question = Text(f"{self.pack.title}: ", style="bold underline")
        question.append(labels.plain(self.pack.question), style="bold")
        self.query_one("#answer-question", Plain).update(question)
        self.query_one("#answer-outcomes", Plain).update(outcome_bar(self.outcomes, self.outcome_index))
        outcome = self.outcome
        estimates = [r.estimate for r in outcome.rows]
        width = max(40, (rows.size.width or self.app.size.width) - 2)
        people = [render.count(r.people) if r.people is not None else "[c]" for r in outcome.rows]
        drawable = [r for r in outcome.rows if r.estimate is not None]
        unit = labels.difference_unit(outcome.rows[0].finding, outcome.kind)
        unit_words = "percentage points" if unit == "points" else unit
        lines = plot_lines([r.estimate for r in drawable], width, names=[r.label for r in drawable],
                           extra=[people[i] for i, r in enumerate(outcome.rows) if r.estimate is not None],
                           title=f"Difference from {_comparison_words(outcome)}, in {unit_words}, with 95% "
                                 "intervals. Last column: people.", unit=unit_words)
        self.query_one("#answer-title", Plain).update(lines[0])
        highlighted = rows.highlighted or 0
        rows.set_options([Option(line, id=row.finding.id) for line, row in zip(lines[1:], drawable)])
        if rows.option_count:
            rows.highlighted = min(highlighted, rows.option_count - 1)
        self.query_one("#answer-axis", Plain).update(Text("\n").join(lines[1 + len(drawable):]))
        text = summary(outcome)
        whole = labels.comparisons_line(self.app.bundle.manifest)  # type: ignore[attr-defined]
        self.query_one("#answer-summary", Plain).update(text + (f" {whole}" if whole else ""))

    def on_resize(self, event: Resize) -> None:
        """Redraw the plot for a new width; the first size event (the mount's own) needs no second paint."""
        width = event.size.width
        if width != getattr(self, "_painted_width", width):
            self.call_after_refresh(self._paint)
        self._painted_width = width

    # -- actions ----------------------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_choose(self, index: int) -> None:
        if 0 <= index < len(self.outcomes):
            self.outcome_index = index
            self._paint()
        else:
            self.notify(f"This pack has {len(self.outcomes)} outcomes: press 1 to {len(self.outcomes)}.", timeout=3)

    def action_outcome(self, step: int) -> None:
        if self.outcomes:
            self.outcome_index = (self.outcome_index + step) % len(self.outcomes)
            self._paint()

    def action_pack(self, step: int) -> None:
        if len(self.packs) < 2 or self.pack is None:
            self.notify("This is the only pack with comparisons to line up.", timeout=3)
            return
        self.pack = self.packs[(self.packs.index(self.pack) + step) % len(self.packs)]
        self.outcome_index = 0
        self._read()
        self.query_one("#answer-rows", OptionList).highlighted = 0
        self._paint()

    @on(OptionList.OptionSelected, "#answer-rows")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_finding(event.option.id)  # type: ignore[attr-defined]

    def action_open(self) -> None:
        rows = self.query_one("#answer-rows", OptionList)
        option = rows.highlighted_option
        if option is not None and option.id:
            self.app.open_finding(option.id)  # type: ignore[attr-defined]
