"""The screen's keys on the bottom line, drawn as one line of text.

Why not Textual's ``Footer``: it is a container with one widget per key and recomposes itself, every key
mounted and styled again, each time a screen's bindings change (a screen opening, focus moving). On a large
bundle that was about a third of the time between Enter and a painted finding. A probation officer reads the
line, so one widget that redraws its text does the same job; a click on a key still presses it.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from bold_tui import glyphs


class KeyBar(Widget):
    """Shows each shown binding once (the first key for an action), dimmed when the action is unavailable."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        text-wrap: nowrap;
        text-overflow: clip;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--disabled {
        text-style: dim;
    }
    """

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # columns each key's label covers, for a click

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        disabled_style = self.get_component_rich_style("key-bar--disabled", partial=True)
        text, spans, actions = Text(no_wrap=True, overflow="crop"), [], set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            start = text.cell_len
            label = Text.assemble((self.app.get_key_display(binding), key_style),
                                  (f" {glyphs.plain(binding.description)}" if binding.description else "",
                                   description_style))
            if not enabled:
                label.stylize(disabled_style)
            text.append_text(label)
            spans.append((start, text.cell_len, binding.key))
            text.append(" ")
        self._spans = spans
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
