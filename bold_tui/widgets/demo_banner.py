"""The top line of every screen: where you are, and (for the demo) that no real person is in the data.

The demo marker is words in reverse video, not a colour, so it survives NO_COLOR and high contrast, and it
is on modal panels too: a screenshot of any screen carries it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from bold_tui import glyphs


class DemoBanner(Widget):
    """A one-line title bar; shows the synthetic-data marker whenever the app runs on the demo bundle."""

    DEFAULT_CSS = """
    DemoBanner { height: 1; width: 1fr; }
    """

    def __init__(self, place: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.place = place

    @property
    def demo(self) -> bool:
        return bool(getattr(self.app, "demo", False))

    def render(self) -> Text:
        width = self.size.width or 80
        left = Text.assemble((" BOLD Insights", "bold"))
        if self.place:
            left.append(glyphs.plain(f" {glyphs.g().sep} {self.place}"))
        if not self.demo:
            return left
        for marker in (" SYNTHETIC DEMO DATA: no real person is in it ", " SYNTHETIC DEMO DATA ", " DEMO "):
            if left.cell_len + len(marker) + 1 <= width or marker == " DEMO ":
                break
        if left.cell_len + len(marker) > width:
            left = Text("")
        gap = max(1, width - left.cell_len - len(marker))
        return left + Text(" " * gap) + Text(marker, style="reverse bold")
