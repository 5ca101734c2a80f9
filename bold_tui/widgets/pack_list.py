"""The home screen's list: each pack's title and question, with its findings under it.

Pack headings are disabled options, so the cursor moves from finding to finding and Enter always opens
one; the question stays in view above the findings it frames.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from linkage_core.schema import Finding, Pack

PACK_PREFIX = "pack:"


def _heading(pack: Pack, count: int) -> Text:
    text = Text()
    text.append(pack.title, style="bold underline")
    text.append(f"  ({count} finding{'s' if count != 1 else ''})")
    text.append(f"\n{pack.question}", style="italic")
    return text


def _hanging(marker: str, text: str | Text) -> RenderableType:
    """A marker with the text indented beside it, so a wrapped title stays visibly under its pack."""
    grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
    grid.add_column(width=len(marker) + 1, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(marker, text)
    return grid


class PackList(OptionList):
    """Options are findings (id = finding id) under disabled pack headings (id = ``pack:<id>``)."""

    def __init__(self, packs: Sequence[tuple[Pack, Sequence[Finding]]], *, id: str | None = None) -> None:
        options: list[Option | None] = []
        for index, (pack, findings) in enumerate(packs):
            if index:
                options.append(None)
            options.append(Option(_heading(pack, len(findings)), id=f"{PACK_PREFIX}{pack.id}", disabled=True))
            if not findings:
                options.append(Option(_hanging("", Text("No findings in this pack yet.", style="italic")),
                                      disabled=True))
            for finding in findings:
                options.append(Option(_hanging("  ›", finding.title), id=finding.id))
        super().__init__(*options, id=id)
