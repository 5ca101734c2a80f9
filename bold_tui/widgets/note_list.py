"""A titled list of short statements: what you can say, what you cannot say, the caveats."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static


class NoteList(Static):
    """Hidden when there is nothing to list, so an empty heading never implies a missing caveat."""

    DEFAULT_CSS = """
    NoteList { height: auto; }
    """

    def __init__(self, title: str, items: Sequence[str], *, marker: str = "•", id: str | None = None,
                 classes: str | None = None) -> None:
        text = Text.assemble((title, "bold"))
        for item in items:
            text.append(f"\n {marker} ")
            text.append(item)
        super().__init__(text, id=id, classes=classes)
        self.display = bool(items)
