"""Help (``?``): the keys of the screen you came from, read from its live bindings, then the full reference.

The first part cannot go out of date: it lists what the keys do on that screen right now (a key that needs
an unlocked bundle is left out while locked). The reference below it is ``texts/help.md``, edited as text
and shown as plain lines (no Markdown widget, whose bullets and rules are not ASCII).
"""

from __future__ import annotations

from importlib import resources

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen

from bold_tui import glyphs
from bold_tui.widgets.demo_banner import DemoBanner
from bold_tui.widgets.plain import Plain
from bold_tui.widgets.key_bar import KeyBar

#: Screen class names as a person would call them.
PLACES = {
    "HomeScreen": "the findings list", "FindingScreen": "a finding", "AnswerScreen": "the answer screen",
    "UnlockScreen": "the unlock screen", "ProvenanceScreen": "About this data", "GlossaryScreen": "the glossary",
    "CompareScreen": "comparing two findings", "LabScreen": "the anonymisation lab",
    "WillWontScreen": "what BOLD will and won't do",
}


def help_text() -> str:
    text = resources.files("bold_tui").joinpath("texts/help.md").read_text(encoding="utf-8")
    try:
        from bold_tui.locations import settings_file

        text += f"\nSettings file: `{settings_file()}`\n"
    except Exception:
        pass
    return text


def plain_markdown(markdown: str) -> Text:
    """help.md as plain lines: headings bold, table rows as 'key  what it does', no Markdown glyphs."""
    out = Text()
    for raw in markdown.splitlines():
        line = glyphs.plain(raw.rstrip())
        if line.startswith("#"):
            out.append(line.lstrip("# ") + "\n", style="bold underline")
        elif line.lstrip().startswith("- "):
            out.append(line.replace("- ", f"{glyphs.g().bullet} ", 1).replace("`", "").replace("**", "") + "\n")
        elif line.startswith("|"):
            cells = [c.strip().replace("`", "") for c in line.strip("|").split("|")]
            if set("".join(cells)) <= set("-: ") or cells[:2] == ["Key", "What it does"]:
                continue
            out.append(f"  {cells[0]:<26}", style="bold")
            out.append(" ".join(cells[1:]) + "\n")
        else:
            out.append(line.replace("`", "").replace("**", "") + "\n")
    return out


def bindings_table(screen: Screen) -> Table:
    """The keys that work on ``screen`` now, from its bindings and the app's, one row each."""
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    seen: set[tuple[str, str]] = set()
    table.add_row(glyphs.plain("↑ ↓, PgUp PgDn"), "move; Tab moves between parts of the screen")
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or not binding.description or binding.action in {"help", "close"}:
            continue
        if active.node is not screen and active.node is not screen.app:
            continue
        if any(word in binding.action for word in ("focus", "copy", "quit")) and binding.key != "q":
            continue  # Textual's own: Tab, copying, Ctrl+Q (q is listed)  # a widget's own keys (scrolling, copying) are in the reference below
        label = (binding.key_display or screen.app.get_key_display(binding)).strip()
        entry = binding.tooltip or binding.description
        if (label, entry) in seen:
            continue
        seen.add((label, entry))
        table.add_row(glyphs.plain(label), glyphs.plain(entry))
    return table


class HelpScreen(Screen[None]):
    CSS_PATH = "../styles/panel.tcss"
    AUTO_FOCUS = "#panel-body"

    BINDINGS = [
        Binding("escape", "close", "close"),
        Binding("question_mark", "close", "close", show=False, key_display="?"),
    ]

    def __init__(self, under: Screen | None = None) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="panel"):
            yield DemoBanner("Help")
            with VerticalScroll(id="panel-body"):
                if self.under is not None:
                    place = PLACES.get(type(self.under).__name__, "this screen")
                    yield Plain(Text(f"Keys on {place}, now", style="bold underline"), id="help-keys-title")
                    yield Plain(bindings_table(self.under), id="help-keys")
                    yield Plain("")
                yield Plain(plain_markdown(help_text()), id="help-reference")
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss()
