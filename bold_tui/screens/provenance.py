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
from textual.widgets import Footer

from bold_tui import __version__
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.demo_banner import DemoBanner
from linkage_core.schema import DatasetProvenance, LinkageQuality


def _share(value: float | None) -> str:
    return "[x]" if value is None else f"{value * 100:.1f}%"


def datasets_table(datasets: list[DatasetProvenance]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Dataset", ratio=2, overflow="fold")
    table.add_column("From, and what it holds", ratio=5)
    table.add_column("Records", justify="right")
    table.add_column("Linked", justify="right")
    for d in datasets:
        about = Text.assemble((d.organisation, "bold"))
        about.append(f"\n{d.description}")
        if d.fields:
            about.append(f"\nFields: {', '.join(d.fields)}", style="italic")
        table.add_row(Text(d.dataset), about, Text("[x]" if d.records is None else f"{d.records:,}"),
                      Text(_share(d.linked_share)), end_section=True)
    return table


def quality_table(rows: list[LinkageQuality]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False, pad_edge=False, header_style="bold")
    for name, justify in (("Dataset", "left"), ("Group", "left"), ("Matched", "right"), ("Precision", "right"),
                          ("Recall", "right")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for q in rows:
        group = "All" if q.group_type == "overall" else f"{q.group_type.replace('_', ' ')}: {q.group}"
        table.add_row(*(Text(cell) for cell in (q.dataset, group, _share(q.match_rate), _share(q.precision),
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
            yield Plain(Text("Disclosure rules every figure obeys", style="bold"), classes="heading")
            yield Plain("\n".join(f"• {line}" for line in m.policy.plain_words()))
            yield Plain(Text("Datasets joined", style="bold"), classes="heading")
            yield Plain(datasets_table(bundle.datasets()))
            quality = bundle.linkage_quality()
            yield Plain(Text("How well the records linked", style="bold"), classes="heading")
            yield Plain(
                "Matched: share of records joined to someone. Precision: of the joins made, how many were right. "
                "Recall: of the joins that should have been made, how many were. [x] means not measured. "
                "A group that links less well is under-counted in the findings.")
            yield Plain(quality_table(quality) if quality else "No linkage measures in this bundle.")
        yield Footer(show_command_palette=False, compact=True)
