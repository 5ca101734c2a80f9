"""How well the linkage thinks it did, without truth: thresholds chosen from that, and the estimate written.

Real extracts have no ``_truth/``. A Fellegi-Sunter model gives every scored pair a match probability, and
those probabilities are the model's own account of how many of its pairs are right:

* the expected number of true pairs among the scored pairs is the sum of their probabilities;
* of the pairs a threshold accepts, the expected number right is the sum of *their* probabilities.

So at any threshold t, estimated precision is (sum of p over accepted pairs) / (accepted pairs), and
estimated recall is (sum of p over accepted pairs) / (sum of p over every scored pair). Each model's
threshold is the one that maximises the estimated F1 (``choose_threshold``), and after clustering the same
sums, taken over the pairs the spine puts together (``estimate``), give the estimate written to
``quality.json``. Recall's missed pairs are counted between whole people, not single records: the spine is a
star around the cohort, so a record that fails to join its person loses a pair with each of that person's
records (counting one pair per record made the estimate 0.10 too high on data with two or three errors per
record). Matches no blocking rule generated are estimated on a sample probed with loose keys. Two limits,
said in the output too: a match sharing none of those loose keys is invisible to this estimate, and the
estimate is only as good as the model's calibration: a model that is too sure of itself reports too high a
precision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linkage_core.sql import literal

if TYPE_CHECKING:
    from linkage_core.engines import LinkageEngine

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
          "pairs the spine puts together; recall counts, for every two groups of records that some scored pair "
          "(at or above {floor}) says may be one person, that pair's probability times the pairs the two groups "
          "would make together (an agency record's chance of belonging to another person is at most one less "
          "its chance of belonging to the one it joined), plus the same for pairs no blocking rule generated, "
          "found on a sample of records that share a loose key (a sound-alike name, a birth month, a postcode "
          "district; between adults and children, only pairs born within a generation of each other, as the "
          "blocking rules do) and scored by the same model, scaled up by the sample's share of pairs. Before "
          "counting, each pair of extracts gets its own prior chance that two records match, re-fitted from "
          "the model's probabilities (the model of records outside the cohort keeps its total and spreads it "
          "over its pairs of extracts), and every probability is moved to that prior. A match sharing "
          "none of the loose keys is invisible to the estimate, and a model too sure of itself overstates "
          "precision.")


def _f1(p: float | None, r: float | None) -> float | None:
    return 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def choose_threshold(backend: LinkageEngine, accepted_sql: str, all_sql: str, grid: tuple[float, ...]) -> dict[str, Any]:
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


def refit_priors(backend: LinkageEngine, scored: str, probes: str | None, spine: str, cohort: str,
                 outside_cohort: dict[str, int]) -> tuple[str, str | None, dict[str, Any]]:
    """Each pair of extracts' own prior, re-fitted from the model's probabilities; the pairs re-scored with it.

    Why: a model's prior (the chance two random records match) is one number for all its pairs, set from
    near-certain matches on the assumption that they are 80% of all matches. Two ways that goes wrong, both
    seen on data with truth: (1) the model for the records outside the cohort is one model over every
    extract at once, so the prior that fits a children's record against another extract's (many matches)
    is applied to two records of one extract (few duplicates), and siblings there were counted as matches
    missed (the children's extract was estimated 0.08 below its true F1); (2) where errors are many, exact
    agreement finds far fewer than 80% of the matches, the prior is too small, every probability below
    the threshold is too low, and the matches missed are undercounted.

    The fix is the prior's own EM step with m and u held: for the pairs of each two extracts, the prior is
    the expected matches (the summed probability, each probed pair counted for the pairs it stands for)
    over the pairs there are, and each probability is moved by the change in prior odds; repeated to a
    fixed point. Pairs no rule scores or probes count as non-matches, as they do everywhere in the
    estimate. ``outside_cohort``: records per extract in the model of records outside the cohort (the pairs
    there are counted among those). Returns the re-scored tables and, per pair of extracts, the priors.
    """
    import math

    if "prior" not in backend.columns(scored):
        return scored, probes, {}
    sizes = {str(d): int(n) for d, n in backend.rows(f"SELECT dataset, count(*) FROM {spine} GROUP BY 1")}

    def pairs(x: str, y: str) -> float:
        counts = sizes if cohort in (x, y) else outside_cohort
        nx, ny = counts.get(x, 0), counts.get(y, 0)
        return nx * (nx - 1) / 2 if x == y else float(nx * ny)

    union = f"SELECT ds_l, ds_r, match_probability AS p, 1.0 AS w, prior FROM {scored}"
    if probes:
        union += f" UNION ALL SELECT ds_l, ds_r, match_probability AS p, weight AS w, prior FROM {probes}"
    # Log-odds in bins of 0.01 (floor, not round: engines break ties differently): the fixed point needs
    # only how much weight sits at each.
    rows = backend.rows(f"""
        SELECT least(ds_l, ds_r) AS x, greatest(ds_l, ds_r) AS y, max(prior) AS prior,
               (floor(100 * ln(greatest(p, 1e-12) / greatest(1 - p, 1e-12))) + 0.5) / 100 AS lo, sum(w) AS w
        FROM ({union}) u WHERE p IS NOT NULL GROUP BY 1, 2, 4""")
    groups: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    # Sorted, so the sums run in one order on every engine (the same figures from DuckDB and Spark).
    for x, y, prior, lo, w in sorted(rows, key=lambda r: (str(r[0]), str(r[1]), float(r[3]))):
        groups.setdefault((str(x), str(y)), []).append((float(prior or 0.0), float(lo), float(w)))
    ratios: dict[tuple[str, str], float] = {}
    report: dict[str, Any] = {}
    for (x, y), bins in groups.items():
        prior, n = max(b[0] for b in bins), pairs(x, y)
        if not 0 < prior < 1 or n <= 0:
            continue
        log_r = 0.0
        for _ in range(100):
            expected = sum(w / (1 + math.exp(-(lo + log_r))) for _, lo, w in bins)
            fitted = min(max(expected / n, 1e-12), 0.5)
            new = math.log(fitted / (1 - fitted)) - math.log(prior / (1 - prior))
            done = abs(new - log_r) < 1e-6
            log_r = new
            if done:
                break
        ratios[(x, y)] = float(f"{math.exp(log_r):.12g}")
        report[f"{x} | {y}"] = {"model_prior": float(f"{prior:.6g}"), "fitted_prior": float(f"{fitted:.6g}"),
                                "expected_matches": round(expected, 1)}
    # The records outside the cohort share one model over every pair of their extracts: its prior is spread
    # over those pairs as the fit says, keeping the model's own total of matches.
    outside = [(x, y) for (x, y) in ratios if cohort not in (x, y)]
    if outside:
        prior = max(b[0] for g in outside for b in groups[g])
        fitted_total = sum(report[f"{x} | {y}"]["fitted_prior"] * pairs(x, y) for x, y in outside)
        scale = prior * sum(pairs(x, y) for x, y in outside) / fitted_total if fitted_total > 0 else 1.0
        for x, y in outside:
            f = min(report[f"{x} | {y}"]["fitted_prior"] * scale, 0.5)
            ratios[(x, y)] = float(f"{(f / (1 - f)) / (prior / (1 - prior)):.12g}")
            report[f"{x} | {y}"]["fitted_prior"] = float(f"{f:.6g}")
    if not ratios:
        return scored, probes, report
    values = " UNION ALL ".join(f"SELECT {literal(x)} AS x, {literal(y)} AS y, CAST({r!r} AS DOUBLE) AS r"
                                for (x, y), r in ratios.items())
    backend.create_table("bold_est_ratio", values)

    def rescored(table: str, name: str) -> str:
        cols = [c for c in backend.columns(table) if c != "match_probability"]
        backend.create_table(name, f"""
            SELECT {', '.join(f"t.{c}" for c in cols)},
                   CASE WHEN q.r IS NULL OR t.match_probability >= 1 THEN t.match_probability
                        ELSE q.r * t.match_probability / (q.r * t.match_probability + 1 - t.match_probability)
                   END AS match_probability
            FROM {table} t LEFT JOIN bold_est_ratio q ON q.x = least(t.ds_l, t.ds_r) AND q.y = greatest(t.ds_l, t.ds_r)""")
        return name

    out = rescored(scored, "bold_est_scored"), (rescored(probes, "bold_est_probes") if probes else None)
    backend.drop("bold_est_ratio")
    return out[0], out[1], report


def estimate(backend: LinkageEngine, scored: str, spine: str = "bold_spine", probes: str | None = None,
             cohort: str | None = None, outside_cohort: dict[str, int] | None = None) -> dict[str, Any]:
    """Estimated pairwise precision, recall and F1 of the spine, overall and for pairs touching each extract.

    ``scored``: every pair any model scored (``ds_l, id_l, ds_r, id_r, match_probability``). A pair the
    spine puts together but no model scored (joined through a third record) is taken to be right with the
    mean probability of the scored pairs inside its cluster. ``probes``: pairs no blocking rule generated,
    found on a sample of records and scored by the same model, with ``weight``, the number of pairs of the
    whole data each stands for (see ``link._blocking_misses``).

    Recall counts what is missed *between clusters*, not between records. The spine is a star around the
    cohort: most pairs (a benefits record with a tax record) are never compared directly but joined through
    the cohort person, so one record that fails to join its person loses a pair with every record of that
    person. For each two clusters that some scored or probed pair says may be one person, the expected
    missed pairs are the chance they are one person times the pairs the two would make together. That
    chance is the likeliest pair between a cohort person and a group that joined no cohort person (the
    group is held by its own links and was mostly never compared with the cohort), and elsewhere the
    summed probability over the pairs that are evidence of it (see the query), at most one. An agency
    record's probability of belonging to another cohort person than the one it joined is at most one less
    the probability of the link it has (``cohort``: the cohort extract's name).

    Before any of this, each pair of extracts gets its own prior, re-fitted from the model's probabilities,
    and the pairs are re-scored with it (``refit_priors``; needs a ``prior`` column and ``cohort``).
    """
    priors: dict[str, Any] = {}
    if cohort is not None:
        scored, probes, priors = refit_priors(backend, scored, probes, spine, cohort, outside_cohort or {})
    backend.create_table("bold_est_pairs", f"""
        SELECT s.ds_l, s.id_l, s.ds_r, s.id_r, a.person_key AS key_l, b.person_key AS key_r,
               max(s.match_probability) AS p
        FROM {scored} s
        JOIN {spine} a ON a.dataset = s.ds_l AND a.record_id = s.id_l
        JOIN {spine} b ON b.dataset = s.ds_r AND b.record_id = s.id_r
        GROUP BY ALL
    """)
    # An agency record joins one cohort person at most. How sure the model is of the person it joined bounds
    # how likely it is to belong to another: without this, every weak second candidate of a well-linked
    # record would count as a miss of every pair between two whole people.
    coh = "NULL" if cohort is None else literal(cohort)
    backend.create_table("bold_est_own", f"""
        SELECT ds_r, id_r, max(p) AS own FROM bold_est_pairs
        WHERE ds_l = {coh} AND ds_r <> {coh} AND key_l = key_r GROUP BY ALL
    """)
    bounded = f"""CASE WHEN e.ds_l = {coh} AND e.ds_r <> {coh} THEN least(e.p, 1 - coalesce(o.own, 0)) ELSE e.p END"""
    # The share of pairs the probe sampled: its two sides' shares of records (one side's squared, from the
    # weight, where a probe table does not say).
    qq = ("pr.share_l * pr.share_r" if probes and "share_l" in backend.columns(probes) else "1.0 / pr.weight")
    probed = (f"""UNION ALL
            SELECT pr.ds_l, pr.id_l, pr.ds_r, pr.id_r, a.person_key, b.person_key, pr.match_probability, pr.weight,
                   {qq}, TRUE
            FROM {probes} pr
            JOIN {spine} a ON a.dataset = pr.ds_l AND a.record_id = pr.id_l
            JOIN {spine} b ON b.dataset = pr.ds_r AND b.record_id = pr.id_r
            WHERE a.person_key <> b.person_key""" if probes else "")
    # Two clusters some scored or probed pair says may be one person: the summed probability of the pairs
    # between them, each counted for the pairs of the whole data it stands for (1 when scored, more when
    # sampled), kept apart for the scored pairs and for the sample.
    backend.create_table("bold_est_apart", f"""
        SELECT least(e.key_l, e.key_r) AS k1, greatest(e.key_l, e.key_r) AS k2, e.sampled,
               sum({bounded} * e.w) AS s, max({bounded}) * max(e.w) AS m,
               sum({bounded}) AS ps, max({bounded}) AS pmax, max(e.qq) AS qq,
               -- Records of each group seen in a pair: every pair between them was in the sample.
               count(DISTINCT CASE WHEN e.key_l <= e.key_r THEN e.ds_l || chr(31) || e.id_l
                                   ELSE e.ds_r || chr(31) || e.id_r END)
               * count(DISTINCT CASE WHEN e.key_l <= e.key_r THEN e.ds_r || chr(31) || e.id_r
                                     ELSE e.ds_l || chr(31) || e.id_l END) AS nobs
        FROM (
            SELECT ds_l, id_l, ds_r, id_r, key_l, key_r, p, 1.0 AS w, 1.0 AS qq, FALSE AS sampled
            FROM bold_est_pairs WHERE key_l <> key_r
            {probed}
        ) e LEFT JOIN bold_est_own o ON o.ds_r = e.ds_r AND o.id_r = e.id_r
        GROUP BY ALL
    """)
    datasets = [r[0] for r in backend.rows(f"SELECT DISTINCT dataset FROM {spine} ORDER BY 1")]
    scopes: dict[str, str | None] = {"overall": None, **{d: d for d in datasets}}
    out: dict[str, Any] = {}
    for scope, d in scopes.items():
        n_d = "count(*)" if d is None else f"count(*) FILTER (dataset = {literal(d)})"
        n_c = "count(*)" if cohort is None else f"count(*) FILTER (dataset = {coh})"
        row = backend.rows(f"""
            WITH clusters AS (
                SELECT person_key, count(*) AS n, {n_d} AS d, {n_c} AS c FROM {spine} GROUP BY person_key
            ),
            inside AS (
                SELECT key_l AS person_key, avg(p) AS mean_p FROM bold_est_pairs WHERE key_l = key_r GROUP BY key_l
            ),
            predicted AS (
                SELECT c.person_key, (c.n * (c.n - 1) - (c.n - c.d) * (c.n - c.d - 1)) / 2.0 AS pairs,
                       coalesce(i.mean_p, 1.0) AS mean_p
                FROM clusters c LEFT JOIN inside i USING (person_key) WHERE c.n > 1
            ),
            apart AS (
                -- Records that joined no cohort person against a cohort person: the likeliest pair between
                -- them (a group outside the cohort is held together by its own links, so if one of its
                -- records is the person, all are; most of its records were never compared with the cohort).
                -- Otherwise, the chance two clusters are one person: the summed probability over the pairs between them
                -- that are evidence of it (between two people of the cohort, their cohort records, since an
                -- agency record is held by the person it joined; between a cohort person and others, the
                -- cohort records against every record; outside the cohort, every pair), at most one for the
                -- scored pairs; the sample's pairs each stand for pairs elsewhere, so theirs is not capped.
                -- A pair of groups the sample saw stands for the pairs of groups it did not: a pair of groups
                -- is seen when one pair of their records is sampled, so it counts 1 / (1 - (1 - q)^compared)
                -- times (q the share of pairs sampled; 1 / q for two single records), with the chance they
                -- are one person the mean probability over the sampled pairs between them (a pair between
                -- records seen in the sample that the probe does not hold scored under its floor).
                SELECT e.sampled,
                       CASE WHEN NOT e.sampled AND e.one_sided THEN e.m
                            WHEN NOT e.sampled THEN least(1.0, e.s / e.compared)
                            ELSE (CASE WHEN e.one_sided THEN e.pmax
                                       ELSE least(1.0, e.ps / greatest(e.nobs, e.compared * e.qq)) END)
                                 / (1 - power(1 - least(greatest(e.qq, 1e-12), 1.0), e.compared)) END
                           * (e.na * e.nb - (e.na - e.da) * (e.nb - e.db)) AS missed
                FROM (
                    SELECT x.sampled, x.s, x.m, x.ps, x.pmax, x.nobs, x.qq,
                           a.n AS na, b.n AS nb, a.d AS da, b.d AS db,
                           (a.c = 0) <> (b.c = 0) AS one_sided,
                           greatest(1, CASE WHEN a.c = 0 AND b.c = 0 THEN a.n * b.n
                                            WHEN a.c > 0 AND b.c > 0 THEN a.c * b.c
                                            ELSE a.c * b.n + b.c * a.n END) AS compared
                    FROM bold_est_apart x JOIN clusters a ON a.person_key = x.k1 JOIN clusters b ON b.person_key = x.k2
                ) e
            )
            SELECT (SELECT coalesce(sum(pairs), 0) FROM predicted),
                   (SELECT coalesce(sum(pairs * mean_p), 0) FROM predicted),
                   (SELECT coalesce(sum(missed) FILTER (NOT sampled), 0) FROM apart),
                   (SELECT coalesce(sum(missed) FILTER (sampled), 0) FROM apart)
        """)[0]
        predicted, right, apart, unblocked = (float(x) for x in row)
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
    backend.drop("bold_est_apart")
    backend.drop("bold_est_own")
    backend.drop("bold_est_scored")
    backend.drop("bold_est_probes")
    overall = out.pop("overall")
    return {
        "overall": overall,
        "datasets": out,
        "scored_pairs": {"all": int(spread[0]), "p_at_least_0.99": int(spread[1]),
                         "p_0.5_to_0.99": int(spread[2]), "p_below_0.5": int(spread[3])},
        "method": METHOD.format(floor=SCORE_FLOOR),
        "priors": priors,
    }
