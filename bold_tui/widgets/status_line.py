"""One line saying where the figures came from and the state of the session: bundle, publisher, pins, lock.

A probation officer showing a screen to a colleague can point at it: which bundle, who signed it, what is
pinned, and when the figures will be dropped from memory.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from bold_tui import glyphs


class StatusLine(Widget):
    """Reads the app's bundle and pins each time it draws, so it never holds figures of its own."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; }
    """

    def render(self) -> Text:
        app = self.app
        bundle = getattr(app, "bundle", None)
        sep = f" {glyphs.g().sep} "
        if bundle is None:
            return Text("Locked: no figures in memory.", style="bold")
        pins = len(getattr(app, "pins", []))
        minutes = getattr(getattr(app, "settings", None), "idle_lock_minutes", 0)
        timed = bool(minutes and minutes > 0)
        # Longest first; the first that fits the line is shown, so at 80 columns nothing is cut mid-word.
        for pinned, lock in (
                (f"{pins} pinned" + (" (c to compare)" if pins == 2 else ""),
                 f"locks after {minutes:g} min idle" if timed else "Ctrl+L locks"),
                (f"{pins} pinned" + (" (c compares)" if pins == 2 else ""),
                 f"locks after {minutes:g} min" if timed else "Ctrl+L locks"),
                (f"{pins} pinned", f"lock {minutes:g} min" if timed else "Ctrl+L locks")):
            text = Text(bundle.path.name, style="bold")
            text.append(f"{sep}{bundle.publisher.label}{sep}{pinned}{sep}{lock}")
            if text.cell_len <= max(self.size.width - 2, 0):
                break
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text
