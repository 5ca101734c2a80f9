"""Two pinned findings side by side (``p`` to pin, ``c`` to compare), each with its overall figures.

Comparing findings is how a trainer shows that a course and a service go with different outcomes; both
sides keep their intervals and limits in view so the comparison is not read as stronger than it is.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen

from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.finding_summary import FindingSummary
from bold_tui.widgets.key_bar import KeyBar


class CompareScreen(Screen[None]):
    CSS_PATH = "../styles/panel.tcss"

    BINDINGS = [
        Binding("escape", "app.pop_screen", "back"),
        Binding("left", "side(0)", "left side", show=False),
        Binding("right", "side(1)", "right side", show=False),
    ]

    def __init__(self, first: str, second: str) -> None:
        super().__init__()
        self.ids = (first, second)

    def compose(self) -> ComposeResult:
        bundle = self.app.bundle  # type: ignore[attr-defined]
        yield DemoBanner("Compare")
        yield Plain("Figures for everyone in each finding. Tab or ←/→ to switch side; groups and measures "
                     "differ, so compare with care.", id="compare-note")
        with Horizontal(id="compare-body"):
            for index, finding_id in enumerate(self.ids):
                finding = bundle.finding(finding_id)
                estimates = bundle.estimates(finding_id, "overall") or bundle.estimates(finding_id)
                yield FindingSummary(finding, estimates, id=f"side-{index}")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#side-0").focus()

    def action_side(self, index: int) -> None:
        self.query_one(f"#side-{index}").focus()
