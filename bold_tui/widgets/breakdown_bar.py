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
        """'Figures by: Age (3 of 6). b next: Sex. B back: Course level.' Names in full, never cut mid-word."""
        text = Text.assemble(("Figures by: ", "bold"))
        text.append(breakdown(current), style="reverse bold")
        if len(self.breakdowns) > 1 and current in self.breakdowns:
            at = self.breakdowns.index(current)
            following = self.breakdowns[(at + 1) % len(self.breakdowns)]
            before = self.breakdowns[(at - 1) % len(self.breakdowns)]
            text.append(f" ({at + 1} of {len(self.breakdowns)}). ")
            text.append(f"b next: {breakdown(following)}. B back: {breakdown(before)}.", style="italic")
        self.update(text)
