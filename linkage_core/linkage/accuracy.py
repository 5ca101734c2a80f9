"""How well the linkage thinks it did, without truth: thresholds chosen from that, and the estimate written.

Real extracts have no ``_truth/``. A Fellegi-Sunter model gives every scored pair a match probability, and
those probabilities are the model's own account of how many of its pairs are right:

* the expected number of true pairs among the scored pairs is the sum of their probabilities;
* of the pairs a threshold accepts, the expected number right is the sum of *their* probabilities.

So at any threshold t, estimated precision is (sum of p over accepted pairs) / (accepted pairs), and
estimated recall is (sum of p over accepted pairs) / (sum of p over every scored pair). Each model's
threshold is the one that maximises the estimated F1 (``choose_threshold``), and after clustering the same
sums, taken over the pairs the spine puts together (``estimate``), give the estimate written to
``quality.json``. Two limits, said in the output too: pairs that no blocking rule generated are not in any
sum (their loss is invisible to this estimate), and the estimate is only as good as the model's
calibration: a model that is too sure of itself reports too high a precision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from linkage_core.linkage.backend import Backend

#: Pairs scored at or above this probability are kept: for choosing thresholds and for the estimate. Below
#: it, pairs add almost nothing to the expected count of matches.
SCORE_FLOOR = 0.01
#: Thresholds tried. Never below an even chance: the F1-best threshold of a well calibrated model can be
#: lower, but the pairs there are mostly relatives (a parent and child sharing a surname and an address),
#: exactly where the model's probabilities are least to be trusted.
LINK_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
CLUSTER_GRID = LINK_GRID
#: Records outside the cohort are mostly children, whose siblings share a surname, an address and nearly a
#: birthday; the model cannot tell a sibling from a second record of the same child as well as it thinks
#: (its estimate overstates precision there), so that model chooses only among strict thresholds.
OUTSIDERS_GRID = tuple(t for t in LINK_GRID if t >= 0.9)

METHOD = ("Estimated from the model's own match probabilities: precision is the mean probability of the "
          "pairs the spine puts together, recall is their summed probability over the summed probability of "
          "every pair the model scored (at or above {floor}) plus the matches expected to have been missed by "
          "blocking (pairs on a sample of records that share a loose key, such as a sound-alike name, a birth "
          "month or a postcode district, but that no blocking rule generated, scored by the same model). A "
          "match sharing none of those keys is invisible to the estimate, and a model too sure of itself "
          "overstates precision.")


def _f1(p: float | None, r: float | None) -> float | None:
    return 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def choose_threshold(backend: Backend, accepted_sql: str, all_sql: str, grid: tuple[float, ...]) -> dict[str, Any]:
    """The threshold in ``grid`` with the highest estimated F1, and why.

    ``accepted_sql``: the pairs a threshold would choose among (for a link, each record's best cohort
    match), with ``match_probability``; ``all_sql``: every scored pair, whose summed probability is the
    expected number of true pairs.
    """
    total = float(backend.rows(f"SELECT coalesce(sum(match_probability), 0) FROM ({all_sql}) a")[0][0] or 0.0)
    sums = ", ".join(f"coalesce(sum(match_probability) FILTER (match_probability >= {t}), 0), "
                     f"count(*) FILTER (match_probability >= {t})" for t in grid)
    row = backend.rows(f"SELECT {sums} FROM ({accepted_sql}) a")[0]
    tried = []
    for i, t in enumerate(grid):
        tp, n = float(row[2 * i] or 0.0), int(row[2 * i + 1] or 0)
        precision = tp / n if n else None
        recall = tp / total if total else None
        tried.append({"threshold": t, "accepted": n, "estimated_precision": _r(precision),
                      "estimated_recall": _r(recall), "estimated_f1": _r(_f1(precision, recall))})
    scored = [x for x in tried if x["estimated_f1"] is not None]
    if not scored:
        best = {"threshold": grid[-1]}
        reason = "no pair was scored as a likely match, so the strictest threshold was kept"
    else:
        # Highest estimated F1; among equals, the stricter threshold (fewer wrong links for the same F1).
        best = max(scored, key=lambda x: (x["estimated_f1"], x["threshold"]))
        reason = (f"highest estimated F1 of the thresholds tried ({grid[0]} to {grid[-1]}), estimated from "
                  f"the model's match probabilities; {total:.1f} matches expected among the scored pairs")
    return {**best, "expected_matches": round(float(total), 2), "reason": reason, "tried": tried}


def estimate(backend: Backend, scored: str, spine: str = "bold_spine",
             missed: dict[str, float] | None = None) -> dict[str, Any]:
    """Estimated pairwise precision, recall and F1 of the spine, overall and for pairs touching each extract.

    ``scored``: every pair any model scored (``ds_l, id_l, ds_r, id_r, match_probability``). A pair the
    spine puts together but no model scored (joined through a third record) is taken to be right with the
    mean probability of the scored pairs inside its cluster. ``missed``: matches each scope is expected to
    have lost to blocking (see ``link._blocking_misses``), added to the pairs recall must find.
    """
    missed = missed or {}
    backend.create_table("bold_est_pairs", f"""
        SELECT s.ds_l, s.ds_r, a.person_key AS key_l, b.person_key AS key_r, max(s.match_probability) AS p
        FROM {scored} s
        JOIN {spine} a ON a.dataset = s.ds_l AND a.record_id = s.id_l
        JOIN {spine} b ON b.dataset = s.ds_r AND b.record_id = s.id_r
        GROUP BY s.ds_l, s.id_l, s.ds_r, s.id_r, a.person_key, b.person_key
    """)
    datasets = [r[0] for r in backend.rows(f"SELECT DISTINCT dataset FROM {spine} ORDER BY 1")]
    scopes: dict[str, str | None] = {"overall": None, **{d: d for d in datasets}}
    out: dict[str, Any] = {}
    for scope, d in scopes.items():
        lit = "'" + (d or "").replace("'", "''") + "'"
        touches = "TRUE" if d is None else f"(ds_l = {lit} OR ds_r = {lit})"
        n_d = "n" if d is None else f"count(*) FILTER (dataset = {lit})"
        row = backend.rows(f"""
            WITH clusters AS (
                SELECT person_key, count(*) AS n, {n_d} AS d FROM {spine} GROUP BY person_key
            ),
            inside AS (
                SELECT key_l AS person_key, avg(p) AS mean_p FROM bold_est_pairs WHERE key_l = key_r GROUP BY key_l
            ),
            predicted AS (
                SELECT c.person_key, (c.n * (c.n - 1) - (c.n - c.d) * (c.n - c.d - 1)) / 2.0 AS pairs,
                       coalesce(i.mean_p, 1.0) AS mean_p
                FROM clusters c LEFT JOIN inside i USING (person_key) WHERE c.n > 1
            )
            SELECT (SELECT coalesce(sum(pairs), 0) FROM predicted),
                   (SELECT coalesce(sum(pairs * mean_p), 0) FROM predicted),
                   (SELECT coalesce(sum(p), 0) FROM bold_est_pairs WHERE key_l <> key_r AND {touches})
        """)[0]
        predicted, right, apart = float(row[0]), float(row[1]), float(row[2])
        unblocked = float(missed.get(scope, 0.0))
        precision = right / predicted if predicted else None
        recall = right / (right + apart + unblocked) if right + apart + unblocked else None
        out[scope] = {"precision": _r(precision), "recall": _r(recall), "f1": _r(_f1(precision, recall)),
                      "predicted_pairs": int(predicted), "expected_right": round(right, 1),
                      "expected_missed": round(apart, 1), "expected_missed_by_blocking": round(unblocked, 1)}
    spread = backend.rows(f"""
        SELECT count(*), count(*) FILTER (p >= 0.99), count(*) FILTER (p >= 0.5 AND p < 0.99),
               count(*) FILTER (p < 0.5)
        FROM bold_est_pairs""")[0]
    backend.drop("bold_est_pairs")
    overall = out.pop("overall")
    return {
        "overall": overall,
        "datasets": out,
        "scored_pairs": {"all": int(spread[0]), "p_at_least_0.99": int(spread[1]),
                         "p_0.5_to_0.99": int(spread[2]), "p_below_0.5": int(spread[3])},
        "method": METHOD.format(floor=SCORE_FLOOR),
    }
