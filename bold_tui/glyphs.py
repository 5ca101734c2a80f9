"""Every non-ASCII glyph the app draws, with an ASCII stand-in for consoles that cannot show it.

A legacy Windows console (code page 437 or 850) shows "✓" as "?" and a forest plot as a row of question
marks. So screens never write a glyph literally: they ask ``glyphs.g()`` for the current set. The ASCII set is
chosen by ``BOLD_ASCII=1`` (``BOLD_ASCII=0`` forces the Unicode set), or automatically when the console's
encoding cannot encode the Unicode glyphs. ``use_ascii_in_textual()`` also swaps Textual's own borders and
scroll bars, which are drawn with box and block characters, so nothing on screen falls outside ASCII.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Glyphs:
    """One name per meaning, so the ASCII set can pick a stand-in that keeps the meaning."""

    yes: str = "✓"  # can say; a clear difference
    no: str = "✗"  # cannot say
    unclear: str = "○"  # a difference that is not clear
    arrow: str = "▶"  # the row the cursor is on; a pointer
    dot: str = "●"  # an estimate on a plot
    left: str = "├"  # an interval's left end
    right: str = "┤"  # an interval's right end
    line: str = "─"  # an interval's body
    axis: str = "│"  # the line of no difference
    cross: str = "┼"  # an interval crossing no difference
    sep: str = "·"  # a separator between short items
    bullet: str = "•"
    item: str = "›"  # a finding under its pack
    pin: str = "◆"  # a pinned finding
    ellipsis: str = "…"
    then: str = "→"  # one step then the next
    up: str = "↑"
    down: str = "↓"
    back: str = "←"
    forward: str = "→"
    locked: str = "■"
    to: str = "–"  # a range


UNICODE = Glyphs()
ASCII = Glyphs(yes="+", no="x", unclear="o", arrow=">", dot="o", left="|", right="|", line="-", axis=":",
               cross="+", sep="-", bullet="*", item=">", pin="*", ellipsis="...", then="->", up="Up",
               down="Down", back="Left", forward="Right", locked="#", to="-")

_current: Glyphs | None = None


def console_can_draw(encoding: str | None) -> bool:
    """Whether text in ``encoding`` can hold every Unicode glyph (a missing encoding is treated as UTF-8)."""
    sample = "".join(getattr(UNICODE, f.name) for f in fields(UNICODE))
    try:
        sample.encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def want_ascii() -> bool:
    """``BOLD_ASCII`` decides when set; otherwise the console's own encoding does."""
    setting = os.environ.get("BOLD_ASCII", "").strip().lower()
    if setting in {"1", "yes", "true", "on"}:
        return True
    if setting in {"0", "no", "false", "off"}:
        return False
    stream = sys.__stdout__
    return not console_can_draw(getattr(stream, "encoding", None) if stream is not None else None)


def g() -> Glyphs:
    """The glyph set in use, decided once per process (tests call ``set_ascii``)."""
    global _current
    if _current is None:
        _current = ASCII if want_ascii() else UNICODE
    return _current


def ascii_mode() -> bool:
    return g() is ASCII


def set_ascii(on: bool) -> None:
    global _current
    _current = ASCII if on else UNICODE


def plain(text: str) -> str:
    """Text from a bundle or a text file with any Unicode glyph swapped for its stand-in in ASCII mode.

    Letters outside ASCII (a name with an accent) are left for the console's own replacement: only the
    glyphs and punctuation the app itself uses are mapped.
    """
    if not ascii_mode():
        return text
    for unicode_glyph, ascii_glyph in _PUNCTUATION.items():
        text = text.replace(unicode_glyph, ascii_glyph)
    return text


def plain_text(text: object) -> object:
    """``plain`` for a str or a Rich ``Text`` (styles kept, run by run); anything else is returned as it is."""
    if not ascii_mode():
        return text
    if isinstance(text, str):
        return plain(text)
    from rich.text import Text

    if not isinstance(text, Text) or text.plain.isascii():
        return text
    cuts = sorted({0, len(text.plain), *(s.start for s in text.spans), *(s.end for s in text.spans)})
    out = Text(style=text.style, justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap,
               end=text.end, tab_size=text.tab_size)
    for start, end in zip(cuts, cuts[1:]):
        at = len(out.plain)
        out.append(plain(text.plain[start:end]))
        for span in text.spans:
            if span.start <= start and end <= span.end:
                out.stylize(span.style, at, len(out.plain))
    return out


_PUNCTUATION = {
    **{getattr(UNICODE, f.name): getattr(ASCII, f.name) for f in fields(UNICODE)},
    "—": "-", "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "×": "x", "£": "GBP ", "≤": "<=",
    "≥": ">=", "±": "+/-", "…": "...", "·": "-", "\u00a0": " ",
}


def use_ascii_in_textual() -> None:
    """Make Textual draw its borders and scroll bars from ASCII too. Called once, before the app runs.

    Textual keeps its border characters and scroll bar blocks in module-level tables; in ASCII mode every
    border style is drawn with the ``ascii`` style's characters and scroll bar thumbs are drawn whole.
    """
    from textual import _border
    from textual.scrollbar import ScrollBarRender

    ascii_chars = _border.BORDER_CHARS["ascii"]
    for name in list(_border.BORDER_CHARS):
        if name not in {"", "none", "hidden", "blank"}:
            _border.BORDER_CHARS[name] = ascii_chars  # type: ignore[index]
    from textual.command import SearchIcon

    SearchIcon.render = lambda self: ">"  # type: ignore[method-assign]  # the palette's magnifying glass
    ScrollBarRender.VERTICAL_BARS = [" "] * len(ScrollBarRender.VERTICAL_BARS)
    ScrollBarRender.HORIZONTAL_BARS = [" "] * len(ScrollBarRender.HORIZONTAL_BARS)
