"""Small, fixed, hand-made bundle content for fast tests (the app, the bundle format, the CLI).

Every figure here is invented and the manifest says so. The shapes follow what the packs publish; the
shipped demo bundle itself is built by the real pipeline (``insight_packs.demo_build``).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

from insight_packs.registry import all_packs
from linkage_core import __version__
from linkage_core.datasets import DATASETS, description, organisation
from linkage_core.glossary import glossary
from linkage_core.schema import (
    AttritionStep, BundleContent, DatasetProvenance, DisclosurePolicy, Estimate, Finding, LinkageQuality,
    Manifest, Period, SuppressionReason,
)
from sample_db import DEMO_PUBLISHER_NAME


def _wilson(k: int, n: int) -> tuple[float, float]:
    z, p = 1.959964, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _cell(fid: str, idx: int, group: str, breakdown: str, t: tuple[int, int], c: tuple[int, int]) -> Estimate:
    (tk, tn), (ck, cn) = t, c
    tl, th = _wilson(tk, tn)
    cl, ch = _wilson(ck, cn)
    diff = tk / tn - ck / cn
    se = math.sqrt(tk / tn * (1 - tk / tn) / tn + ck / cn * (1 - ck / cn) / cn)
    z = diff / se
    p = math.erfc(abs(z) / math.sqrt(2))
    return Estimate(
        id=f"{fid}:{idx}", finding_id=fid, breakdown=breakdown, group=group,
        treated_n=tn, treated_events=tk, treated_value=tk / tn, treated_low=tl, treated_high=th,
        comparison_n=cn, comparison_events=ck, comparison_value=ck / cn, comparison_low=cl, comparison_high=ch,
        difference=diff, difference_low=diff - 1.96 * se, difference_high=diff + 1.96 * se,
        p_value=p, significant=p < 0.05, method="Wilson score; Wald difference (placeholder)",
    )


_PLACEHOLDER = {
    "leaving_prison": ("Proven reoffending within 12 months", "Reached settled housing within 4 weeks",
                       "Did not", [(350, 1200), (520, 1200)]),
    "education_work": ("In P45 employment 6 months after release", "Took an English course",
                       "Matched comparison group", [(260, 900), (215, 900)]),
    "children": ("Persistent absence from school", "Children with a parent released from prison",
                 "Matched children", [(285, 1000), (200, 1000)]),
    "employment": ("In P45 employment 6 months after release", "People with a level 2 qualification or above",
                   "People with lower qualifications", [(410, 1400), (300, 1600)]),
}
_REGIONS = [("London", 0.9), ("North West", 0.7), ("Wales", 0.25), ("South West", 0.02)]


def build_demo_content() -> BundleContent:
    findings, estimates = [], []
    for order, pack in enumerate(all_packs()):
        measure, treated, comparison, (t, c) = _PLACEHOLDER[pack.id]
        fid = f"{pack.id}.placeholder"
        cells = [_cell(fid, 0, "All", "overall", t, c)]
        for i, (region, share) in enumerate(_REGIONS, start=1):
            tn, cn = 5 * round(t[1] * share / 5), 5 * round(c[1] * share / 5)
            tk, ck = 5 * round(t[0] * share / 5), 5 * round(c[0] * share / 5)
            if min(tk, ck, tn - tk, cn - ck) < 10:
                cells.append(Estimate(id=f"{fid}:{i}", finding_id=fid, breakdown="region", group=region,
                                      suppressed=True, suppression_reason=SuppressionReason.TOO_FEW_PEOPLE))
            else:
                cells.append(_cell(fid, i, region, "region", (tk, tn), (ck, cn)))
        estimates += cells
        top = cells[0]
        findings.append(Finding(
            id=fid, pack_id=pack.id, title=f"{measure}: {treated.lower()}", measure=measure,
            headline=(f"{top.treated_value:.0%} of {treated.lower()} against {top.comparison_value:.0%} of the "
                      "comparison group. These are placeholder figures."),
            treated_label=treated, comparison_label=comparison, breakdowns=["overall", "region"],
            can_say=["These placeholder figures show how a finding will look."],
            cannot_say=["They say nothing about real people: they are invented."],
            caveats=["Placeholder: the pipeline will replace these figures."],
            method="Placeholder figures (hand-made)",
            attrition=[AttritionStep(label="Records received", count=5000),
                       AttritionStep(label="Analysed", count=t[1] + c[1])],
            order=order,
        ))
    manifest = Manifest(
        title="BOLD Insights demo (synthetic demo data)", publisher=DEMO_PUBLISHER_NAME,
        period=Period(start=date(2022, 1, 1), end=date(2022, 12, 31)), datasets_linked=sorted(DATASETS),
        policy=DisclosurePolicy(), software_version=__version__,
        created=datetime(2026, 11, 25, tzinfo=timezone.utc), synthetic=True,
        notes=["Synthetic demo data: no real person is in it.", "Placeholder figures, made by hand."],
    )
    return BundleContent(
        manifest=manifest, packs=[p.to_model() for p in all_packs()], findings=findings, estimates=estimates,
        datasets=[DatasetProvenance(dataset=d, organisation=organisation(d), description=description(d))
                  for d in sorted(DATASETS)],
        linkage_quality=[LinkageQuality(dataset=d, match_rate=None) for d in sorted(DATASETS) if d != "prison"],
        glossary=glossary(),
    )
