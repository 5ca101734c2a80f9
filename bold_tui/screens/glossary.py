"""The glossary (``g``): the plain meaning of each word the findings use, shipped inside the bundle."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen

from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.key_bar import KeyBar


def glossary_entries(from_bundle: list) -> list:
    """The bundle's entries, then any term this app knows that an older bundle lacks (method terms), A to Z."""
    from linkage_core.glossary import glossary

    known = {e.term.lower() for e in from_bundle}
    merged = list(from_bundle) + [e for e in glossary() if e.term.lower() not in known]
    return sorted(merged, key=lambda e: e.term.lower())


class GlossaryScreen(Screen[None]):
    CSS_PATH = "../styles/panel.tcss"
    AUTO_FOCUS = "#glossary-body"

    BINDINGS = [Binding("escape", "app.pop_screen", "back")]

    def compose(self) -> ComposeResult:
        entries = glossary_entries(self.app.bundle.glossary())  # type: ignore[attr-defined]
        yield DemoBanner("Glossary")
        with VerticalScroll(id="glossary-body"):
            if not entries:
                yield Plain("This bundle has no glossary.")
            for entry in entries:
                text = Text.assemble((entry.term, "bold"))
                text.append(f"\n{entry.definition}")
                yield Plain(text, classes="entry")
        yield KeyBar()
