"""Text shown exactly as written. Figures use GSS symbols like [c] and [x], which markup would swallow."""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


class Plain(Static):
    """A Static that never reads its text as markup: data and symbols appear as they are."""

    def __init__(self, content: VisualType = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(content, markup=False, id=id, classes=classes)
