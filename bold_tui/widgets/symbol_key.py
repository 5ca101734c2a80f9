"""The key under a table: what each shorthand in it means, listed only for the symbols actually shown."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from bold_tui import render
from linkage_core.schema import Estimate, SuppressionReason

_GENERIC = {
    "[c]": "[c] confidential: hidden to protect the people it would describe.",
    "[x]": f"[x] {SuppressionReason.NOT_AVAILABLE.plain}.",
    "[z]": f"[z] {SuppressionReason.NOT_APPLICABLE.plain}.",
}


def symbol_lines(estimates: Sequence[Estimate], with_comparison: bool = True) -> list[str]:
    """One line per symbol on screen; a hidden cell's own reason wins over the generic wording."""
    shown: set[str] = set()
    for e in estimates:
        cells = [render.figure(e, "treated"), render.count(e.treated_n, e.suppressed, e.symbol)]
        if with_comparison:
            cells += [render.figure(e, "comparison"), render.difference(e),
                      render.count(e.comparison_n, e.suppressed, e.symbol)]
        shown |= {s for s in _GENERIC if any(c.startswith(s) for c in cells)}
    lines = render.symbols_note(estimates)
    covered = {line[:3] for line in lines}
    lines += [_GENERIC[s] for s in ("[c]", "[x]", "[z]") if s in shown and s not in covered]
    return sorted(lines)


class SymbolKey(Static):
    """Empty (and hidden) when nothing in the table is hidden."""

    DEFAULT_CSS = """
    SymbolKey { height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)

    def show(self, estimates: Sequence[Estimate], with_comparison: bool = True) -> None:
        lines = symbol_lines(estimates, with_comparison)
        self.display = bool(lines)
        self.update(Text("\n".join(lines)))
