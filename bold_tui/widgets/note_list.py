"""A titled list of short statements: what you can say, what you cannot say, the caveats."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from bold_tui import glyphs


class NoteList(Static):
    """Hidden when there is nothing to list, so an empty heading never implies a missing caveat."""

    DEFAULT_CSS = """
    NoteList { height: auto; }
    """

    def __init__(self, title: str, items: Sequence[str], *, marker: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.marker = marker or glyphs.g().bullet
        self.show(title, items)

    def show(self, title: str, items: Sequence[str]) -> None:
        """Each item hangs under its marker, so a wrapped line still reads as one statement."""
        text = Text.assemble((title, "bold"))
        for item in items:
            text.append(f"\n {self.marker} ")
            text.append(item)
        self.update(text)
        self.display = bool(items)
