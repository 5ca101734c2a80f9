"""A finding as a file a person chose to write: Markdown, CSV or plain text, each with a provenance footer.

This is the only place the app writes figures to disk, and only on request. The text formats come from
``render.finding_text`` so an exported finding reads exactly like ``bold show``; CSV carries one row per
figure, hidden cells as their symbols, then the source line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bold_tui import render
from bold_tui.labels import yes_no
from linkage_core.bundle.reader import Bundle
from linkage_core.schema import Finding

FORMATS: dict[str, str] = {"md": "Markdown", "csv": "CSV (for a spreadsheet)", "txt": "Plain text"}


def finding_csv(bundle: Bundle, finding: Finding) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["finding", "breakdown", "group", "side", "label", "people", "value", "low_95", "high_95",
                     "significant"])
    for e in bundle.estimates(finding.id):
        sides = [("treated", finding.treated_label)]
        if finding.comparison_label:
            sides.append(("comparison", finding.comparison_label))
        for side, label in sides:
            if e.suppressed:
                cells = [e.symbol or "[c]"] * 4
            else:
                n, value, low, high = (getattr(e, f"{side}_{x}") for x in ("n", "value", "low", "high"))
                cells = ["[x]" if n is None else n, "[x]" if value is None else value,
                         "" if low is None else low, "" if high is None else high]
            writer.writerow([finding.id, e.breakdown, e.group, side, label, *cells, ""])
        if finding.comparison_label:
            if e.suppressed or e.difference is None:
                diff = [e.symbol or "[z]", "", ""]
            else:
                diff = [e.difference, e.difference_low, e.difference_high]
            writer.writerow([finding.id, e.breakdown, e.group, "difference", "", "", *diff,
                             yes_no(e.significant)])
    writer.writerow([])
    for line in render.symbols_note(bundle.estimates(finding.id)):
        writer.writerow([line])
    writer.writerow([render.provenance_footer(bundle)])
    return out.getvalue()


def finding_document(bundle: Bundle, finding: Finding, fmt: str) -> str:
    if fmt == "csv":
        return finding_csv(bundle, finding)
    return render.finding_text(bundle, finding, markdown=fmt == "md")


def free_path(path: Path) -> Path:
    """Never overwrite: add -2, -3… so an earlier export (perhaps already checked) is kept."""
    if not path.exists():
        return path
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(path)


def write_export(bundle: Bundle, finding: Finding, path: Path, fmt: str) -> Path:
    target = free_path(path.expanduser())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(finding_document(bundle, finding, fmt), encoding="utf-8")
    return target


def default_folder() -> Path:
    from bold_tui.locations import export_dir

    return export_dir()
