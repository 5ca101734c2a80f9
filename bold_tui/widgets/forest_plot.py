"""A forest plot drawn with box-drawing characters: each group's difference and its 95% interval.

It answers "which groups differ, and how sure are we?" at a glance. Everything is in the shapes and the
words (a dot, a bracketed line, a vertical line at no difference), so it reads the same with NO_COLOR, in
high contrast, and in a screenshot.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from linkage_core.schema import Estimate

_LEGEND = "● difference  ├─┤ 95% interval  │ no difference. An interval that crosses │ is not significant."


def _scale(e: Estimate) -> float:
    return 100.0 if e.kind == "proportion" else 1.0


def _drawable(e: Estimate) -> bool:
    return not e.suppressed and None not in (e.difference, e.difference_low, e.difference_high)


def plot_lines(estimates: Sequence[Estimate], width: int) -> list[Text]:
    """The plot as lines of text for a given width; pure, so tests and exports can use it too."""
    rows = [e for e in estimates]
    if not rows:
        return [Text("No figures to plot.", style="italic")]
    unit = "percentage points" if all(e.kind == "proportion" for e in rows if _drawable(e)) else "units"
    drawable = [e for e in rows if _drawable(e)]
    label_w = max(6, min(18, max(len(e.group) for e in rows) + 1, width // 4))
    value_w = 7
    plot_w = max(10, width - label_w - value_w - 1)
    lines = [Text(f"Difference in {unit}, with 95% intervals", style="bold")]
    if not drawable:
        lines.append(Text("Every difference here is hidden or does not apply, so there is nothing to draw."))
        return lines
    lo = min(0.0, *(e.difference_low * _scale(e) for e in drawable))  # type: ignore[operator]
    hi = max(0.0, *(e.difference_high * _scale(e) for e in drawable))  # type: ignore[operator]
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad

    def col(x: float) -> int:
        return max(0, min(plot_w - 1, round((x - lo) / (hi - lo) * (plot_w - 1))))

    zero = col(0.0)
    for e in rows:
        label = e.group if len(e.group) < label_w else e.group[: label_w - 2] + "…"
        line = Text(label.ljust(label_w))
        if not _drawable(e):
            cells = [" "] * plot_w
            cells[zero] = "│"
            symbol = e.symbol or ("[z]" if e.difference is None else "[x]")
            line.append("".join(cells))
            line.append(f" {symbol:>{value_w - 1}}")
            lines.append(line)
            continue
        s = _scale(e)
        a, b, m = col(e.difference_low * s), col(e.difference_high * s), col(e.difference * s)  # type: ignore[operator]
        cells = [" "] * plot_w
        cells[zero] = "│"
        for i in range(a, b + 1):
            cells[i] = "┼" if i == zero else "─"
        cells[a], cells[b] = "├", "┤"
        if a == b:
            cells[a] = "┼"
        cells[m] = "●"
        style = "bold" if e.significant else ""
        line.append("".join(cells), style=style)
        line.append(f" {e.difference * s:>+{value_w - 1}.1f}")  # type: ignore[operator]
        lines.append(line)
    axis = [" "] * plot_w
    ends = [(x, f"{x:+.0f}") for x in (lo + pad, hi - pad) if round(x) != 0]
    for x, text in [(0.0, "0"), *ends]:  # zero first: it is the line every interval is read against
        start = max(0, min(plot_w - len(text), col(x) - len(text) // 2))
        if all(c == " " for c in axis[max(0, start - 1): start + len(text) + 1]):
            axis[start: start + len(text)] = text
    lines.append(Text(" " * label_w + "".join(axis), style="dim"))
    lines.append(Text(_LEGEND, style="italic"))
    return lines


class ForestPlot(Widget):
    """Redraws to fit its width, so the same plot works at 80 columns and on a wide projector."""

    DEFAULT_CSS = """
    ForestPlot { height: auto; }
    """

    def __init__(self, estimates: Sequence[Estimate], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.estimates = list(estimates)

    def show(self, estimates: Sequence[Estimate]) -> None:
        self.estimates = list(estimates)
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return sum(len(line.wrap(self.app.console, width)) for line in plot_lines(self.estimates, width))

    def render(self) -> Text:
        return Text("\n").join(plot_lines(self.estimates, self.content_size.width or 80))
