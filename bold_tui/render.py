"""Findings as plain text, Markdown or JSON: for ``bold show``/``bold list``, screen readers, scripts and export.

Aggregate figures only, each with its caveats and a provenance footer naming the bundle and publisher.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from linkage_core.bundle.reader import Bundle
from linkage_core.schema import Estimate, Finding


def pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def points(value: float | None) -> str:
    return "" if value is None else f"{value * 100:+.1f} pts"


def figure(e: Estimate, side: str) -> str:
    """One side of a cell as '31.0% (27.1% to 35.2%)', or its suppression symbol."""
    if e.suppressed:
        return e.symbol or "[c]"
    value, low, high = (getattr(e, f"{side}_{x}") for x in ("value", "low", "high"))
    if value is None:
        return "[z]" if side == "comparison" else "[x]"
    if e.kind == "proportion":
        text = pct(value)
        return f"{text} ({pct(low)} to {pct(high)})" if low is not None else text
    text = f"{value:,.1f}"
    return f"{text} ({low:,.1f} to {high:,.1f})" if low is not None else text


def difference(e: Estimate) -> str:
    if e.suppressed:
        return e.symbol or "[c]"
    if e.difference is None:
        return "[z]"
    if e.kind == "proportion":
        return f"{points(e.difference)} ({points(e.difference_low)} to {points(e.difference_high)})"
    return f"{e.difference:+,.2f} ({e.difference_low:+,.2f} to {e.difference_high:+,.2f})"


def count(value: int | None, suppressed: bool = False) -> str:
    if suppressed:
        return "[c]"
    return "[x]" if value is None else f"{value:,}"


def provenance_footer(bundle: Bundle) -> str:
    m = bundle.manifest
    demo = " Synthetic demo data: no real person is in it." if bundle.is_demo else ""
    return (f"Source: {m.title}, published by {bundle.publisher.label}, covering {m.period.start} to "
            f"{m.period.end}. Signature checked. Linked: {', '.join(m.datasets_linked)}.{demo}")


def symbols_note(estimates: Iterable[Estimate]) -> list[str]:
    reasons = {e.suppression_reason for e in estimates if e.suppressed and e.suppression_reason}
    return [f"{r.symbol} {r.plain}." for r in sorted(reasons, key=lambda r: r.value)]


def finding_text(bundle: Bundle, finding: Finding, markdown: bool = False) -> str:
    estimates = bundle.estimates(finding.id)
    h1, h2, bullet = ("# ", "## ", "- ") if markdown else ("", "", "  - ")
    lines = [f"{h1}{finding.title}", "", finding.headline, ""]
    lines.append(f"{h2}Figures" if markdown else "Figures")
    header = ["Breakdown", "Group", finding.treated_label, "People"]
    if finding.comparison_label:
        header += [finding.comparison_label, "People", "Difference", "Significant"]
    rows = []
    for e in estimates:
        row = [e.breakdown, e.group, figure(e, "treated"), count(e.treated_n, e.suppressed)]
        if finding.comparison_label:
            sig = "" if e.significant is None else ("yes" if e.significant else "no")
            row += [figure(e, "comparison"), count(e.comparison_n, e.suppressed), difference(e), sig]
        rows.append(row)
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        lines.append(" | ".join(header))
        lines += [" | ".join(r) for r in rows]
    lines += [f"{bullet}{note}" for note in symbols_note(estimates)]
    for title, items in (("What you can say", finding.can_say), ("What you cannot say", finding.cannot_say),
                         ("Caveats", finding.caveats)):
        if items:
            lines += ["", f"{h2}{title}" if markdown else title] + [f"{bullet}{i}" for i in items]
    if finding.attrition:
        lines += ["", f"{h2}People at each step" if markdown else "People at each step"]
        lines += [f"{bullet}{s.label}: {count(s.count)}" for s in finding.attrition]
    lines += ["", f"Method: {finding.method}", "", provenance_footer(bundle)]
    return "\n".join(lines) + "\n"


def finding_json(bundle: Bundle, finding: Finding) -> dict:
    doc = finding.model_dump(mode="json")
    doc["estimates"] = [e.model_dump(mode="json") for e in bundle.estimates(finding.id)]
    return doc


def list_json(bundle: Bundle) -> dict:
    return {
        "bundle": {"title": bundle.manifest.title, "publisher": bundle.publisher.label,
                   "synthetic": bundle.manifest.synthetic},
        "packs": [
            {**pack.model_dump(mode="json", include={"id", "title", "question"}),
             "findings": [f.model_dump(mode="json", include={"id", "title", "headline"})
                          for f in bundle.findings(pack.id)]}
            for pack in bundle.packs()
        ],
    }


def list_text(bundle: Bundle) -> str:
    lines = [bundle.manifest.title, ""]
    for pack in bundle.packs():
        lines += [f"{pack.title}: {pack.question}"]
        lines += [f"  {f.id}  {f.title}" for f in bundle.findings(pack.id)]
        lines.append("")
    return "\n".join(lines)


def dumps(doc: object) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
