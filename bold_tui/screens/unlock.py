"""The unlock screen: a masked passphrase box, and key derivation in a thread so the screen never freezes.

Argon2id is slow on purpose (that is what makes guessing a passphrase expensive), so it runs in a worker
while the screen says "Unlocking…". A wrong passphrase shows one plain sentence and keeps the box ready for
another try. The demo passphrase is printed only for the demo bundle, which holds synthetic data.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from linkage_core.bundle.envelope import Secret
    from linkage_core.bundle.reader import Bundle

UNLOCKING = "Unlocking… (checking the passphrase takes a moment)"
DEMO_NOTE = "This is the demo bundle of synthetic demo data.\nIts passphrase is: {passphrase}"


def _demo_passphrase() -> str:
    from sample_db import DEMO_PASSPHRASE

    return DEMO_PASSPHRASE


class UnlockScreen(Screen[None]):
    """Asks for the passphrase; hands the opened bundle to the app and keeps nothing itself."""

    CSS_PATH = "../styles/unlock.tcss"
    AUTO_FOCUS = "#passphrase"

    BINDINGS = [
        Binding("f2", "app.will_wont", "will/won't"),
        Binding("f1", "app.help", "help"),
        Binding("ctrl+q", "app.quit", "quit"),
        Binding("escape", "leave_box", "leave the box", show=False),
        Binding("enter", "focus_box", "type passphrase", show=False),
    ]

    def __init__(self, path: Path, *, demo: bool = False, secret: Secret | None = None) -> None:
        super().__init__()
        self.path = path
        self.demo = demo
        self._secret = secret
        #: True while the key is derived: the app then ignores every key but Ctrl+Q.
        self.busy = False

    def compose(self) -> ComposeResult:
        yield DemoBanner("Unlock")
        with VerticalScroll(id="unlock-body"):
            with Vertical(id="unlock-box"):
                yield Plain("Unlock the findings", id="unlock-title")
                yield Plain(f"Bundle: {self.path.name}", id="unlock-file")
                if self.demo:
                    yield Plain(DEMO_NOTE.format(passphrase=_demo_passphrase()), id="demo-passphrase")
                yield Plain("Type the passphrase, then press Enter.", id="unlock-prompt")
                yield Input(password=True, placeholder="passphrase", id="passphrase")
                yield Plain("", id="unlock-status")
                yield Plain(
                    "F2 what BOLD will and won't do · F1 help · Ctrl+Q quit\n"
                    "(or press Esc to leave the box, then w, ? or q)",
                    id="unlock-keys",
                )
        yield KeyBar()

    def on_mount(self) -> None:
        if self._secret is not None:
            secret, self._secret = self._secret, None
            self._start(secret)

    # -- unlocking --------------------------------------------------------------------------------------------
    @on(Input.Submitted, "#passphrase")
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self._status("Type the passphrase first.", error=True)
            return
        self._start(event.value)

    def _start(self, secret: Secret) -> None:
        box = self.query_one("#passphrase", Input)
        box.value = ""  # the typed passphrase leaves the widget at once
        box.disabled = True
        self.busy = True
        self._status(UNLOCKING)
        self._open(secret)

    @work(thread=True, exclusive=True, group="unlock", exit_on_error=False)
    def _open(self, secret: Secret) -> Bundle:
        from linkage_core.bundle.reader import open_bundle

        return open_bundle(self.path, secret, self.app.trust)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "unlock":
            return
        if event.state in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            self.busy = False
            event.worker._work = None  # Textual's worker keeps its call (and so the passphrase) otherwise
        if event.state == WorkerState.SUCCESS:
            bundle, event.worker._result = event.worker.result, None
            if bundle is None:
                return
            if not self.is_attached:  # the app is closing: drop what was opened
                bundle.close()
                return
            # Not awaited: switching screens removes this one, which cannot wait on its own removal.
            self.app.call_later(self.app.unlocked, bundle)  # type: ignore[attr-defined]
        elif event.state == WorkerState.ERROR:
            self._failed(event.worker.error)
        elif event.state == WorkerState.CANCELLED:
            self._ready()

    def _failed(self, error: BaseException | None) -> None:
        from linkage_core.errors import BoldError

        if isinstance(error, BoldError):
            message = str(error)
        else:
            message = "The bundle could not be opened. Check the passphrase and try again."
        self._status(message, error=True)
        self._ready()

    def _ready(self) -> None:
        box = self.query_one("#passphrase", Input)
        box.disabled = False
        box.value = ""
        box.focus()

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#unlock-status", Plain)
        status.update(message)
        status.set_class(error, "error")

    # -- moving focus, so single-letter keys work here too ----------------------------------------------------
    def action_leave_box(self) -> None:
        self.set_focus(None)

    def action_focus_box(self) -> None:
        box = self.query_one("#passphrase", Input)
        if not box.disabled:
            box.focus()
