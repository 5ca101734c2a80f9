"""A finding or a pack as a file a person chose to write: an HTML report, CSV with CSV-W notes, Markdown, text.

This is the only place the app writes figures to disk, and only on request. Everything written is an
aggregate figure the bundle already publishes (hidden cells stay hidden), with the bundle's provenance.

- HTML: one self-contained file (styles inline, chart as inline SVG, no font, script or image fetched) that
  prints on A4, in the Justice Data Lab's order: what was measured, results, chart, what you can and cannot
  say, method, linkage quality, provenance, disclosure policy (``report_html``).
- CSV: data only, one row per figure, numbers as numbers (a hidden cell is an empty number and its symbol
  in ``hidden_symbol``), so ``pandas.read_csv`` or a spreadsheet reads it back cleanly. The notes (what each
  column means, the symbols, the source) go in a CSV-W metadata file beside it, ``NAME.csv-metadata.json``.
- A file is never overwritten: a name already taken gets ``-2``, ``-3``...; files are created exclusively,
  so two exports racing for one name cannot clobber each other.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

from bold_tui import render
from bold_tui.export_html import report_html
from bold_tui.labels import breakdown as breakdown_label
from bold_tui.labels import group as group_label
from bold_tui.labels import is_clear, plain, unit
from linkage_core.bundle.reader import Bundle
from linkage_core.schema import Estimate, Finding

FORMATS: dict[str, str] = {
    "html": "Report to print or send (HTML, A4)",
    "csv": "Figures for a spreadsheet (CSV + notes file)",
    "md": "Markdown",
    "txt": "Plain text",
}

#: CSV columns and what each holds: the header row, and the CSV-W notes that describe it.
COLUMNS: list[tuple[str, str]] = [
    ("finding_id", "The finding's id, as in `bold show`."),
    ("pack", "The pack (the question) the finding answers."),
    ("outcome", "What was measured."),
    ("unit", "Unit of value, low_95 and high_95: % (a percentage), days, people..."),
    ("breakdown", "How the people are split: Everyone, Region, Age..."),
    ("group", "The group within the breakdown."),
    ("treated_label", "Who the figure is about."),
    ("treated_people", "Number of people (rounded)."),
    ("treated_with_outcome", "Number of them with the outcome (rounded), where published."),
    ("treated_value", "The figure, in unit."),
    ("treated_low_95", "Lower end of the 95% interval."),
    ("treated_high_95", "Upper end of the 95% interval."),
    ("comparison_label", "Who they are compared with (empty when there is no comparison)."),
    ("comparison_people", "Number of people in the comparison group (rounded)."),
    ("comparison_with_outcome", "Number of them with the outcome (rounded), where published."),
    ("comparison_value", "The comparison group's figure, in unit."),
    ("comparison_low_95", "Lower end of its 95% interval."),
    ("comparison_high_95", "Upper end of its 95% interval."),
    ("difference", "treated_value minus comparison_value: percentage points for a %, else in unit."),
    ("difference_low_95", "Lower end of the difference's 95% interval."),
    ("difference_high_95", "Upper end of the difference's 95% interval."),
    ("clear", "yes when the difference stays unlikely to be chance after adjustment for every comparison "
              "in the bundle (Benjamini-Hochberg, false discovery rate 5%); no otherwise; empty when there is "
              "no comparison or the row is exploratory. Not proof of a cause."),
    ("hidden_symbol", "Empty for a published figure; [c] hidden to protect people, [x] not available, "
                      "[z] does not apply. A hidden cell's numbers are empty."),
]
NUMERIC = {name for name, _ in COLUMNS if name.endswith(("_people", "_outcome", "_value", "_95")) or
           name == "difference"}


def _num(value: float | int | None, scale: float = 1.0) -> float | int | str:
    if value is None:
        return ""
    if isinstance(value, int) and scale == 1.0:
        return value
    return round(value * scale, 4)


def estimate_row(bundle_pack: str, finding: Finding, e: Estimate) -> list[object]:
    scale = 100.0 if e.kind == "proportion" else 1.0
    hidden = e.suppressed
    has_comparison = bool(finding.comparison_label)
    row: list[object] = [finding.id, bundle_pack, plain(finding.measure), unit(finding, e.kind),
                         breakdown_label(e.breakdown), group_label(e.breakdown, e.group),
                         plain(finding.treated_label)]
    if hidden:
        row += ["", "", "", "", ""]
    else:
        row += [_num(e.treated_n), _num(e.treated_events), _num(e.treated_value, scale),
                _num(e.treated_low, scale), _num(e.treated_high, scale)]
    row.append(plain(finding.comparison_label or ""))
    if hidden or not has_comparison:
        row += ["", "", "", "", "", "", "", "", ""]
    else:
        row += [_num(e.comparison_n), _num(e.comparison_events), _num(e.comparison_value, scale),
                _num(e.comparison_low, scale), _num(e.comparison_high, scale), _num(e.difference, scale),
                _num(e.difference_low, scale), _num(e.difference_high, scale)]
        verdict = is_clear(e)
        row.append("" if verdict is None else ("yes" if verdict else "no"))
    if not hidden and e.treated_value is None:
        symbol = "[x]"
    else:
        symbol = e.symbol or "" if hidden else ""
    row.append(symbol)
    return row


def findings_csv(bundle: Bundle, findings: Sequence[Finding]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    packs = {p.id: p.title for p in bundle.packs()}
    for finding in findings:
        for e in bundle.estimates(finding.id):
            writer.writerow(estimate_row(packs.get(finding.pack_id, finding.pack_id), finding, e))
    return out.getvalue()


def csvw_metadata(bundle: Bundle, findings: Sequence[Finding], csv_name: str) -> str:
    """CSV on the Web metadata: the columns' titles, types and meanings, and the source, as JSON."""
    estimates = [e for f in findings for e in bundle.estimates(f.id)]
    doc = {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_name,
        "dc:title": plain(findings[0].title) if len(findings) == 1 else bundle.pack(findings[0].pack_id).title,
        "dc:source": render.provenance_footer(bundle),
        "dc:publisher": bundle.publisher.label,
        "rdfs:comment": [
            "Aggregate figures only: every row describes a group of people, never one person.",
            *bundle.manifest.policy.plain_words(),
            *render.symbols_note(estimates),
            *render.clear_notes(bundle, estimates),
        ],
        "tableSchema": {
            "columns": [{"name": name, "titles": name, "dc:description": about,
                         "datatype": "number" if name in NUMERIC else "string"} for name, about in COLUMNS],
        },
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def finding_csv(bundle: Bundle, finding: Finding) -> str:
    return findings_csv(bundle, [finding])


def finding_document(bundle: Bundle, finding: Finding, fmt: str) -> str:
    if fmt == "csv":
        return finding_csv(bundle, finding)
    if fmt == "html":
        return report_html(bundle, [finding])
    return render.finding_text(bundle, finding, markdown=fmt == "md")


def pack_document(bundle: Bundle, pack_id: str, fmt: str) -> str:
    findings = bundle.findings(pack_id)
    if fmt == "csv":
        return findings_csv(bundle, findings)
    if fmt == "html":
        return report_html(bundle, findings, pack=bundle.pack(pack_id))
    return "\n\n".join(render.finding_text(bundle, f, markdown=fmt == "md") for f in findings)


def free_path(path: Path, *companions: str) -> Path:
    """Never overwrite: add -2, -3... until the name and each companion suffix (a metadata file) are free."""
    def taken(candidate: Path) -> bool:
        return candidate.exists() or any(candidate.with_name(candidate.name + c).exists() for c in companions)

    if not taken(path):
        return path
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        if not taken(candidate):
            return candidate
    raise FileExistsError(path)


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` exclusively (never replacing a file that appeared meanwhile); no partial file on error."""
    try:
        with open(path, "x", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except FileExistsError:
        raise
    except BaseException:
        try:
            os.unlink(path)
        except OSError:
            pass
        raise


def write_document(bundle: Bundle, path: Path, fmt: str, *, finding: Finding | None = None,
                   pack_id: str | None = None) -> Path:
    """Write one finding (or a whole pack) to a new file; CSV gets its CSV-W notes beside it."""
    companions = (("-metadata.json",) if fmt == "csv" else ())
    target = free_path(path.expanduser(), *companions)
    target.parent.mkdir(parents=True, exist_ok=True)
    if finding is not None:
        text = finding_document(bundle, finding, fmt)
        findings = [finding]
    elif pack_id is not None:
        text = pack_document(bundle, pack_id, fmt)
        findings = bundle.findings(pack_id)
    else:
        raise ValueError("Nothing to export.")
    _write_new(target, text)
    if fmt == "csv" and findings:
        _write_new(target.with_name(target.name + "-metadata.json"), csvw_metadata(bundle, findings, target.name))
    return target


def write_export(bundle: Bundle, finding: Finding, path: Path, fmt: str) -> Path:
    return write_document(bundle, path, fmt, finding=finding)


def default_folder() -> Path:
    from bold_tui.locations import export_dir

    return export_dir()
