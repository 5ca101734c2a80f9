"""The home screen's list: each pack's title and question, with its findings under it, a page at a time.

Pack headings are disabled options, so the cursor moves from finding to finding and Enter always opens
one; the question stays in view above the findings it frames. A bundle may hold 100,000 findings, so each
pack shows its first page, and a "more" row under it: when the cursor reaches that row the next page takes
its place. Packs below the first page of findings start as their "more" row, read when the cursor gets
there, so home reads one page whatever the bundle's size. Rows measure their height from the title's
wrapping alone (the grid that draws them is sixty times slower to measure), so a page costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.css.styles import RulesMap
from textual.visual import RichVisual
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from bold_tui import glyphs, labels
from linkage_core.schema import Finding, Pack

PACK_PREFIX = "pack:"
MORE_PREFIX = "more:"
ANSWER_PREFIX = "answer:"
#: Findings read per pack at a time: a few screens of rows, read in milliseconds from any bundle.
PAGE = 100

#: Reads one page of a pack's findings: (pack id, offset, limit) -> findings in order.
PageLoader = Callable[[str, int, int], Sequence[Finding]]


def _heading(pack: Pack, count: int) -> Text:
    text = Text()
    text.append(pack.title, style="bold underline")
    text.append(f"  ({count:,} finding{'s' if count != 1 else ''})")
    text.append(f"\n{labels.plain(pack.question)}", style="italic")
    return text


def _hanging(marker: str, text: str | Text) -> RenderableType:
    """A marker with the text indented beside it, so a wrapped title stays visibly under its pack."""
    grid = Table.grid(padding=(0, 1, 0, 0), expand=True)
    grid.add_column(width=len(marker) + 1, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(marker, text)
    return grid


class _Row(RichVisual):
    """Draws the hanging grid; its height is the title's line count beside the marker, cached per width."""

    def __init__(self, widget: Widget, marker: str, text: Text) -> None:
        super().__init__(widget, _hanging(marker, text))
        self._owner = widget
        self._text = text
        self._indent = len(marker) + 2  # the marker column and its one cell of padding
        self._heights: dict[int, int] = {}

    def get_height(self, rules: RulesMap, width: int) -> int:
        if width not in self._heights:
            if width <= self._indent + 4:  # too narrow to reason about the grid: let it measure itself
                self._heights[width] = super().get_height(rules, width)
            else:
                lines = self._text.wrap(self._owner.app.console, width - self._indent)
                self._heights[width] = max(1, len(lines))
        return self._heights[width]


@dataclass
class _Section:
    """One pack: how many findings it has, and the ones read so far."""

    pack: Pack
    total: int
    loaded: list[Finding] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return self.total - len(self.loaded)


class PackList(OptionList):
    """Options are findings (id = finding id) under disabled pack headings (id = ``pack:<id>``), and a
    ``more:<pack id>`` row while a pack has findings not yet read."""

    def __init__(self, packs: Sequence[tuple[Pack, int]], load: PageLoader, *, id: str | None = None,
                 answerable: frozenset[str] = frozenset(), pins: Sequence[str] = ()) -> None:
        super().__init__(id=id)
        self._load = load
        self._answerable = answerable
        self._pins = set(pins)
        self._sections = [_Section(pack, total) for pack, total in packs]
        self._rows: dict[str, _Row] = {}
        self.findings: dict[str, Finding] = {}
        for section in self._sections:  # the first screenful is read now, later packs when reached
            if sum(len(s.loaded) for s in self._sections) >= PAGE:
                break
            self._read_page(section)
        self.add_options(self._options_now())

    def _read_page(self, section: _Section) -> None:
        if section.remaining <= 0:
            return
        page = list(self._load(section.pack.id, len(section.loaded), PAGE))
        if not page:  # the count and the rows disagree (a policy-blocked read): stop offering more
            section.total = len(section.loaded)
        section.loaded += page
        self.findings.update((f.id, f) for f in page)

    def _row(self, finding: Finding) -> _Row:
        """Rows are kept, so rebuilding the options after a page measures nothing twice."""
        row = self._rows.get(finding.id)
        if row is None:
            g = glyphs.g()
            marker = f" {g.pin}" if finding.id in self._pins else f"  {g.item}"
            title = Text(labels.plain(finding.title))
            if finding.id in self._pins:
                title.append(" (pinned)", style="italic")
            row = self._rows[finding.id] = _Row(self, marker, title)
        return row

    def mark_pins(self, pins: Sequence[str]) -> None:
        """Redraw the rows whose pin changed: a pinned finding has its own marker and the word "pinned"."""
        changed = self._pins.symmetric_difference(pins)
        self._pins = set(pins)
        for finding_id in changed:
            self._rows.pop(finding_id, None)
            finding = self.findings.get(finding_id)
            if finding is not None:
                try:
                    self.replace_option_prompt(finding_id, self._row(finding))
                except Exception:  # the row is on a page not shown yet: it is drawn marked when read
                    pass

    def jump_pack(self, step: int) -> None:
        """Move the cursor to the first row of the next (or previous) pack, its heading scrolled to the top."""
        starts = [self.get_option_index(f"{PACK_PREFIX}{s.pack.id}") for s in self._sections]
        current = self.highlighted or 0
        here = max((i for i, start in enumerate(starts) if start <= current), default=0)
        target = (here + step) % len(starts)
        heading = starts[target]
        for index in range(heading + 1, self.option_count):
            if not self.get_option_at_index(index).disabled:
                self.highlighted = index
                break
        self.scroll_to(y=self._heading_y(heading), animate=False, immediate=True)

    def _heading_y(self, index: int) -> int:
        """The line a heading starts on, so a jump shows the pack's question at the top of the list."""
        try:
            return self._index_to_line[index]
        except KeyError:
            return 0

    def _options_now(self) -> list[Option | None]:
        options: list[Option | None] = []
        for index, section in enumerate(self._sections):
            if index:  # Textual draws a separator with a box-drawing line: a blank row in ASCII mode
                options.append(Option("", disabled=True) if glyphs.ascii_mode() else None)
            options.append(Option(_heading(section.pack, section.total), id=f"{PACK_PREFIX}{section.pack.id}",
                                  disabled=True))
            if section.pack.id in self._answerable:
                g = glyphs.g()
                options.append(Option(_Row(self, f"  {g.arrow}", Text(
                    "Answer: line up every comparison against an outcome (a)", style="bold")),
                    id=f"{ANSWER_PREFIX}{section.pack.id}"))
            if not section.total:
                options.append(Option(_hanging("", Text("No findings in this pack yet.", style="italic")),
                                      disabled=True))
            options += [Option(self._row(f), id=f.id) for f in section.loaded]
            if section.remaining > 0:
                more = Text(f"{section.remaining:,} more in this pack: keep moving down, or press / to search",
                            style="italic")
                options.append(Option(_Row(self, f"  {glyphs.g().ellipsis}", more), id=f"{MORE_PREFIX}{section.pack.id}"))
        return options

    def show_more(self, pack_id: str) -> None:
        """Read the pack's next page into the place of its "more" row, keeping the cursor and the scroll."""
        section = next((s for s in self._sections if s.pack.id == pack_id), None)
        if section is None or section.remaining <= 0:
            return
        index = self.get_option_index(f"{MORE_PREFIX}{pack_id}")
        scroll_y = self.scroll_y
        self._read_page(section)
        self.set_options(self._options_now())
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.highlighted = index  # the first new finding sits where the "more" row was
