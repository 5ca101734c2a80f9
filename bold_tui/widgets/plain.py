"""Text shown exactly as written. Figures use GSS symbols like [c] and [x], which markup would swallow."""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static

from bold_tui import glyphs


class Plain(Static):
    """A Static that never reads its text as markup: data and symbols appear as they are.

    In ASCII mode (``glyphs``) its text has the app's Unicode glyphs and punctuation swapped for ASCII, so a
    screen built from Plain widgets draws on a legacy console whoever wrote its words.
    """

    def __init__(self, content: VisualType = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(glyphs.plain_text(content), markup=False, id=id, classes=classes)  # type: ignore[arg-type]

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(glyphs.plain_text(content), layout=layout)  # type: ignore[arg-type]
