"""The anonymisation lab: switch protections on and off and watch a differencing attack work, or fail.

For trainers. Two small tables from made-up people are published under the protections chosen with keys
1 to 4, and the attack that takes one table from the other runs a step at a time, in plain words. Switching
a protection re-publishes the tables and re-runs the attack at the same step, so the room sees at once what
that protection changes. The tables and the attack come from ``linkage_core.disclosure.lab``, the words from
``bold_tui.lab_story``; this screen only shows them.
It never touches a bundle, so it works before unlocking and from ``bold lab``.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from bold_tui import glyphs, lab_story
from bold_tui.lab_story import Story
from bold_tui.widgets.key_bar import KeyBar
from linkage_core.disclosure import lab

#: Width of each column in the lab's tables: town, people, did course, in work.
_WIDTHS = (9, 6, 10, 7)
SYNTHETIC_MARKER = "Synthetic data only: made-up people"


class LabBanner(Widget):
    """The top line: where you are, and always that the people are made up, in words (not colour)."""

    DEFAULT_CSS = """
    LabBanner { height: 1; width: 1fr; }
    """

    def render(self) -> Text:
        width = self.size.width or 80
        left = Text(" BOLD Insights", style="bold")
        left.append(f" {glyphs.g().sep} Anonymisation lab")
        for marker in (f" {SYNTHETIC_MARKER} ", " Synthetic data only ", " Synthetic "):
            if left.cell_len + len(marker) + 1 <= width:
                break
        else:
            left = Text("")
        gap = max(1, width - left.cell_len - len(marker))
        return left + Text(" " * gap) + Text(marker, style="reverse bold")


def switches_text(protections: lab.Protections) -> Text:
    """One line per protection: its key, its name, ON or OFF in words, and what it does (or why it can't)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for number, info in enumerate(lab_story.PROTECTIONS, start=1):
        on = getattr(protections, info.name)
        if number > 1:
            text.append("\n")
        text.append(f"{number} ", style="bold")
        text.append(f"{info.title:<21}")
        text.append(" ON  " if on else " OFF ", style="reverse bold" if on else "")
        note = lab_story.protection_note(protections, info.name)
        does = lab_story.protection_does(protections, info.name)
        text.append(f"  {'does nothing: ' + note if note else does}", style="italic" if note else "")
    return text


def table_text(table: lab.Table, reads: tuple[lab.Entry, ...] = ()) -> Text:
    """A published table as fixed-width lines; rows the current step reads are marked with ▶ and bold."""
    text = Text(table.title, style="bold underline")
    header = ["Town", *(lab.MEASURE_HEADINGS[m] for m in lab.MEASURES)]
    text.append("\n  " + " ".join(h.ljust(w) if i == 0 else h.rjust(w)
                                  for i, (h, w) in enumerate(zip(header, _WIDTHS))), style="bold")
    for row in table.rows:
        read = (table.id, row.label) in reads
        cells = [row.label.ljust(_WIDTHS[0])] + [row.cell(m).rjust(w) for m, w in zip(lab.MEASURES, _WIDTHS[1:])]
        text.append("\n" + (f"{glyphs.g().arrow} " if read else "  ") + " ".join(cells), style="bold" if read else "")
    return text


def narration_text(story: Story, index: int) -> Text:
    """The current step: where we are, what happens, and at the ends what to press next."""
    step = story.steps[index]
    last = index == len(story.steps) - 1
    text = Text(f"Step {index + 1} of {len(story.steps)} {glyphs.g().sep} {step.title}", style="bold")
    text.append("\n" + step.text)
    if index == 0:
        text.append("\nPress space for the next step, or 1 to 4 to switch a protection.", style="italic")
    elif last:
        text.append(f"\n{story.summary}", style="bold")
        text.append("\nSwitch a protection with 1 to 4 and see what changes, or r to start again.",
                    style="italic")
    return text


class LabScreen(Screen[None]):
    """Holds the protections and the step shown; everything else is recomputed from them (it is instant)."""

    CSS_PATH = "../styles/lab.tcss"
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("1", "toggle('threshold')", "protections", key_display="1-4"),
        Binding("2", "toggle('rounding')", "rounding", show=False),
        Binding("3", "toggle('secondary')", "secondary suppression", show=False),
        Binding("4", "toggle('cell_key')", "cell key", show=False),
        Binding("a", "all", "all on/off", show=False),
        Binding("space", "next", "next step"),
        Binding("n", "next", "next step", show=False),
        Binding("right", "next", "next step", show=False),
        Binding("b", "previous", "step back", show=False),
        Binding("left", "previous", "step back", show=False),
        Binding("r", "restart", "restart"),
        Binding("escape", "back", "back"),
    ]

    def __init__(self, protections: lab.Protections | None = None) -> None:
        super().__init__()
        self.protections = protections or lab.Protections()
        self.story = lab_story.tell(lab.attack(self.protections))
        self.step = 0

    def compose(self) -> ComposeResult:
        yield LabBanner()
        yield Static(id="lab-switches", markup=False)
        with Horizontal(id="lab-tables"):
            yield Static(id="lab-table-1", classes="lab-table", markup=False)
            yield Static(id="lab-table-2", classes="lab-table", markup=False)
        yield Static(id="lab-key", markup=False)
        yield Static(id="lab-narration", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        reads = self.story.steps[self.step].reads
        self.query_one("#lab-switches", Static).update(switches_text(self.protections))
        for number, table in enumerate(self.story.result.tables, start=1):
            self.query_one(f"#lab-table-{number}", Static).update(table_text(table, reads))
        hidden = any(t.hidden_rows for t in self.story.result.tables)
        self.query_one("#lab-key", Static).update(
            Text("[c] hidden to protect the people it would describe." if hidden else "", style="italic"))
        self.query_one("#lab-narration", Static).update(narration_text(self.story, self.step))

    def _publish(self, protections: lab.Protections) -> None:
        """Publish again and re-run the attack, staying at the same step so the change shows at once."""
        self.protections = protections
        self.story = lab_story.tell(lab.attack(protections))
        self.step = min(self.step, len(self.story.steps) - 1)
        self._show()

    # -- actions --------------------------------------------------------------------------------------------
    def action_toggle(self, name: str) -> None:
        self._publish(self.protections.toggled(name))  # type: ignore[arg-type]

    def action_all(self) -> None:
        everything = lab.Protections.all_on()
        self._publish(lab.Protections() if self.protections == everything else everything)

    def action_next(self) -> None:
        if self.step < len(self.story.steps) - 1:
            self.step += 1
            self._show()

    def action_previous(self) -> None:
        if self.step > 0:
            self.step -= 1
            self._show()

    def action_restart(self) -> None:
        self.step = 0
        self._show()

    def action_back(self) -> None:
        # Opened by ``bold lab`` the lab is the only screen; popping would leave a blank one.
        if len(self.app.screen_stack) > 2:
            self.dismiss()
        else:
            self.notify("The lab is the only screen here. Press q to quit.", timeout=3)
