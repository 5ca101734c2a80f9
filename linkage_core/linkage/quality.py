"""How well the linkage did: match rates always, and precision and recall against truth where it exists.

Two separate things live here on purpose. ``match_rates`` reads only what the linkage itself knows and
runs on real extracts. ``evaluate_against_truth`` reads ``_truth/`` from a synthetic world, and runs
only after the spine is on disk, reading that file back, so nothing it learns can leak into the links.

Pairwise measures: for a dataset D, the pairs are the record pairs (a, b) with a in D and b any other
record. A predicted pair shares a person key; a true pair shares a person in the truth. Counting pairs
rather than records means that wrongly fusing two large clusters costs what it should.

Fairness: recall and precision are also given by the sex, ethnic group and age band of the person a
record truly belongs to, as recorded in the cohort extract, with the largest gap between groups. A gap
means some people's records are joined up less well than others', which biases every finding about them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    from linkage_core.engines import LinkageEngine

from linkage_core.schema import LinkageQuality
from linkage_core.sql import literal

#: Breakdowns reported, and the cohort extract column each comes from.
GROUPINGS: dict[str, str] = {"sex": "sex", "ethnicity": "ethnicity", "age_band": "age_band"}
OUTSIDE_COHORT = "Not in the cohort"
_BANDS = ((18, "Under 18"), (25, "18 to 24"), (35, "25 to 34"), (50, "35 to 49"), (10**6, "50 and over"))


def match_rates(backend: LinkageEngine, cohort: str) -> dict[str, dict[str, Any]]:
    """Per extract: records, and the share linked to a person in the cohort.

    For the cohort extract itself, the share of its records whose person was found in another extract.
    """
    c = literal(cohort)
    rows = backend.rows(f"""
        WITH keyed AS (
            SELECT person_key,
                   max(CASE WHEN dataset = {c} THEN 1 ELSE 0 END) AS has_cohort,
                   max(CASE WHEN dataset <> {c} THEN 1 ELSE 0 END) AS has_other
            FROM bold_spine GROUP BY person_key
        )
        SELECT s.dataset, count(*) AS records,
               avg(CASE WHEN s.dataset = {c} THEN k.has_other ELSE k.has_cohort END) AS rate
        FROM bold_spine s JOIN keyed k ON k.person_key = s.person_key
        GROUP BY s.dataset
    """)
    ordered = sorted(rows, key=lambda r: (r[0] != cohort, r[0]))
    return {d: {"records": int(n), "match_rate": round(float(r), 4)} for d, n, r in ordered}


def write_quality(quality: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(quality, indent=2, sort_keys=False))
    return path


def evaluate_against_truth(world_dir: Path, out_dir: Path, cohort: str = "prison") -> dict[str, Any]:
    """Pairwise precision, recall and F1 of ``out_dir/spine.parquet`` against ``world_dir/_truth``."""
    from linkage_core.linkage.standardise import extract_paths, read_relation

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    try:
        con.execute("CREATE MACRO pairs_with(n, d) AS ((n * (n - 1) - (n - d) * (n - d - 1)) / 2)::HUGEINT")
        con.execute(f"CREATE TABLE spine AS SELECT dataset, CAST(record_id AS VARCHAR) AS record_id, person_key "
                    f"FROM read_parquet({literal(str(out_dir / 'spine.parquet'))})")
        con.execute(f"CREATE TABLE truth AS SELECT dataset, CAST(record_id AS VARCHAR) AS record_id, "
                    f"CAST(person_id AS VARCHAR) AS person_id "
                    f"FROM read_parquet({literal(str(world_dir / '_truth' / 'truth.parquet'))})")
        groupings = _person_groups(con, read_relation(con, extract_paths(world_dir)[cohort]), cohort)
        con.execute(f"""
            CREATE TABLE rec AS
            SELECT s.dataset, s.person_key, t.person_id, 'All' AS overall,
                   {', '.join(f"coalesce(g.{g}, {literal(OUTSIDE_COHORT)}) AS {g}" for g in groupings)}
            FROM spine s JOIN truth t USING (dataset, record_id)
            LEFT JOIN person_groups g USING (person_id)
        """)
        datasets = [r[0] for r in con.sql("SELECT DISTINCT dataset FROM rec ORDER BY 1").fetchall()]
        pairwise = {scope: groups["All"] for scope, groups in _scores(con, datasets, "overall").items()}
        by_group: dict[str, dict[str, Any]] = {g: _scores(con, datasets, g) for g in groupings}
        gaps = {g: {scope: _largest_gap(groups) for scope, groups in scopes.items()} for g, scopes in by_group.items()}
        result: dict[str, Any] = {"pairwise": pairwise, "by_group": by_group, "largest_gap": gaps}
        families = world_dir / "_truth" / "families.parquet"
        if families.exists() and (out_dir / "families.parquet").exists():
            result["families"] = _family_scores(con, families, out_dir / "families.parquet")
        return result
    finally:
        con.close()


def _person_groups(con: duckdb.DuckDBPyConnection, cohort_rel: duckdb.DuckDBPyRelation, cohort: str) -> list[str]:
    """Each true person's sex, ethnic group and age band, from their first record in the cohort extract."""
    cols = set(cohort_rel.columns)
    con.register("cohort_raw", cohort_rel)
    exprs = {
        "sex": "CASE upper(CAST(sex AS VARCHAR)) WHEN 'M' THEN 'Male' WHEN 'F' THEN 'Female' ELSE 'Not recorded' END"
        if "sex" in cols else None,
        "ethnicity": "coalesce(CAST(ethnicity AS VARCHAR), 'Not recorded')" if "ethnicity" in cols else None,
        "age_band": _age_band_sql(cols),
    }
    present = [g for g, e in exprs.items() if e is not None]
    select = ", ".join(f"{exprs[g]} AS {g}" for g in present)
    con.execute(f"""
        CREATE TABLE person_groups AS
        SELECT t.person_id, {', '.join(f'arg_min(c.{g}, c.record_id) AS {g}' for g in present) or 'NULL AS none'}
        FROM (SELECT CAST(record_id AS VARCHAR) AS record_id{', ' + select if select else ''} FROM cohort_raw) c
        JOIN truth t ON t.dataset = {literal(cohort)} AND t.record_id = c.record_id
        GROUP BY t.person_id
    """)
    con.unregister("cohort_raw")
    return present


def _age_band_sql(cols: set[str]) -> str | None:
    if "age_at_release" in cols:
        age = "TRY_CAST(age_at_release AS DOUBLE)"
    elif "date_of_birth" in cols:
        ref = "TRY_CAST(release_date AS DATE)" if "release_date" in cols else "current_date"
        age = f"date_diff('year', TRY_CAST(date_of_birth AS DATE), {ref})"
    else:
        return None
    cases = " ".join(f"WHEN {age} < {upper} THEN '{label}'" for upper, label in _BANDS)
    return f"CASE {cases} ELSE 'Not recorded' END"


def _scores(con: duckdb.DuckDBPyConnection, datasets: list[str], grouping: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Pairwise counts by ``grouping``, for all pairs ("overall") and for pairs touching each dataset.

    With n records in a cluster of which d are in the dataset, pairs touching the dataset number
    C(n,2) - C(n-d,2). A predicted pair counts for a group when either record truly belongs to someone
    in it; a true pair is inside one person, so it has one group. One pass computes every dataset.
    """
    scopes = {"overall": "TRUE", **{d: f"dataset = {literal(d)}" for d in datasets}}
    alias = {scope: f"d{i}" for i, scope in enumerate(scopes)}
    counts = ", ".join(f"count(*) FILTER ({cond}) AS {alias[s]}" for s, cond in scopes.items())
    cell_p = ", ".join(f"sum(pairs_with(n, {a})) AS tp_{a}" for a in alias.values())
    pred_p = ", ".join(f"sum(pairs_with(c.n, c.{a}) - pairs_with(c.n - g.ng, c.{a} - g.g{a})) AS pr_{a}"
                       for a in alias.values())
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE r AS SELECT person_key, person_id, dataset, {grouping} AS grp FROM rec;
        CREATE OR REPLACE TEMP TABLE cells AS SELECT person_key, person_id, grp, count(*) AS n, {counts}
            FROM r GROUP BY ALL;
        CREATE OR REPLACE TEMP TABLE clus AS SELECT person_key, sum(n) AS n,
            {', '.join(f'sum({a}) AS {a}' for a in alias.values())} FROM cells GROUP BY person_key;
        CREATE OR REPLACE TEMP TABLE clus_g AS SELECT person_key, grp, sum(n) AS ng,
            {', '.join(f'sum({a}) AS g{a}' for a in alias.values())} FROM cells GROUP BY ALL;
    """)
    tp = {row[0]: row[1:] for row in con.sql(f"SELECT grp, {cell_p} FROM cells GROUP BY grp").fetchall()}
    true = {row[0]: row[1:] for row in con.sql(f"""
        SELECT grp, {', '.join(f'sum(pairs_with(n, {a})) AS t_{a}' for a in alias.values())}, count(*) AS people
        FROM (SELECT person_id, grp, sum(n) AS n, {', '.join(f'sum({a}) AS {a}' for a in alias.values())}
              FROM cells GROUP BY ALL) GROUP BY grp""").fetchall()}
    pred = {row[0]: row[1:] for row in con.sql(f"""
        SELECT g.grp, {pred_p} FROM clus_g g JOIN clus c USING (person_key) GROUP BY g.grp""").fetchall()}
    out: dict[str, dict[str, dict[str, Any]]] = {scope: {} for scope in scopes}
    for grp in sorted(true, key=str):
        people = int(true[grp][-1])
        for i, scope in enumerate(scopes):
            t_pairs, p_pairs = int(true[grp][i] or 0), int(pred.get(grp, [0] * len(scopes))[i] or 0)
            right = int(tp.get(grp, [0] * len(scopes))[i] or 0)
            precision = right / p_pairs if p_pairs else None
            recall = right / t_pairs if t_pairs else None
            f1 = (2 * precision * recall / (precision + recall)
                  if precision is not None and recall is not None and precision + recall > 0 else None)
            out[scope][str(grp)] = {"precision": _r(precision), "recall": _r(recall), "f1": _r(f1),
                                    "true_pairs": t_pairs, "predicted_pairs": p_pairs, "people": people}
    return out


def _largest_gap(groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The largest difference in recall and in precision between groups of cohort people."""
    gaps: dict[str, Any] = {}
    for measure in ("recall", "precision"):
        scored = {g: v[measure] for g, v in groups.items()
                  if v[measure] is not None and g not in (OUTSIDE_COHORT, "Not recorded")}
        if len(scored) < 2:
            gaps[measure] = None
            continue
        low, high = min(scored, key=scored.__getitem__), max(scored, key=scored.__getitem__)
        gaps[measure] = {"gap": _r(scored[high] - scored[low]), "lowest": low, "highest": high}
    return gaps


def _family_scores(con: duckdb.DuckDBPyConnection, truth_path: Path, families_path: Path) -> dict[str, Any]:
    """Child-parent pairs found, against the planted ones; keys are mapped to people by majority."""
    row = con.execute(f"""
        WITH key_person AS (
            -- The person most of a key's records belong to; a tie goes to the first id, not to chance,
            -- so the same spine always scores the same.
            SELECT person_key, person_id FROM (
                SELECT person_key, person_id,
                       row_number() OVER (PARTITION BY person_key ORDER BY count(*) DESC, person_id) AS pick
                FROM rec GROUP BY person_key, person_id
            ) WHERE pick = 1
        ),
        found AS (
            SELECT DISTINCT c.person_id AS child, p.person_id AS parent
            FROM read_parquet({literal(str(families_path))}) f
            JOIN key_person c ON c.person_key = f.child_person_key
            JOIN key_person p ON p.person_key = f.parent_person_key
        ),
        planted AS (
            SELECT DISTINCT CAST(child_person_id AS VARCHAR) AS child, CAST(parent_person_id AS VARCHAR) AS parent
            FROM read_parquet({literal(str(truth_path))})
        )
        SELECT (SELECT count(*) FROM found), (SELECT count(*) FROM planted),
               (SELECT count(*) FROM found JOIN planted USING (child, parent))
    """).fetchall()[0]
    found, planted, both = (int(v) for v in (row or (0, 0, 0)))
    precision = both / found if found else None
    recall = both / planted if planted else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    return {"precision": _r(precision), "recall": _r(recall), "f1": _r(f1), "found": found, "planted": planted}


def quality_rows(quality: dict[str, Any]) -> list[LinkageQuality]:
    """The quality figures as bundle rows: one per extract, and one per extract and group where known."""
    evaluation = quality.get("evaluation") or {}
    pairwise = evaluation.get("pairwise", {})
    estimated = (quality.get("estimate") or {}).get("datasets", {})
    rows: list[LinkageQuality] = []
    for dataset, info in quality.get("datasets", {}).items():
        scores = pairwise.get(dataset, {})
        guess = estimated.get(dataset, {})
        rows.append(LinkageQuality(dataset=dataset, match_rate=info.get("match_rate"),
                                   precision=scores.get("precision"), recall=scores.get("recall"),
                                   f1=scores.get("f1"), estimated_precision=guess.get("precision"),
                                   estimated_recall=guess.get("recall"), estimated_f1=guess.get("f1")))
        for grouping, scopes in evaluation.get("by_group", {}).items():
            for group, s in scopes.get(dataset, {}).items():
                rows.append(LinkageQuality(dataset=dataset, group_type=grouping, group=group,
                                           precision=s.get("precision"), recall=s.get("recall"), f1=s.get("f1")))
    return rows


def print_quality(quality: dict[str, Any], console: Any = None) -> None:
    """Print match rates, and where truth was known, the pairwise scores and the gaps between groups."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    evaluation = quality.get("evaluation") or {}
    pairwise = evaluation.get("pairwise", {})
    table = Table(title="How well each extract linked")
    for col in ("Extract", "Records", "Linked to the cohort"):
        table.add_column(col, justify="left" if col == "Extract" else "right")
    estimate = quality.get("estimate") or {}
    guessed = estimate.get("datasets", {})
    if guessed:
        for col in ("Est. precision", "Est. recall", "Est. F1"):
            table.add_column(col, justify="right")
    if pairwise:
        for col in ("Precision", "Recall", "F1"):
            table.add_column(col, justify="right")
    for dataset, info in quality.get("datasets", {}).items():
        cells = [dataset, f"{info['records']:,}", _pct(info.get("match_rate"))]
        if guessed:
            g = guessed.get(dataset, {})
            cells += [_pct(g.get("precision")), _pct(g.get("recall")), _pct(g.get("f1"))]
        if pairwise:
            s = pairwise.get(dataset, {})
            cells += [_pct(s.get("precision")), _pct(s.get("recall")), _pct(s.get("f1"))]
        table.add_row(*cells)
    if pairwise:
        s = pairwise["overall"]
        g = estimate.get("overall", {})
        table.add_row("All pairs", "", "", *([_pct(g.get("precision")), _pct(g.get("recall")), _pct(g.get("f1"))]
                                             if guessed else []),
                      _pct(s.get("precision")), _pct(s.get("recall")), _pct(s.get("f1")))
    console.print(table)
    if estimate.get("method"):
        console.print(f"Estimated without truth: {estimate['method']}")
    for grouping, scopes in evaluation.get("by_group", {}).items():
        groups = scopes.get("overall", {})
        gap = evaluation["largest_gap"][grouping]["overall"]
        t = Table(title=f"Linkage by {grouping.replace('_', ' ')} (all pairs)")
        for col in ("Group", "People", "Precision", "Recall"):
            t.add_column(col, justify="left" if col == "Group" else "right")
        for group, s in groups.items():
            t.add_row(group, f"{s['people']:,}", _pct(s.get("precision")), _pct(s.get("recall")))
        console.print(t)
        if gap.get("recall"):
            g = gap["recall"]
            console.print(f"Largest recall gap: {_pct(g['gap'])} ({g['lowest']} against {g['highest']})")
    if "families" in evaluation:
        f = evaluation["families"]
        console.print(f"Children linked to a parent in the cohort: precision {_pct(f['precision'])}, "
                      f"recall {_pct(f['recall'])}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 5)
