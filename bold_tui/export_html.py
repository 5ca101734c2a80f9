"""One self-contained HTML report of findings, to print on A4 or send to a funder or a board.

The order follows the Justice Data Lab's reports: what was measured, the results table, the chart, what you
can and cannot say, the method, linkage quality, provenance, and the disclosure policy. Styles are inline,
the chart is inline SVG, and fonts are the reader's own: the file fetches nothing, so it opens the same on
a laptop with no network and prints without surprises. Every text from the bundle is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bold_tui import labels, render
from linkage_core.bundle.reader import Bundle
from linkage_core.schema import Estimate, Finding, Pack

STYLE = """
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 11pt;
       line-height: 1.4; color: #111; max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 18pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 14pt 0 4pt; border-bottom: 1px solid #444; }
h3 { font-size: 11pt; margin: 10pt 0 2pt; }
.banner { border: 2px solid #000; padding: 4pt 8pt; font-weight: bold; margin-bottom: 8pt; }
.headline { font-size: 12pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: 4pt 0; }
th, td { border-bottom: 1px solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.group td { font-weight: bold; border-bottom: 1px solid #444; padding-top: 6pt; }
section.finding { break-before: page; } section.finding:first-of-type { break-before: auto; }
h2, h3, tr, figure { break-inside: avoid; } figure { margin: 6pt 0; }
svg text { font-family: inherit; font-size: 9px; }
.small { font-size: 9pt; color: #333; }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _results_table(finding: Finding, estimates: Sequence[Estimate]) -> str:
    has_comparison = bool(finding.comparison_label)
    head = ["Who", "People", "Figure (95% interval)"]
    if has_comparison:
        head += ["Difference (95% interval)", "Clear difference?"]
    rows = ["<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    current = None
    for e in estimates:
        key = (e.breakdown, e.group)
        if key != current:
            current = key
            name = labels.breakdown(e.breakdown)
            group = labels.group(e.breakdown, e.group)
            heading = group if e.breakdown == "overall" else f"{name}: {group}"
            rows.append(f'<tr class="group"><td colspan="{len(head)}">{_e(heading)}</td></tr>')
        cells = [labels.plain(finding.treated_label), render.count(e.treated_n, e.suppressed, e.symbol),
                 render.figure(e, "treated", finding)]
        if has_comparison:
            verdict = labels.clear_word(labels.is_clear(e)) if not e.suppressed else ""
            cells += [render.difference(e, finding), verdict]
        rows.append("<tr>" + "".join(f'<td class="{"n" if i in (1, 2, 3) else ""}">{_e(c)}</td>'
                                     for i, c in enumerate(cells)) + "</tr>")
        if has_comparison:
            rows.append("<tr>" + "".join(
                f'<td class="{"n" if i in (1, 2) else ""}">{_e(c)}</td>' for i, c in enumerate(
                    [labels.plain(finding.comparison_label or ""), render.count(e.comparison_n, e.suppressed, e.symbol),
                     render.figure(e, "comparison", finding), "", ""])) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def forest_svg(finding: Finding, estimates: Sequence[Estimate], width: int = 640) -> str:
    """Differences and 95% intervals as an inline SVG: shapes and words, readable printed in black and white."""
    drawable = [e for e in estimates if not e.suppressed and None not in
                (e.difference, e.difference_low, e.difference_high)]
    if not drawable:
        return "<p>Every difference here is hidden or does not apply, so there is nothing to draw.</p>"
    scale = 100.0 if drawable[0].kind == "proportion" else 1.0
    lo = min(0.0, *(e.difference_low * scale for e in drawable))  # type: ignore[operator]
    hi = max(0.0, *(e.difference_high * scale for e in drawable))  # type: ignore[operator]
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    left, right, row_h = 190, 110, 18
    plot_w = width - left - right
    height = row_h * (len(drawable) + 2)

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * plot_w

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="Forest plot of differences">',
             f'<line x1="{x(0):.1f}" y1="0" x2="{x(0):.1f}" y2="{height - row_h}" stroke="#000" '
             'stroke-dasharray="3,2"/>']
    for i, e in enumerate(drawable):
        y = row_h * (i + 0.5)
        clear = bool(labels.is_clear(e))
        name = labels.group(e.breakdown, e.group) if e.breakdown != "overall" else "Everyone"
        parts.append(f'<text x="{left - 6}" y="{y + 3:.1f}" text-anchor="end">{_e(name[:32])}</text>')
        a, m, b = (x(v * scale) for v in (e.difference_low, e.difference, e.difference_high))  # type: ignore[operator]
        parts.append(f'<line x1="{a:.1f}" y1="{y:.1f}" x2="{b:.1f}" y2="{y:.1f}" stroke="#000" '
                     f'stroke-width="{2 if clear else 1}"/>')
        parts.append(f'<line x1="{a:.1f}" y1="{y - 4:.1f}" x2="{a:.1f}" y2="{y + 4:.1f}" stroke="#000"/>')
        parts.append(f'<line x1="{b:.1f}" y1="{y - 4:.1f}" x2="{b:.1f}" y2="{y + 4:.1f}" stroke="#000"/>')
        fill = "#000" if clear else "#fff"
        parts.append(f'<circle cx="{m:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="#000"/>')
        verdict = "clear" if clear else "not clear"
        parts.append(f'<text x="{left + plot_w + 6}" y="{y + 3:.1f}">{e.difference * scale:+.1f} '  # type: ignore[operator]
                     f'{_e(verdict)}</text>')
    axis_y = row_h * (len(drawable) + 1)
    for v in sorted({0.0, round(lo + pad), round(hi - pad)}):
        parts.append(f'<text x="{x(v):.1f}" y="{axis_y:.1f}" text-anchor="middle">{v:+g}</text>')
    parts.append("</svg>")
    unit = labels.difference_unit(finding, drawable[0].kind)
    unit_words = "percentage points" if unit == "points" else unit
    caption = (f"Difference in {unit_words}, with 95% intervals. A filled dot and a thick line: a clear "
               "difference; an open dot: not clear. The dashed line is no difference.")
    return f"<figure>{''.join(parts)}<figcaption class=\"small\">{_e(caption)}</figcaption></figure>"


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(labels.plain(i))}</li>" for i in items) + "</ul>" if items else ""


def finding_section(bundle: Bundle, finding: Finding) -> str:
    estimates = bundle.estimates(finding.id)
    out = [f'<section class="finding"><h1>{_e(labels.plain(finding.title))}</h1>',
           f'<p class="headline">{_e(labels.plain(finding.headline))}</p>',
           "<h2>What was measured</h2>",
           f"<p>Outcome: {_e(labels.plain(finding.measure))}. Group: {_e(labels.plain(finding.treated_label))}."
           + (f" Compared with: {_e(labels.plain(finding.comparison_label).lower())}." if finding.comparison_label
              else "") + f" Period covered: {_e(f'{bundle.manifest.period.start:%d %B %Y}')} to "
           f"{_e(f'{bundle.manifest.period.end:%d %B %Y}')}.</p>",
           "<h2>Results</h2>", _results_table(finding, estimates)]
    notes = render.symbols_note(estimates) + labels.estimate_notes(estimates)
    if finding.comparison_label:
        notes += render.clear_notes(bundle, estimates)
    out.append("".join(f'<p class="small">{_e(n)}</p>' for n in notes))
    if finding.comparison_label:
        out.append("<h2>Chart</h2>")
        by: dict[str, list[Estimate]] = {}
        for e in estimates:
            by.setdefault(e.breakdown, []).append(e)
        for code, rows in by.items():
            if code != "overall":
                out.append(f"<h3>By {_e(labels.breakdown(code).lower())}</h3>")
            out.append(forest_svg(finding, rows))
    out += ["<h2>What you can say</h2>", _list(finding.can_say),
            "<h2>What you cannot say</h2>", _list(finding.cannot_say)]
    if finding.caveats:
        out += ["<h3>Caveats</h3>", _list(finding.caveats)]
    method = " ".join(labels.method_lines(finding.method))
    out += ["<h2>Method</h2>", f"<p>{_e(method)}</p>" if method else "",
            f'<p class="small">Technical: {_e(finding.method)}.</p>']
    if finding.balance_ok is not None:
        out.append(f"<p>{_e(labels.balance_sentence(finding.balance_ok))}</p>")
    if finding.attrition:
        out.append("<p>People at each step: " + " &rarr; ".join(
            f"{_e(s.label)} {_e(render.count(s.count))}" for s in finding.attrition) + "</p>")
    out.append("</section>")
    return "".join(out)


def _linkage(bundle: Bundle) -> str:
    rows = ["<tr><th>Records from</th><th>Records</th><th>Joined to someone</th></tr>"]
    for d in bundle.datasets():
        share = "[x]" if d.linked_share is None else f"{d.linked_share * 100:.1f}%"
        records = "[x]" if d.records is None else f"{d.records:,}"
        rows.append(f'<tr><td>{_e(labels.dataset(d.dataset))}</td><td class="n">{records}</td>'
                    f'<td class="n">{share}</td></tr>')
    quality = [q for q in bundle.linkage_quality() if q.group_type == "overall"]
    if quality:
        rows_q = ["<tr><th>Records from</th><th>Joins that were right (precision)</th>"
                  "<th>Joins found of those that should be (recall)</th></tr>"]
        for q in quality:
            p = "[x]" if q.precision is None else f"{q.precision * 100:.1f}%"
            r = "[x]" if q.recall is None else f"{q.recall * 100:.1f}%"
            rows_q.append(f'<tr><td>{_e(labels.dataset(q.dataset))}</td><td class="n">{p}</td>'
                          f'<td class="n">{r}</td></tr>')
        extra = "<table>" + "".join(rows_q) + "</table>"
    else:
        extra = "<p>No linkage measures in this bundle.</p>"
    return ("<table>" + "".join(rows) + "</table>" + extra +
            '<p class="small">[x]: not measured. A group that links less well is under-counted in the findings.</p>')


def report_html(bundle: Bundle, findings: Sequence[Finding], pack: Pack | None = None) -> str:
    m = bundle.manifest
    title = pack.title if pack is not None else (labels.plain(findings[0].title) if findings else m.title)
    banner = ('<div class="banner">Synthetic demo data: no real person is in it.</div>' if bundle.is_demo else "")
    intro = ""
    if pack is not None:
        intro = (f"<h1>{_e(pack.title)}</h1><p class=\"headline\">{_e(labels.plain(pack.question))}</p>"
                 f"<p>{_e(pack.why_it_matters)}</p>")
    body = "".join(finding_section(bundle, f) for f in findings)
    policy = "".join(f"<li>{_e(line)}</li>" for line in m.policy.plain_words())
    signer = bundle.publisher
    return f"""<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{_e(title)}</title><style>{STYLE}</style></head>
<body>{banner}{intro}{body}
<section><h2>Linkage quality</h2>{_linkage(bundle)}
<h2>Provenance</h2>
<p>{_e(render.provenance_footer(bundle))}</p>
<p class="small">Bundle {_e(bundle.path.name)}, signed by {_e(signer.label)} (key {_e(signer.key_id)}); the
signature was checked when it was opened. Made on {_e(f"{m.created:%d %B %Y}")} by BOLD Insights
{_e(m.software_version)}.</p>
{"".join(f"<p>{_e(line)}</p>" for line in [labels.comparisons_line(m)] if line)}
{"".join(f"<p><strong>Not in this bundle:</strong> {_e(line)}</p>" for line in labels.not_computed_lines(m))}
<h2>Disclosure policy</h2><p>Every figure in this report obeys these rules:</p><ul>{policy}</ul>
<p class="small">Aggregate figures only: nothing here describes one person.</p></section>
</body></html>
"""
