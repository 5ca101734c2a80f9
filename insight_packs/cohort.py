"""The de-identified analysis tables every pack reads: one row per person released, one row per child.

They are built from the linked spine and each extract's *own* columns. Identifier columns are never
selected, so nothing downstream can see a name, a date of birth or a postcode (a test checks every column).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tempfile

from insight_packs.engine import IDENTIFIERS, Engine, sql_literal

STANDARD_IDENTIFIERS = {"first_name", "middle_names", "surname", "date_of_birth", "postcode"}

#: Months after release at which employment is read, for the month-by-month series.
MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class Sources:
    world: Path
    link: Path
    #: The secure stage's secret for record keys (cell key perturbation). Hex only: it goes into SQL.
    key_secret: str = "0" * 32

    def extract(self, dataset: str) -> Path | None:
        for suffix in (".parquet", ".csv"):
            path = self.world / f"{dataset}{suffix}"
            if path.exists():
                return path
        return None


def _own_columns(engine: Engine, view: str) -> list[str]:
    """An extract's columns minus every identifier (the record id stays only for the join to the spine)."""
    return [c for c in engine.columns(view) if c not in STANDARD_IDENTIFIERS | IDENTIFIERS and c != "sex"]


def _record_keys(engine: Engine, dataset: str, raw: str, key_secret: str, scratch: Path) -> str:
    """A table of each record's key for the cell key method, made by ``cellkey.record_keys`` (the one record-key
    function): a keyed hash of the dataset and the agency's own record id, so it is stable from one build to
    the next and the same on every engine. Eight hex digits, read as a fraction of 16**8 by the packs; it never
    leaves the secure stage."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from linkage_core.disclosure.cellkey import KEY_BITS, record_keys

    ids = [str(v) for v in engine.arrow(f"SELECT DISTINCT CAST(record_id AS VARCHAR) AS record_id FROM {raw}")
           .column("record_id").to_pylist()]
    keys = record_keys([f"{dataset}:{i}" for i in ids], key_secret)
    hexed = [f"{int(round(k * (1 << KEY_BITS))):08x}" for k in keys]
    path = scratch / f"keys_{dataset}.parquet"
    pq.write_table(pa.table({"record_id": ids, "record_key": hexed}), path)
    name = f"keys_{dataset}"
    engine.register(name, path)
    return name


def _linked_view(engine: Engine, dataset: str, raw: str, key_secret: str, scratch: Path,
                 keep_sex: bool = False) -> None:
    columns = _own_columns(engine, raw)
    if keep_sex and "sex" in engine.columns(raw):
        columns.append("sex")
    select = ", ".join(f"r.{c}" for c in columns if c != "record_id")
    if any(ch not in "0123456789abcdef" for ch in key_secret) or len(key_secret) < 32:
        raise ValueError("the record-key secret must be at least 32 lower-case hex digits")
    keys = _record_keys(engine, dataset, raw, key_secret, scratch)
    # row_order: a stable order for analysis that does not depend on the random person keys.
    engine.execute(
        f"CREATE OR REPLACE TABLE {dataset} AS SELECT s.person_key, s.match_probability, "
        f"ROW_NUMBER() OVER (ORDER BY CAST(r.record_id AS VARCHAR)) AS row_order, k.record_key, "
        f"{select} "
        f"FROM {raw} r JOIN spine s ON s.dataset = {sql_literal(dataset)} AND s.record_id = CAST(r.record_id AS VARCHAR) "
        f"JOIN {keys} k ON k.record_id = CAST(r.record_id AS VARCHAR)"
    )


def _date(column: str) -> str:
    return f"TRY_CAST({column} AS DATE)"


def _shift(column: str, days: int) -> str:
    """A date ``days`` later (earlier when negative). Written with an interval and a cast because date plus
    a bare number is DuckDB's shorthand and means nothing to Spark; this form transpiles to both."""
    sign = "+" if days >= 0 else "-"
    return f"CAST({column} {sign} INTERVAL {abs(int(days))} DAY AS DATE)"


def load(engine: Engine, sources: Sources) -> list[str]:
    """Register the spine and extracts, and build the ``people`` and ``children`` tables. Returns datasets."""
    engine.register("spine_raw", sources.link / "spine.parquet")
    engine.execute("CREATE OR REPLACE TABLE spine AS SELECT dataset, CAST(record_id AS VARCHAR) AS record_id, "
                   "person_key, match_probability FROM spine_raw")
    datasets = []
    # The record-key tables live as long as the engine that reads them.
    scratch = tempfile.TemporaryDirectory(prefix="bold-keys-")
    engine._bold_record_keys = scratch  # type: ignore[attr-defined]
    for dataset in ("prison", "probation", "dfe", "dwp", "hmrc", "local_authority", "reoffending"):
        path = sources.extract(dataset)
        if path is None:
            continue
        engine.register(f"raw_{dataset}", path)
        _linked_view(engine, dataset, f"raw_{dataset}", sources.key_secret, Path(scratch.name),
                     keep_sex=dataset in {"prison", "dfe", "local_authority"})
        datasets.append(dataset)
    families = sources.link / "families.parquet"
    if families.exists():
        engine.register("families_raw", families)
        engine.execute("CREATE OR REPLACE TABLE families AS SELECT * FROM families_raw")
    # Children whose recorded parent nearly matched someone released (``linkage.near_families``): unknown status.
    possible = sources.link / "families_possible.parquet"
    if possible.exists():
        engine.register("families_possible", possible)
    _people(engine, datasets)
    if {"dfe", "local_authority"} & set(datasets):
        _children(engine, datasets, families.exists(), possible.exists())
    return datasets


def _people(engine: Engine, datasets: list[str]) -> None:
    """One row per person released: their first release in the period, covariates, services and outcomes."""
    engine.execute(f"""
        CREATE OR REPLACE TABLE releases AS
        SELECT * FROM (
            SELECT p.*, {_date('p.release_date')} AS released,
                   ROW_NUMBER() OVER (PARTITION BY p.person_key ORDER BY {_date('p.release_date')}, p.row_order)
                       AS release_rank
            FROM prison p
        ) WHERE release_rank = 1
    """)
    joins, columns = [], []
    if "dfe" in datasets:
        joins.append("""LEFT JOIN (SELECT person_key, MAX(highest_qualification) AS highest_qualification
                        FROM dfe WHERE record_type = 'adult_attainment' GROUP BY person_key) q
                        ON q.person_key = r.person_key""")
        columns.append("COALESCE(q.highest_qualification, 'unknown') AS prior_qualification")
    else:
        columns.append("'unknown' AS prior_qualification")
    if "probation" in datasets:
        services = ["accommodation", "benefits_support", "gp_registration", "substance_treatment",
                    "employment_support"]
        agg = ", ".join(f"MIN({_date(s + '_date')}) AS {s}_date" for s in services)
        joins.append(f"LEFT JOIN (SELECT person_key, {agg} FROM probation GROUP BY person_key) pr "
                     "ON pr.person_key = r.person_key")
        columns += [f"DATE_DIFF('day', r.released, pr.{s}_date) AS days_to_{s}" for s in services]
        if "recall_date" in engine.columns("probation"):
            # A recall to prison after release, where the extract records one (the landmark design needs it).
            joins.append(f"""LEFT JOIN (SELECT p.person_key, MIN({_date('p.recall_date')}) AS recall_date FROM probation p
                            JOIN releases x ON x.person_key = p.person_key
                            WHERE {_date('p.recall_date')} >= x.released GROUP BY p.person_key) rc
                            ON rc.person_key = r.person_key""")
            columns.append("DATE_DIFF('day', r.released, rc.recall_date) AS days_to_recall")
    if "dwp" in datasets:
        joins.append(f"""LEFT JOIN (SELECT d.person_key,
                            MIN(CASE WHEN {_date('d.uc_claim_date')} >= {_shift('x.released', -28)}
                                THEN {_date('d.uc_claim_date')} END) AS uc_claim,
                            MIN(CASE WHEN {_date('d.first_payment_date')} >= x.released
                                THEN {_date('d.first_payment_date')} END) AS uc_payment,
                            LEAST(365, SUM(CASE
                                WHEN {_date('d.uc_claim_date')} >= {_shift('x.released', -28)}
                                     AND {_date('d.uc_claim_date')} <= {_shift('x.released', 365)}
                                THEN LEAST(COALESCE(d.out_of_work_benefit_days_12m, 0),
                                           365 - GREATEST(0, DATE_DIFF('day', x.released, {_date('d.uc_claim_date')})))
                                ELSE 0 END)) AS benefit_days
                        FROM dwp d JOIN releases x ON x.person_key = d.person_key GROUP BY d.person_key) w
                        ON w.person_key = r.person_key""")
        columns += ["DATE_DIFF('day', r.released, w.uc_claim) AS days_to_benefit_claim",
                    "DATE_DIFF('day', r.released, w.uc_payment) AS days_to_first_payment",
                    "COALESCE(w.benefit_days, 0) AS out_of_work_benefit_days"]
    if "hmrc" in datasets:
        covered = ", ".join(
            f"MAX(CASE WHEN {_date('h.start_date')} <= {_shift('x.released', days)} AND "
            f"({_date('h.end_date')} IS NULL OR {_date('h.end_date')} >= {_shift('x.released', days)}) "
            f"THEN 1 ELSE 0 END) AS employed_{name}"
            for name, days in _EMPLOYMENT_POINTS.items()
        )
        joins.append(f"""LEFT JOIN (SELECT h.person_key, {covered},
                            MIN(CASE WHEN {_date('h.start_date')} >= x.released
                                THEN DATE_DIFF('day', x.released, {_date('h.start_date')}) END) AS days_to_job
                        FROM hmrc h JOIN releases x ON x.person_key = h.person_key GROUP BY h.person_key) e
                        ON e.person_key = r.person_key""")
        columns += [f"COALESCE(e.employed_{name}, 0) AS employed_{name}" for name in _EMPLOYMENT_POINTS]
        columns.append("e.days_to_job AS days_to_job")
    if "reoffending" in datasets:
        joins.append(f"""LEFT JOIN (SELECT o.person_key,
                            MIN(CASE WHEN {_date('o.offence_date')} > x.released
                                THEN DATE_DIFF('day', x.released, {_date('o.offence_date')}) END) AS days_to_reoffence
                        FROM reoffending o JOIN releases x ON x.person_key = o.person_key GROUP BY o.person_key) o
                        ON o.person_key = r.person_key""")
        columns += ["o.days_to_reoffence AS days_to_reoffence",
                    "CASE WHEN o.days_to_reoffence <= 365 THEN 1 ELSE 0 END AS reoffended_12m"]
    base = [c for c in engine.columns("releases")
            if c not in {"release_rank", "release_date", "match_probability", "courses"}]
    select = ", ".join([f"r.{c}" for c in base] + columns)
    engine.execute(f"""
        CREATE OR REPLACE TABLE people AS
        SELECT {select},
            CASE WHEN r.age_at_release < 25 THEN '18 to 24' WHEN r.age_at_release < 35 THEN '25 to 34'
                 WHEN r.age_at_release < 50 THEN '35 to 49' ELSE '50 and over' END AS age_band,
            CASE WHEN r.sentence_months < 12 THEN 'Under 12 months'
                 WHEN r.sentence_months < 48 THEN '12 months to 4 years' ELSE '4 years or more' END
                 AS sentence_length
        FROM releases r {' '.join(joins)}
    """)
    if "courses" in engine.columns("releases"):
        # One row per course: UNNEST in the select list is EXPLODE on Spark, and both read struct fields
        # by name afterwards.
        engine.execute("""
            CREATE OR REPLACE TABLE courses AS
            SELECT person_key, c.type AS course_type, c.sector AS course_sector, c.level AS course_level,
                   c.completed AS course_completed
            FROM (SELECT person_key, UNNEST(courses) AS c FROM releases) taken
        """)


#: Days after release at which P45 employment is read.
_EMPLOYMENT_POINTS = {"6w": 42, "6m": 182, "1y": 365, **{f"m{m}": round(30.44 * m) for m in MONTHS}}


def _children(engine: Engine, datasets: list[str], has_families: bool, has_possible: bool = False) -> None:
    """One row per child known to schools or councils, with whether a parent was in the cohort, and whether
    the parent their council record names nearly matched someone released without being linked
    (``possible_parent_in_cohort``: 1 for those, 0 otherwise; null for everyone when linkage did not look)."""
    parts = []
    if "dfe" in datasets:
        parts.append("""SELECT person_key, MIN(row_order) AS row_order, MIN(record_key) AS record_key,
                        MAX(region) AS region, MAX(sex) AS sex,
                        MAX(school_year) AS school_year, AVG(attendance_rate) * 100 AS attendance_rate,
                        MAX(CASE WHEN persistent_absence THEN 1 ELSE 0 END) AS persistent_absence,
                        SUM(COALESCE(suspensions, 0)) AS suspensions,
                        MAX(CASE WHEN permanent_exclusion THEN 1 ELSE 0 END) AS permanent_exclusion,
                        MAX(CASE WHEN attainment_expected THEN 1 ELSE 0 END) AS attainment_expected,
                        1 AS in_school_data, 0 AS in_council_data, 0 AS children_in_need, 0 AS early_help
                        FROM dfe WHERE record_type = 'pupil' GROUP BY person_key""")
    if "local_authority" in datasets:
        parts.append("""SELECT person_key, 1000000000 + MIN(row_order), MIN(record_key), NULL, MAX(sex), NULL, NULL, NULL, NULL,
                        NULL, NULL, 0, 1,
                        MAX(CASE WHEN children_in_need THEN 1 ELSE 0 END),
                        MAX(CASE WHEN early_help THEN 1 ELSE 0 END)
                        FROM local_authority GROUP BY person_key""")
    union = " UNION ALL ".join(parts)
    # A join, not "IN (SELECT ...)" inside CASE: Spark allows subqueries only in filters.
    # "Any parent in the cohort", not "the parent with the lowest key": person keys are random per link run
    # (and per engine), so a child with two linked parents must not depend on which key came out lower.
    parent = ("LEFT JOIN (SELECT fa.child_person_key, MIN(fa.parent_person_key) AS parent_person_key, "
              "MAX(CASE WHEN pc.cohort_key IS NOT NULL THEN 1 ELSE 0 END) AS parent_in_cohort FROM families fa "
              "LEFT JOIN (SELECT DISTINCT person_key AS cohort_key FROM people) pc "
              "ON pc.cohort_key = fa.parent_person_key GROUP BY fa.child_person_key) f "
              "ON f.child_person_key = u.person_key") if has_families else ""
    parent_col = "f.parent_person_key" if has_families else "CAST(NULL AS BIGINT)"
    in_cohort = "COALESCE(f.parent_in_cohort, 0)" if has_families else "0"
    possible_join = ("LEFT JOIN (SELECT DISTINCT child_person_key AS possible_key FROM families_possible) fp "
                     "ON fp.possible_key = u.person_key") if has_possible else ""
    # Null for everyone when linkage did not look, so the pack never says it left children out when it did not.
    possible = ("MAX(CASE WHEN fp.possible_key IS NOT NULL THEN 1 ELSE 0 END)" if has_possible
                else "CAST(NULL AS INTEGER)")
    engine.execute(f"""
        CREATE OR REPLACE TABLE children AS
        SELECT u.person_key, {parent_col} AS parent_person_key,
               {in_cohort} AS parent_in_cohort, MIN(u.row_order) AS row_order, MIN(u.record_key) AS record_key,
               MAX(u.region) AS region, MAX(u.sex) AS sex, MAX(school_year) AS school_year, AVG(attendance_rate) AS attendance_rate,
               MAX(persistent_absence) AS persistent_absence, MAX(suspensions) AS suspensions,
               MAX(permanent_exclusion) AS permanent_exclusion, MAX(attainment_expected) AS attainment_expected,
               MAX(in_school_data) AS in_school_data, MAX(in_council_data) AS in_council_data,
               MAX(children_in_need) AS children_in_need, MAX(early_help) AS early_help,
               {possible} AS possible_parent_in_cohort
        FROM ({union}) u {parent} {possible_join}
        GROUP BY {', '.join(["u.person_key"] + ([parent_col, in_cohort] if has_families else []))}
    """)
