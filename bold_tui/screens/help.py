"""Help: every key, from a Markdown file shipped with the app (``texts/help.md``), so it is edited as text."""

from __future__ import annotations

from importlib import resources

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown

from bold_tui.widgets.demo_banner import DemoBanner


def help_text() -> str:
    text = resources.files("bold_tui").joinpath("texts/help.md").read_text(encoding="utf-8")
    try:
        from bold_tui.locations import settings_file

        text += f"\nSettings file: `{settings_file()}`\n"
    except Exception:
        pass
    return text


class HelpScreen(Screen[None]):
    CSS_PATH = "../styles/panel.tcss"
    AUTO_FOCUS = "#panel-body"

    BINDINGS = [
        Binding("escape", "close", "close"),
        Binding("question_mark", "close", "close", show=False, key_display="?"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="panel"):
            yield DemoBanner("Help")
            with VerticalScroll(id="panel-body"):
                yield Markdown(help_text())
        yield Footer(show_command_palette=False, compact=True)

    def action_close(self) -> None:
        self.dismiss()
