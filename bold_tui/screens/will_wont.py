"""The will / won't panel: BOLD's promises, this app's own, and the open pack's notes (``w`` anywhere).

People trust linked data more once they are told plainly what it will and won't be used for, so this panel
is one key away on every screen, the unlock screen included.
"""

from __future__ import annotations

from importlib import resources

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from bold_tui import glyphs
from bold_tui.widgets.plain import Plain

from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.key_bar import KeyBar
from linkage_core.schema import Pack


def will_wont_text(pack: Pack | None = None) -> str:
    """The panel's Markdown: the shipped text, then the current pack's own notes."""
    text = resources.files("bold_tui").joinpath("texts/will_wont.md").read_text(encoding="utf-8")
    if pack is not None:
        text += f"\n## This pack: {pack.title}\n\n"
        if pack.will:
            text += "It will:\n\n" + "".join(f"- {line}\n" for line in pack.will) + "\n"
        if pack.wont:
            text += "It won't:\n\n" + "".join(f"- {line}\n" for line in pack.wont) + "\n"
    return text


class WillWontScreen(Screen[None]):
    """A panel over the current screen; Escape or w closes it and returns exactly where you were."""

    CSS_PATH = "../styles/panel.tcss"
    AUTO_FOCUS = "#panel-body"

    BINDINGS = [
        Binding("escape", "close", "close"),
        Binding("w", "close", "close", show=False),
    ]

    def __init__(self, pack: Pack | None = None) -> None:
        super().__init__()
        self.pack = pack

    def compose(self) -> ComposeResult:
        with Vertical(id="panel"):
            yield DemoBanner("Will and won't")
            with VerticalScroll(id="panel-body"):
                if glyphs.ascii_mode():  # Markdown's bullets and rules are not ASCII
                    from bold_tui.screens.help import plain_markdown

                    yield Plain(plain_markdown(will_wont_text(self.pack)))
                else:
                    yield Markdown(will_wont_text(self.pack))
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss()
