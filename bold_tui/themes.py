"""Themes as data: a high-contrast theme for glare, low vision or a poor projector in a training room.

NO_COLOR needs nothing here: Textual itself turns the whole app monochrome when it is set, which is why
no meaning in this app is carried by colour alone.
"""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

HIGH_CONTRAST = "bold-high-contrast"

_THEMES = [
    Theme(
        name=HIGH_CONTRAST,
        primary="#FFFF00",
        secondary="#00FFFF",
        accent="#FFFF00",
        foreground="#FFFFFF",
        background="#000000",
        surface="#000000",
        panel="#1A1A1A",
        success="#00FF00",
        warning="#FFFF00",
        error="#FF6060",
        boost="#FFFFFF",
        dark=True,
        variables={
            "footer-key-foreground": "#FFFF00",
            "block-cursor-background": "#FFFF00",
            "block-cursor-foreground": "#000000",
            "block-cursor-text-style": "bold",
            "input-selection-background": "#FFFF00 40%",
        },
    ),
]


def register_themes(app: App) -> None:
    for theme in _THEMES:
        app.register_theme(theme)
