"""Which breakdown the figures show, and which others the finding has (``b`` / ``B`` to move)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from bold_tui.labels import breakdown


class BreakdownBar(Static):
    """The current breakdown is shown in reverse video and named in words, never by colour alone."""

    DEFAULT_CSS = """
    BreakdownBar { height: auto; }
    """

    def __init__(self, breakdowns: Sequence[str], current: str, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.breakdowns = list(breakdowns)
        self.show(current)

    def show(self, current: str) -> None:
        text = Text.assemble(("Figures by: ", "bold"))
        text.append(breakdown(current))
        if len(self.breakdowns) > 1:
            text.append("    (b next, B back)  ", style="italic")
            for code in self.breakdowns:
                label = f" {breakdown(code)} "
                text.append(label, style="reverse bold" if code == current else "")
        self.update(text)
