"""Home: every pack's question in plain words, its findings beneath, and the highlighted one's headline.

Only the packs' counts and one page of findings are read when home opens (the list reads further pages as
the cursor moves on), so the first paint costs the same for a bundle of fifty findings or of 100,000.

The headline pane under the list lets a person skim findings with the arrow keys before opening one; the
pack of the highlighted finding becomes the "current pack" whose own will/won't notes the ``w`` panel adds.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList

from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.status_line import StatusLine
from bold_tui import glyphs, labels
from bold_tui.widgets.pack_list import ANSWER_PREFIX, MORE_PREFIX, PACK_PREFIX, PackList
from bold_tui.widgets.key_bar import KeyBar
from linkage_core.schema import Finding


class HomeScreen(Screen[None]):
    """Reads the packs, their counts and one page of findings when shown; the list is the whole navigation."""

    CSS_PATH = "../styles/home.tcss"
    AUTO_FOCUS = "#packs"

    BINDINGS = [
        Binding("enter", "open", "open", show=True, priority=True),
        Binding("a", "answer", "answer", tooltip="answer: every course or service in a pack against one outcome"),
        Binding("p", "pin", "pin", tooltip="pin the finding (at most two), to compare them with c"),
        Binding("right_square_bracket", "jump(1)", "next pack", key_display="]",
                tooltip="jump to the next pack's heading"),
        Binding("left_square_bracket", "jump(-1)", "previous pack", key_display="[", show=False,
                tooltip="jump to the previous pack's heading"),
        Binding("i", "app.provenance", "about data", show=False,
                tooltip="about this data: datasets joined, how well they linked, disclosure rules"),
        Binding("l", "app.lab", "lab", show=False,
                tooltip="the anonymisation lab: see the protections stop a differencing attack"),
    ]

    def compose(self) -> ComposeResult:
        bundle = self.app.bundle  # type: ignore[attr-defined]
        packs = bundle.packs()
        self._packs = {pack.id: pack for pack in packs}
        yield DemoBanner("Findings")
        yield StatusLine(id="home-title")
        answerable = bundle.packs_with_comparisons()
        yield PackList([(pack, bundle.count_findings(pack.id)) for pack in packs], self._page, id="packs",
                       answerable=answerable, pins=self.app.pins)  # type: ignore[attr-defined]
        yield Plain("", id="home-detail")
        yield KeyBar()

    def _page(self, pack_id: str, offset: int, limit: int) -> list[Finding]:
        """Pages are read through the app's bundle at the time, never a reference kept here."""
        return self.app.bundle.findings(pack_id, limit=limit, offset=offset)  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        packs = self.query_one(PackList)
        for index in range(packs.option_count):
            if not packs.get_option_at_index(index).disabled:
                packs.highlighted = index
                break

    @on(OptionList.OptionHighlighted, "#packs")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option.id or ""
        if option_id.startswith(MORE_PREFIX):
            self.query_one(PackList).show_more(option_id.removeprefix(MORE_PREFIX))
            return
        detail = self.query_one("#home-detail", Plain)
        if option_id.startswith(ANSWER_PREFIX):
            pack = self._packs.get(option_id.removeprefix(ANSWER_PREFIX))
            self.app.current_pack = pack  # type: ignore[attr-defined]
            if pack is not None:
                text = Text(labels.plain(pack.question), style="bold")
                text.append("\nEnter: every service or course here against one outcome, side by side.",
                            style="italic")
                detail.update(text)
            return
        finding = self.query_one(PackList).findings.get(option_id)
        if finding is None:
            detail.update("")
            return
        self.app.current_pack = self._packs.get(finding.pack_id)  # type: ignore[attr-defined]
        text = Text(labels.plain(finding.headline))
        pinned = " (pinned: p again to unpin)" if finding.id in self.app.pins else ""  # type: ignore[attr-defined]
        text.append(f"\nEnter to open {glyphs.g().sep} p to pin for comparing{pinned}", style="italic")
        detail.update(text)

    @on(OptionList.OptionSelected, "#packs")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith(MORE_PREFIX):
            self.query_one(PackList).show_more(option_id.removeprefix(MORE_PREFIX))
        elif option_id.startswith(ANSWER_PREFIX):
            self.app.action_answer(option_id.removeprefix(ANSWER_PREFIX))  # type: ignore[attr-defined]
        elif option_id and not option_id.startswith(PACK_PREFIX):
            self.app.open_finding(option_id)  # type: ignore[attr-defined]

    def _highlighted_id(self) -> str | None:
        option = self.query_one(PackList).highlighted_option
        if option is None or option.disabled or not option.id:
            return None
        if option.id.startswith((PACK_PREFIX, MORE_PREFIX, ANSWER_PREFIX)):
            return None
        return option.id

    def action_answer(self) -> None:
        option = self.query_one(PackList).highlighted_option
        pack_id = None
        if option is not None and option.id and option.id.startswith(ANSWER_PREFIX):
            pack_id = option.id.removeprefix(ANSWER_PREFIX)
        self.app.action_answer(pack_id)  # type: ignore[attr-defined]

    def action_jump(self, step: int) -> None:
        self.query_one(PackList).jump_pack(step)

    def on_screen_resume(self) -> None:
        """Back from a finding: show any pin made there."""
        self.query_one(PackList).mark_pins(self.app.pins)  # type: ignore[attr-defined]
        self.query_one(StatusLine).refresh(layout=True)

    def action_open(self) -> None:
        option = self.query_one(PackList).highlighted_option
        if option is not None and option.id and option.id.startswith(MORE_PREFIX):
            self.query_one(PackList).show_more(option.id.removeprefix(MORE_PREFIX))
            return
        if option is not None and option.id and option.id.startswith(ANSWER_PREFIX):
            self.app.action_answer(option.id.removeprefix(ANSWER_PREFIX))  # type: ignore[attr-defined]
            return
        finding_id = self._highlighted_id()
        if finding_id:
            self.app.open_finding(finding_id)  # type: ignore[attr-defined]

    def action_pin(self) -> None:
        finding_id = self._highlighted_id()
        if finding_id:
            self.app.toggle_pin(finding_id)  # type: ignore[attr-defined]
            self.query_one(PackList).mark_pins(self.app.pins)  # type: ignore[attr-defined]
