"""Export (``e`` on a finding): choose what (this finding or its whole pack) and a format, check the path,
press Enter.

It says plainly that this writes figures to disk, because everything else in the app keeps them in memory,
and that a file already there is never replaced.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from bold_tui import labels
from bold_tui.export import FORMATS, default_folder, write_document
from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.key_bar import KeyBar
from linkage_core.schema import Finding

SCOPES = {"finding": "This finding", "pack": "Every finding in its pack"}


class ExportScreen(ModalScreen[Path | None]):
    CSS_PATH = "../styles/panel.tcss"
    AUTO_FOCUS = "#export-format"

    BINDINGS = [
        Binding("escape", "cancel", "cancel"),
        Binding("ctrl+s", "save", "save", priority=True),
    ]

    def __init__(self, finding: Finding) -> None:
        super().__init__()
        self.finding = finding
        self.fmt = "html"
        self.scope = "finding"

    def compose(self) -> ComposeResult:
        with Vertical(id="export-panel"):
            yield DemoBanner("Export")
            yield Plain(f"Export: {labels.plain(self.finding.title)}", id="export-title")
            yield Plain("This writes figures to a file on this computer: aggregate figures only, with where they "
                        "came from. A file already there is never replaced.", id="export-warning")
            yield Plain("What and how (Up/Down, Enter to choose):")
            options = [Option(f"{label}: {SCOPES['finding'].lower()}", id=f"finding:{fmt}")
                       for fmt, label in FORMATS.items()]
            options += [Option(f"{label}: {SCOPES['pack'].lower()}", id=f"pack:{fmt}")
                        for fmt in ("html", "csv") for label in [FORMATS[fmt]]]
            yield OptionList(*options, id="export-format")
            yield Plain("Save as (Enter or Ctrl+S to save, Esc to cancel):")
            yield Input(self._default_path(), id="export-path")
            yield Plain("", id="export-status")
        yield KeyBar()

    def _default_path(self) -> str:
        stem = self.finding.id if self.scope == "finding" else self.finding.pack_id
        return str(default_folder() / f"{stem.replace(':', '-')}.{self.fmt}")

    @on(OptionList.OptionSelected, "#export-format")
    def _format_chosen(self, event: OptionList.OptionSelected) -> None:
        scope, _, fmt = (event.option.id or "finding:html").partition(":")
        self.scope, self.fmt = scope, fmt if fmt in FORMATS else "html"
        box = self.query_one("#export-path", Input)
        box.value = self._default_path()
        box.focus()

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        bundle = self.app.bundle  # type: ignore[attr-defined]
        value = self.query_one("#export-path", Input).value.strip()
        if bundle is None or not value:
            return
        status = self.query_one("#export-status", Plain)
        try:
            if self.scope == "pack":
                path = write_document(bundle, Path(value), self.fmt, pack_id=self.finding.pack_id)
            else:
                path = write_document(bundle, Path(value), self.fmt, finding=self.finding)
        except OSError as error:
            status.update(f"Could not write that file ({error.strerror or 'error'}). Choose another place.")
            status.add_class("error")
            return
        extra = " and its notes (.csv-metadata.json)" if self.fmt == "csv" else ""
        self.app.notify(f"Saved {path}{extra}", timeout=6)
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
