"""Export a finding to a file (``e`` on a finding): pick a format, check the path, press Enter.

It says plainly that this writes figures to disk, because everything else in the app keeps them in memory.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Select

from bold_tui.export import FORMATS, default_folder, write_export
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.demo_banner import DemoBanner
from linkage_core.schema import Finding


class ExportScreen(ModalScreen[Path | None]):
    CSS_PATH = "../styles/panel.tcss"
    AUTO_FOCUS = "#export-path"

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, finding: Finding) -> None:
        super().__init__()
        self.finding = finding
        self.fmt = "md"

    def compose(self) -> ComposeResult:
        with Vertical(id="export-panel"):
            yield DemoBanner("Export")
            yield Plain(f"Export: {self.finding.title}", id="export-title")
            yield Plain("This writes the figures to a file on this computer. They are aggregate figures only, "
                         "with a source line saying where they came from.", id="export-warning")
            yield Plain("Format (Enter on the box to choose):")
            yield Select([(label, fmt) for fmt, label in FORMATS.items()], value=self.fmt, allow_blank=False,
                         id="export-format")
            yield Plain("Save as (Enter to save, Tab to the format, Esc to cancel):")
            yield Input(str(default_folder() / f"{self.finding.id}.{self.fmt}"), id="export-path")
            yield Plain("", id="export-status")
        yield Footer(show_command_palette=False, compact=True)

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        self.fmt = str(event.value) if event.value in FORMATS else "md"
        box = self.query_one("#export-path", Input)
        box.value = str(Path(box.value).with_suffix(f".{self.fmt}"))

    @on(Input.Submitted, "#export-path")
    def _save(self, event: Input.Submitted) -> None:
        bundle = self.app.bundle  # type: ignore[attr-defined]
        if bundle is None or not event.value.strip():
            return
        try:
            path = write_export(bundle, self.finding, Path(event.value.strip()), self.fmt)
        except OSError as error:
            status = self.query_one("#export-status", Plain)
            status.update(f"Could not write that file ({error.strerror or 'error'}). Choose another place.")
            status.add_class("error")
            return
        self.app.notify(f"Saved {path}", timeout=6)
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
