"""Findings as plain text, Markdown or JSON: for ``bold show``/``bold list``, screen readers, scripts and export.

Aggregate figures only, each with its caveats and a provenance footer naming the bundle and publisher.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from bold_tui import labels
from linkage_core.bundle.reader import Bundle
from linkage_core.glossary import chance_share
from linkage_core.schema import Estimate, Finding


def pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def points(value: float | None) -> str:
    """A gap between two percentages, in percentage points ('points'), one decimal, signed."""
    return "" if value is None else f"{value * 100:+.1f} points"


def number(value: float | None, kind: str, unit: str = "") -> str:
    """One number format everywhere: counts as whole numbers, averages with one decimal, then the unit."""
    if value is None:
        return ""
    text = f"{round(value):,}" if kind == "count" else f"{value:,.1f}"
    if not unit:
        return text
    return f"{text}%" if unit == "%" else (f"£{text}" if unit == "£" else f"{text} {unit}")


def figure(e: Estimate, side: str, finding: Finding | None = None) -> str:
    """One side of a cell as '31.0% (27.1% to 35.2%)' or '409.0 days (399.8 to 418.2)', or its symbol."""
    if e.suppressed:
        return e.symbol or "[c]"
    value, low, high = (getattr(e, f"{side}_{x}") for x in ("value", "low", "high"))
    if value is None:
        return "[z]" if side == "comparison" else "[x]"
    if e.kind == "proportion":
        text = pct(value)
        return f"{text} ({pct(low)} to {pct(high)})" if low is not None else text
    unit = labels.unit(finding, e.kind, e)
    text = number(value, e.kind, unit)
    if low is None or high is None:
        return text
    return f"{text} ({number(low, e.kind)} to {number(high, e.kind)})"


def difference(e: Estimate, finding: Finding | None = None) -> str:
    """The gap with its interval: '-14.2 points (-18.0 to -10.4)', '-9.1 days (-22.4 to +4.3)'."""
    if e.suppressed:
        return e.symbol or "[c]"
    if e.difference is None:
        return "[z]"
    scale = 100.0 if e.kind == "proportion" else 1.0
    unit = "points" if e.kind == "proportion" else labels.difference_unit(finding, e.kind, e)
    text = f"{e.difference * scale:+,.1f}" + (f" {unit}" if unit else "")
    if e.difference_low is None or e.difference_high is None:
        return text
    return f"{text} ({e.difference_low * scale:+,.1f} to {e.difference_high * scale:+,.1f})"


def count(value: int | None, suppressed: bool = False, symbol: str | None = None) -> str:
    """A count of people as a whole number; a hidden one as its cell's own symbol, so the key matches."""
    if suppressed:
        return symbol or "[c]"
    return "[x]" if value is None else f"{value:,}"


def provenance_footer(bundle: Bundle) -> str:
    m = bundle.manifest
    demo = " Synthetic demo data: no real person is in it." if bundle.is_demo else ""
    linked = ", ".join(labels.dataset(d) for d in m.datasets_linked)
    return (f"Source: {m.title}, published by {bundle.publisher.label}, covering {m.period.start} to "
            f"{m.period.end}. Signature checked. Records joined from: {linked}.{demo}")


def symbols_note(estimates: Iterable[Estimate]) -> list[str]:
    reasons = {e.suppression_reason for e in estimates if e.suppressed and e.suppression_reason}
    return [f"{r.symbol} {r.plain}." for r in sorted(reasons, key=lambda r: r.value)]


#: Said once under every table with a comparison: the words the verdict column uses, with the bundle's own
#: false discovery rate in place of ``{rate}``.
CLEAR_NOTE = ("Clear: the gap is unlikely to be chance even after allowing for every comparison in these "
              "figures (of the gaps called clear, {rate} or fewer is expected to be chance), so a row "
              "whose 95% interval leaves out zero can still be not clear. It does not prove a cause.")
#: Bundles from before the adjustment call a row clear when its own 95% interval leaves out zero.
CLEAR_NOTE_UNADJUSTED = ("Clear: the 95% interval leaves out zero, so the gap is unlikely to be chance on its "
                         "own; these figures were not adjusted for how many comparisons they hold. It does not "
                         "prove a cause.")
#: Said only under figures that hold a gap between two percentages.
POINTS_NOTE = "Points: percentage points, the gap between two percentages."


def clear_notes(bundle: Bundle, estimates: Iterable[Estimate]) -> list[str]:
    """The verdict's meaning as this bundle decided it, and 'points' only where a gap between percentages is
    shown."""
    chance = bundle.manifest.comparisons
    note = (CLEAR_NOTE.format(rate=chance_share(chance.false_discovery_rate)) if chance is not None
            else CLEAR_NOTE_UNADJUSTED)
    return [note] + ([POINTS_NOTE] if any(e.kind == "proportion" for e in estimates) else [])


def group_sentences(finding: Finding, estimates: Iterable[Estimate]) -> list[str]:
    """'What you can say' for a breakdown: one sentence per group, built from that group's own figures."""
    lines = []
    for e in estimates:
        name = labels.group(e.breakdown, e.group)
        if e.suppressed:
            lines.append(f"{name}: hidden ({e.symbol}), so nothing can be said about this group.")
            continue
        own = figure(e, "treated", finding)
        if not finding.comparison_label or e.comparison_value is None:
            lines.append(f"{name}: {own}, out of {count(e.treated_n)}.")
            continue
        verdict = labels.is_clear(e)
        gap = difference(e, finding)
        judgement = ("a clear difference" if verdict else "not a clear difference: it could be chance")
        lines.append(f"{name}: {figure(e, 'treated', finding)} against {figure(e, 'comparison', finding)} for "
                     f"{finding.comparison_label.lower()}; a gap of {gap}, {judgement}.")
    return lines


def finding_text(bundle: Bundle, finding: Finding, markdown: bool = False) -> str:
    estimates = bundle.estimates(finding.id)
    h1, h2, bullet = ("# ", "## ", "- ") if markdown else ("", "", "  - ")
    lines = [f"{h1}{labels.plain(finding.title)}", "", labels.plain(finding.headline), ""]
    lines.append(f"{h2}Figures" if markdown else "Figures")
    treated, comparison = labels.plain(finding.treated_label), labels.plain(finding.comparison_label or "")
    header = ["Breakdown", "Group", treated, "People"]
    if finding.comparison_label:
        header += [comparison, "People", "Difference", "Clear difference?"]
    rows = []
    for e in estimates:
        row = [labels.breakdown(e.breakdown), labels.group(e.breakdown, e.group), figure(e, "treated", finding),
               count(e.treated_n, e.suppressed, e.symbol)]
        if finding.comparison_label:
            row += [figure(e, "comparison", finding), count(e.comparison_n, e.suppressed, e.symbol),
                    difference(e, finding), labels.yes_no(labels.is_clear(e)) if not e.suppressed else ""]
        rows.append(row)
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        lines.append(" | ".join(header))
        lines += [" | ".join(r) for r in rows]
    lines += [f"{bullet}{note}" for note in symbols_note(estimates)]
    if finding.comparison_label:
        lines += [f"{bullet}{note}" for note in clear_notes(bundle, estimates)]
    for title, items in (("What you can say", finding.can_say), ("What you cannot say", finding.cannot_say),
                         ("Caveats", finding.caveats)):
        if items:
            lines += ["", f"{h2}{title}" if markdown else title] + [f"{bullet}{labels.plain(i)}" for i in items]
    if finding.attrition:
        lines += ["", f"{h2}People at each step" if markdown else "People at each step"]
        lines += [f"{bullet}{s.label}: {count(s.count)}" for s in finding.attrition]
    method = " ".join(labels.method_lines(finding.method))
    lines += ["", f"Method: {method} (Technical: {finding.method}.)" if method else f"Method: {finding.method}",
              "", provenance_footer(bundle)]
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
        lines += [f"  {f.id}  {labels.plain(f.title)}" for f in bundle.findings(pack.id)]  # as the app says it
        lines.append("")
    return "\n".join(lines)


def dumps(doc: object) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
