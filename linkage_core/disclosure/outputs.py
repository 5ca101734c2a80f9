"""An outputs folder an output checker can review, in the layout ACRO writes and SACRO-Viewer loads.

UK trusted research environments check outputs with ACRO; the checker opens its folder (``results.json``,
one file per output, ``checksums/``) in SACRO-Viewer. ``bold build --outputs DIR`` writes the same folder from
the TRUE counts, inside the secure stage, so the checker sees what BOLD's disclosure control did and why:

* one output per finding: a CSV with each cell's true figures, whether it was published, and the rule that
  hid it (``threshold`` for the primary rule, including a comparison group under 60, ``secondary`` for a
  cell hidden to protect another, ``nk-rule`` for dominance, ``not-available`` where there is no one);
  status ``review`` when suppression changed the table (as ACRO marks it), ``pass`` when nothing was hidden,
  and ``fail`` when a mean breaks a dominance rule yet was published;
* ``dominance_evidence``: the (n, k) and p% evidence for every mean (its total and two largest contributions);
* ``ptable``: the cell key perturbation table as ``pcv,ckey,pvalue`` (ckey is the cell key in thousandths);
* ``config.json`` (the policy) and ``checksums/<file>.txt`` (SHA-256 of each file).

The folder holds true counts: it must stay in the secure stage until a checker has released it. It is
written to a sibling temporary folder and renamed into place, so a failure leaves nothing behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from linkage_core import __version__
from linkage_core.disclosure.cellkey import PTable, ptable_for
from linkage_core.disclosure.dominance import P_PERCENT, Magnitude, nk_dominated, p_percent_disclosive
from linkage_core.safe_output import require_empty_folder
from linkage_core.schema import DisclosurePolicy, Estimate, SuppressionReason

#: The ACRO results format this folder follows (ACRO 1.0.2 writes it; SACRO-Viewer reads 0.4 and later).
RESULTS_VERSION = "1.0.2"
#: Resolution of ``ckey`` in ptable.csv: the cell key in [0, 1) times this, rounded down.
CKEY_RESOLUTION = 1000

RULES = {
    SuppressionReason.TOO_FEW_PEOPLE: "threshold",
    SuppressionReason.PROTECTS_ANOTHER_CELL: "secondary",
    SuppressionReason.DOMINANCE: "nk-rule",
    SuppressionReason.NOT_AVAILABLE: "not-available",
    SuppressionReason.NOT_APPLICABLE: "not-applicable",
    SuppressionReason.BLOCKED_AT_READ: "blocked-at-read",
    # Primary suppression on the counts expected from the finding's overall rate (not the cell's own outcome).
    SuppressionReason.TOO_FEW_EXPECTED: "threshold",
    # Justice Data Lab rules, not disclosure: shown to the checker so no hidden cell goes unexplained.
    SuppressionReason.TOO_FEW_TO_COMPARE: "too-few-to-compare",
    SuppressionReason.NOT_BALANCED: "not-balanced",
}
_COLUMNS = ("breakdown", "group", "kind", "treated_n", "treated_events", "treated_value", "comparison_n",
            "comparison_events", "comparison_value", "difference", "published", "rule")
_NUMERIC = ("treated_n", "treated_events", "treated_value", "comparison_n", "comparison_events",
            "comparison_value", "difference")


def write_outputs(folder: Path, drafts: Iterable[Any], estimates: Iterable[Estimate], policy: DisclosurePolicy,
                  *, ptable: PTable | None = None, created: datetime | None = None) -> Path:
    """Write the outputs folder for ``drafts`` (true figures) as published in ``estimates``."""
    folder = Path(folder)
    require_empty_folder(folder, "--outputs")
    folder.parent.mkdir(parents=True, exist_ok=True)
    published = {e.id: e for e in estimates}
    stamp = (created or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    scratch = Path(tempfile.mkdtemp(prefix=".bold-outputs-", dir=folder.parent))
    try:
        results: dict[str, Any] = {}
        evidence: list[dict[str, Any]] = []
        for draft in drafts:
            uid = _uid(draft.id)
            rows = _rows(draft, published, evidence)
            results[uid] = _table_output(scratch, uid, draft, rows, stamp)
        results["dominance_evidence"] = _evidence_output(scratch, evidence, policy, stamp)
        if policy.cell_key_perturbation:
            results["ptable"] = _ptable_output(scratch, ptable or ptable_for(policy.rounding_base,
                                                                                policy.threshold), stamp)
        doc = {"version": RESULTS_VERSION,
               "tool": {"@type": "SoftwareApplication", "name": "BOLD Insights", "version": __version__},
               "results": results}
        (scratch / "results.json").write_text(json.dumps(doc, indent=4), encoding="utf-8")
        (scratch / "config.json").write_text(json.dumps(_config(policy), indent=4), encoding="utf-8")
        _checksums(scratch)
        if folder.exists():
            folder.rmdir()
        os.replace(scratch, folder)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return folder


def _uid(finding_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", finding_id)


def _rows(draft: Any, published: dict[str, Estimate], evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for i, cell in enumerate(draft.cells):
        cell_id = f"{draft.id}:{i}"
        estimate = published.get(cell_id)
        rule = ""
        if estimate is not None and estimate.suppressed:
            rule = RULES.get(estimate.suppression_reason, "hidden") if estimate.suppression_reason else "hidden"
        t, c = cell.treated, cell.comparison
        row = {"breakdown": cell.breakdown, "group": cell.group, "kind": cell.kind,
               "treated_n": t.n, "treated_events": t.events, "treated_value": t.value,
               "comparison_n": c.n if c else None, "comparison_events": c.events if c else None,
               "comparison_value": c.value if c else None, "difference": cell.difference,
               "published": "no" if rule else "yes", "rule": rule}
        for side_name, side in (("treated", t), ("comparison", c)):
            if side is not None and cell.kind == "mean":
                evidence.append(_evidence_row(cell_id, cell, side_name, side, shown=not rule))
        rows.append(row)
    return rows


def _evidence_row(cell_id: str, cell: Any, side_name: str, side: Any, shown: bool) -> dict[str, Any]:
    magnitude: Magnitude | None = getattr(side, "magnitude", None)
    row = {"cell": cell_id, "breakdown": cell.breakdown, "group": cell.group, "side": side_name, "n": side.n,
           "total": None, "largest": None, "second": None, "top2_share_pct": None, "rest_over_largest_pct": None,
           "nk_rule": "not checked", "p_ratio": "not checked", "published": "yes" if shown else "no"}
    if magnitude is None:
        return row
    largest = magnitude.largest + (0.0, 0.0)
    row.update(total=round(magnitude.total, 6), largest=largest[0], second=largest[1])
    if magnitude.total > 0:
        row["top2_share_pct"] = round(100.0 * (largest[0] + largest[1]) / magnitude.total, 3)
    if largest[0] > 0:
        row["rest_over_largest_pct"] = round(100.0 * (magnitude.total - largest[0] - largest[1]) / largest[0], 3)
    return row


def _check_evidence(row: dict[str, Any], policy: DisclosurePolicy) -> None:
    if row["total"] is None:
        return
    magnitude = Magnitude(total=row["total"], largest=(row["largest"], row["second"]), contributors=row["n"])
    row["nk_rule"] = "fail" if nk_dominated(magnitude, policy.dominance_n, policy.dominance_k) else "pass"
    row["p_ratio"] = "fail" if p_percent_disclosive(magnitude, P_PERCENT) else "pass"


def _csv(rows: list[dict[str, Any]], columns: Iterable[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue()


def _table_output(folder: Path, uid: str, draft: Any, rows: list[dict[str, Any]], stamp: str) -> dict[str, Any]:
    name = f"{uid}.csv"
    (folder / name).write_text(_csv(rows, _COLUMNS), encoding="utf-8")
    cells: dict[str, list[list[int]]] = {}
    outcome: dict[str, dict[str, str]] = {col: {} for col in _NUMERIC}
    for r, row in enumerate(rows):
        for col in _NUMERIC:
            outcome[col][str(r)] = f"{row['rule']}; " if row["rule"] and row[col] is not None else "ok"
            if row["rule"] and row[col] is not None:
                cells.setdefault(row["rule"], []).append([r, _COLUMNS.index(col)])
    summary_counts = {rule: sum(1 for row in rows if row["rule"] == rule) for rule in sorted(set(RULES.values()))}
    hidden = sum(summary_counts.values())
    status = "review" if hidden else "pass"
    summary = (f"{status}; " + "; ".join(f"{rule}: {k} cells suppressed" for rule, k in summary_counts.items() if k)
               if hidden else "pass")
    return {
        "uid": uid, "status": status, "type": "table",
        "properties": {"method": "bold finding", "mitigation": "suppression and cell key rounding",
                       "finding_id": draft.id, "title": draft.title, "measure": draft.measure},
        "files": [{"name": name, "sdc": {"summary": {"suppressed": bool(hidden), **summary_counts},
                                         "cells": {rule: cells.get(rule, []) for rule in summary_counts}}}],
        "outcome": outcome, "command": f"bold build (pack {draft.pack_id})", "summary": summary,
        "timestamp": stamp, "comments": [f"True counts for the finding {draft.id}: one row per published cell; "
                                         "'rule' says which disclosure rule hid a row."],
        "exception": "", "fair": {},
    }


def _evidence_output(folder: Path, evidence: list[dict[str, Any]], policy: DisclosurePolicy,
                     stamp: str) -> dict[str, Any]:
    for row in evidence:
        _check_evidence(row, policy)
    columns = ("cell", "breakdown", "group", "side", "n", "total", "largest", "second", "top2_share_pct",
               "rest_over_largest_pct", "nk_rule", "p_ratio", "published")
    name = "dominance_evidence.csv"
    (folder / name).write_text(_csv(evidence, columns), encoding="utf-8")
    failing_shown = [i for i, row in enumerate(evidence)
                     if row["published"] == "yes" and "fail" in (row["nk_rule"], row["p_ratio"])]
    unchecked = sum(1 for row in evidence if row["nk_rule"] == "not checked")
    status = "fail" if failing_shown else ("review" if unchecked else "pass")
    nk = [[i, columns.index("top2_share_pct")] for i, row in enumerate(evidence) if row["nk_rule"] == "fail"]
    pr = [[i, columns.index("rest_over_largest_pct")] for i, row in enumerate(evidence) if row["p_ratio"] == "fail"]
    return {
        "uid": "dominance_evidence", "status": status, "type": "table",
        "properties": {"method": "dominance evidence", "n": policy.dominance_n, "k": policy.dominance_k,
                       "p": P_PERCENT},
        "files": [{"name": name, "sdc": {"summary": {"suppressed": False, "nk-rule": len(nk), "p-ratio": len(pr)},
                                         "cells": {"nk-rule": nk, "p-ratio": pr}}}],
        "outcome": {}, "command": "bold build", "timestamp": stamp, "exception": "", "fair": {},
        "summary": (f"{status}; {len(evidence)} means checked; {len(failing_shown)} published means break a "
                    f"dominance rule; {unchecked} have no contributions recorded"),
        "comments": [f"(n, k) rule: the {policy.dominance_n} largest contributions over {policy.dominance_k:g}% of "
                     f"the total; p% rule: the rest under {P_PERCENT:g}% of the largest."],
    }


def _ptable_output(folder: Path, ptable: PTable, stamp: str) -> dict[str, Any]:
    rows = []
    last = max(len(ptable.rows) + ptable.period, 100)
    for pcv in range(last):
        for ckey in range(CKEY_RESOLUTION):
            rows.append({"pcv": pcv, "ckey": ckey, "pvalue": ptable.adjustment(pcv, ckey / CKEY_RESOLUTION)})
    name = "ptable.csv"
    (folder / name).write_text(_csv(rows, ("pcv", "ckey", "pvalue")), encoding="utf-8")
    return {
        "uid": "ptable", "status": "review", "type": "custom",
        "properties": {"method": "cell key perturbation table", "ckey_resolution": CKEY_RESOLUTION,
                       "threshold": ptable.threshold, "repeats_every": ptable.period},
        "files": [{"name": name, "sdc": {}}], "outcome": {}, "command": "bold build", "timestamp": stamp,
        "summary": "review; the perturbation table used for every published count",
        "comments": [f"A true count pcv with cell key ckey/{CKEY_RESOLUTION} is published as pcv + pvalue; counts "
                     f"past {last - 1} repeat the last {ptable.period} rows."],
        "exception": "", "fair": {},
    }


def _config(policy: DisclosurePolicy) -> dict[str, Any]:
    return {"safe_threshold": policy.threshold, "rounding_base": policy.rounding_base,
            "secondary_suppression": policy.secondary_suppression,
            "cell_key_perturbation": policy.cell_key_perturbation,
            "safe_nk_n": policy.dominance_n, "safe_nk_k": policy.dominance_k, "safe_pratio_p": P_PERCENT,
            "note": "This folder holds true counts. It stays in the secure environment until an output checker "
                    "has reviewed it."}


def _checksums(folder: Path) -> None:
    target = folder / "checksums"
    target.mkdir()
    for path in sorted(folder.iterdir()):
        if path.is_file():
            (target / f"{path.name}.txt").write_text(hashlib.sha256(path.read_bytes()).hexdigest(), encoding="utf-8")
