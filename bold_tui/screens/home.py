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
from textual.widgets import Footer, OptionList

from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.pack_list import MORE_PREFIX, PACK_PREFIX, PackList
from linkage_core.schema import Finding


class HomeScreen(Screen[None]):
    """Reads the packs, their counts and one page of findings when shown; the list is the whole navigation."""

    CSS_PATH = "../styles/home.tcss"
    AUTO_FOCUS = "#packs"

    BINDINGS = [
        Binding("enter", "open", "open", show=True),
        Binding("p", "pin", "pin", show=False),
        Binding("i", "app.provenance", "about data"),
        Binding("l", "app.lab", "lab"),
    ]

    def compose(self) -> ComposeResult:
        bundle = self.app.bundle  # type: ignore[attr-defined]
        packs = bundle.packs()
        self._packs = {pack.id: pack for pack in packs}
        yield DemoBanner("Findings")
        yield Plain(Text(bundle.manifest.title, style="bold"), id="home-title")
        yield PackList([(pack, bundle.count_findings(pack.id)) for pack in packs], self._page, id="packs")
        yield Plain("", id="home-detail")
        yield Footer(show_command_palette=False, compact=True)

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
        finding = self.query_one(PackList).findings.get(option_id)
        detail = self.query_one("#home-detail", Plain)
        if finding is None:
            detail.update("")
            return
        self.app.current_pack = self._packs.get(finding.pack_id)  # type: ignore[attr-defined]
        text = Text(finding.headline)
        text.append("\nEnter to open · p to pin for comparing", style="italic")
        detail.update(text)

    @on(OptionList.OptionSelected, "#packs")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith(MORE_PREFIX):
            self.query_one(PackList).show_more(option_id.removeprefix(MORE_PREFIX))
        elif option_id and not option_id.startswith(PACK_PREFIX):
            self.app.open_finding(option_id)  # type: ignore[attr-defined]

    def _highlighted_id(self) -> str | None:
        option = self.query_one(PackList).highlighted_option
        if option is None or option.disabled or not option.id:
            return None
        if option.id.startswith((PACK_PREFIX, MORE_PREFIX)):
            return None
        return option.id

    def action_open(self) -> None:
        finding_id = self._highlighted_id()
        if finding_id:
            self.app.open_finding(finding_id)  # type: ignore[attr-defined]

    def action_pin(self) -> None:
        finding_id = self._highlighted_id()
        if finding_id:
            self.app.toggle_pin(finding_id)  # type: ignore[attr-defined]
