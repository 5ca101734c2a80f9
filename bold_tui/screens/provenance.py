"""About this data: where the figures came from and how far to trust them (``i``).

People worry that wrong records get joined up; this screen shows which datasets were joined, how well each
linked (overall and by group, where it could be measured), the disclosure rules every figure obeys, and who
signed the bundle.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen

from bold_tui import __version__, glyphs, labels
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.key_bar import KeyBar
from linkage_core.schema import DatasetProvenance, LinkageQuality


def _share(value: float | None) -> str:
    return "[x]" if value is None else f"{value * 100:.1f}%"


def unique_fields(fields: list[str]) -> list[str]:
    """Each field once, in first-seen order: packs list fields in groups ('age, region'), which repeat."""
    seen: dict[str, None] = {}
    for entry in fields:
        for part in entry.split(","):
            part = part.strip()
            if part:
                seen.setdefault(part, None)
    return list(seen)


def _box() -> box.Box:
    return box.ASCII if glyphs.ascii_mode() else box.SIMPLE_HEAD


def datasets_table(datasets: list[DatasetProvenance]) -> Table:
    table = Table(box=_box(), expand=True, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Records from, and what they hold", ratio=1)
    table.add_column("Records", justify="right", no_wrap=True)
    table.add_column("Joined", justify="right", no_wrap=True)
    for d in datasets:
        name = labels.dataset(d.dataset)
        about = Text.assemble((name, "bold"))
        about.append(f"\n{d.description}")
        fields = unique_fields(d.fields)
        if fields:
            about.append(f"\nUsed here: {', '.join(fields)}", style="italic")
        table.add_row(about, Text("[x]" if d.records is None else f"{d.records:,}"),
                      Text(_share(d.linked_share)), end_section=True)
    return table


#: Groups that cannot be measured by definition (records of people outside the cohort have no true match in it).
_UNMEASURABLE = {"Not in the cohort"}


def quality_rows(rows: list[LinkageQuality]) -> list[LinkageQuality]:
    """Rows worth showing: a group with nothing measured, or one that cannot be, says nothing."""
    return [q for q in rows if q.group not in _UNMEASURABLE
            and any(v is not None for v in (q.match_rate, q.precision, q.recall))]


def quality_table(rows: list[LinkageQuality]) -> Table:
    table = Table(box=_box(), expand=True, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Records from", ratio=2)
    table.add_column("Group", ratio=2)
    for name in ("Joined", "Right", "Found"):
        table.add_column(name, justify="right", no_wrap=True)
    last = None
    for q in quality_rows(rows):
        group = "Everyone" if q.group_type == "overall" else (
            f"{labels.breakdown(q.group_type)}: {labels.group(q.group_type, q.group)}")
        name = labels.dataset(q.dataset) if q.dataset != last else ""
        last = q.dataset
        table.add_row(*(Text(cell) for cell in (name, group, _share(q.match_rate), _share(q.precision),
                                                 _share(q.recall))))
    return table


class ProvenanceScreen(Screen[None]):
    CSS_PATH = "../styles/panel.tcss"
    AUTO_FOCUS = "#about-body"

    BINDINGS = [Binding("escape", "app.pop_screen", "back")]

    def compose(self) -> ComposeResult:
        bundle = self.app.bundle  # type: ignore[attr-defined]
        m = bundle.manifest
        yield DemoBanner("About this data")
        with VerticalScroll(id="about-body"):
            yield Plain(Text(m.title, style="bold"))
            signer = bundle.publisher
            yield Plain(
                f"Published by {signer.label}, key {signer.key_id}. The signature was checked when the bundle "
                "was opened, and it matches: nothing has changed since it was signed.")
            yield Plain(f"Period covered: {m.period.start:%d %B %Y} to {m.period.end:%d %B %Y}. "
                         f"Made on {m.created:%d %B %Y} by BOLD Insights {m.software_version}; "
                         f"this app is version {__version__}. Bundle file: {bundle.path.name}.")
            if m.synthetic and not any("synthetic" in note.lower() for note in m.notes):
                yield Plain(Text("Synthetic demo data: no real person is in it.", style="bold"))
            for note in m.notes:
                yield Plain(f"Note: {note}")
            comparisons = labels.comparisons_line(m)
            if comparisons:
                yield Plain(comparisons, id="about-comparisons")
            for line in labels.not_computed_lines(m):
                yield Plain(Text(f"Not in this bundle: {line}", style="bold"), classes="not-computed")
            yield Plain(Text("Disclosure rules every figure obeys", style="bold"), classes="heading")
            yield Plain("\n".join(f"{glyphs.g().bullet} {line}" for line in m.policy.plain_words()))
            yield Plain(Text("Datasets joined", style="bold"), classes="heading")
            yield Plain(datasets_table(bundle.datasets()))
            quality = bundle.linkage_quality()
            yield Plain(Text("How well the records linked", style="bold"), classes="heading")
            yield Plain(
                "Joined: share of records joined to someone. Right (precision): of the joins made, how many "
                "were right. Found (recall): of the joins that should have been made, how many were. "
                "[x] means not measured. A group that links less well is under-counted in the findings.")
            yield Plain(quality_table(quality) if quality else "No linkage measures in this bundle.")
        yield KeyBar()
