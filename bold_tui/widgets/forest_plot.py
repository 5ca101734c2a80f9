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

from bold_tui import glyphs, labels
from linkage_core.schema import Estimate

def _legend() -> str:
    g = glyphs.g()
    return (f"{g.dot} difference  {g.left}{g.line}{g.right} 95% interval  {g.axis} no difference. "
            f"{g.yes} clear: unlikely to be chance, allowing for every comparison. {g.unclear} not clear: it "
            "could be chance.")


def _scale(e: Estimate) -> float:
    return 100.0 if e.kind == "proportion" else 1.0


def _drawable(e: Estimate) -> bool:
    return not e.suppressed and None not in (e.difference, e.difference_low, e.difference_high)


def verdict(e: Estimate) -> str:
    """'clear' or 'not clear' in words, with a symbol: never colour alone."""
    g = glyphs.g()
    if not _drawable(e):
        return ""
    return f"{g.yes} clear" if labels.is_clear(e) else f"{g.unclear} not clear"


def plot_lines(estimates: Sequence[Estimate], width: int, *, names: Sequence[str] | None = None,
               unit: str | None = None, title: str | None = None,
               extra: Sequence[str] | None = None) -> list[Text]:
    """The plot as lines of text for a given width; pure, so tests and exports can use it too.

    ``names`` labels each row (a finding's groups by default; the answer screen passes what people took);
    ``extra`` adds a right-hand column (the answer screen's number of people).
    """
    g = glyphs.g()
    rows = list(estimates)
    if not rows:
        return [Text("No figures to plot.", style="italic")]
    names = list(names) if names is not None else [labels.group(e.breakdown, e.group) for e in rows]
    drawable = [e for e in rows if _drawable(e)]
    if unit is None:
        unit = "percentage points" if all(e.kind == "proportion" for e in drawable) else "the figure's own unit"
    extra = list(extra) if extra is not None else [""] * len(rows)
    extra_w = max((len(x) for x in extra), default=0)
    extra_w = extra_w + 1 if extra_w else 0
    verdict_w = 12
    value_w = 7
    label_w = max(6, min(28, max(len(n) for n in names) + 1, width // 3))
    plot_w = max(10, width - label_w - value_w - verdict_w - extra_w - 1)
    lines = [Text(title or f"Difference in {unit}, with 95% intervals", style="bold")]
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
    for e, name, more in zip(rows, names, extra):
        label = name if len(name) < label_w else name[: label_w - 2] + g.ellipsis[:1]
        line = Text(label.ljust(label_w))
        cells = [" "] * plot_w
        cells[zero] = g.axis
        if not _drawable(e):
            symbol = e.symbol or ("[z]" if e.difference is None else "[x]")
            line.append("".join(cells))
            line.append(f" {symbol:>{value_w - 1}}")
            line.append(" " * verdict_w + f"{more:>{extra_w}}" if extra_w else "")
            lines.append(line)
            continue
        s = _scale(e)
        a, b, m = col(e.difference_low * s), col(e.difference_high * s), col(e.difference * s)  # type: ignore[operator]
        for i in range(a, b + 1):
            cells[i] = g.cross if i == zero else g.line
        cells[a], cells[b] = g.left, g.right
        if a == b:
            cells[a] = g.cross
        cells[m] = g.dot
        clear = bool(labels.is_clear(e))
        line.append("".join(cells), style="bold" if clear else "")
        line.append(f" {e.difference * s:>+{value_w - 1}.1f}")  # type: ignore[operator]
        line.append(f" {verdict(e):<{verdict_w - 1}}", style="bold" if clear else "italic")
        if extra_w:
            line.append(f"{more:>{extra_w}}")
        lines.append(line)
    axis = [" "] * plot_w
    ends = [(x, f"{x:+.0f}") for x in (lo + pad, hi - pad) if round(x) != 0]
    for x, text in [(0.0, "0"), *ends]:  # zero first: it is the line every interval is read against
        start = max(0, min(plot_w - len(text), col(x) - len(text) // 2))
        if all(c == " " for c in axis[max(0, start - 1): start + len(text) + 1]):
            axis[start: start + len(text)] = text
    lines.append(Text(" " * label_w + "".join(axis), style="dim"))
    lines.append(Text(_legend(), style="italic"))
    return lines


class ForestPlot(Widget):
    """Redraws to fit its width, so the same plot works at 80 columns and on a wide projector."""

    DEFAULT_CSS = """
    ForestPlot { height: auto; }
    """

    def __init__(self, estimates: Sequence[Estimate], *, id: str | None = None, unit: str | None = None) -> None:
        super().__init__(id=id)
        self.estimates = list(estimates)
        self.unit = unit

    def show(self, estimates: Sequence[Estimate]) -> None:
        self.estimates = list(estimates)
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return sum(len(line.wrap(self.app.console, width)) for line in plot_lines(self.estimates, width, unit=self.unit))

    def render(self) -> Text:
        return Text("\n").join(plot_lines(self.estimates, self.content_size.width or 80, unit=self.unit))
