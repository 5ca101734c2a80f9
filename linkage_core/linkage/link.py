"""Orchestration: standardise the extracts, link each to the cohort, link the rest, write the spine.

The shape of the linkage is a star around the cohort. Each agency extract is linked to the cohort on
its own (a ``link_only`` model trained for that pair, because each agency keys identifiers with its own
habits), and each agency record joins at most one cohort person: its best match above the threshold.
Each model's blocking rules are chosen from the data within a budget of comparisons per record
(``blocking``), and its threshold from its own estimated precision and recall (``accuracy``); both, with
the reasons, go into ``quality.json``, beside the estimate of how well the whole linkage did.
Joining only the best match stops one ambiguous record from fusing two people. Records that joined no
one (children, say, or people never in the cohort) are then linked to each other across all extracts
in one ``dedupe_only`` model. Duplicates inside the cohort are found by a cohort ``dedupe_only`` model.
All accepted links are clustered by connected components and each cluster gets a random key.

The star keeps the work near-linear: no agency is compared with another agency, except for the
records that matched no one, and each model's rules stay within a per-record budget (see ``blocking``).

Two things are learnt once and shared. u (chance agreement) is sampled on the cohort: it describes the
population, not the pair of extracts. m is trained by EM for every pair, but checked: a pair of extracts
with no people in common (children's records against adults') teaches EM to call families matches, and
then the cohort's m is used instead (``_check_m``).
"""

from __future__ import annotations

import copy
import itertools
import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkage_core.errors import UsageError
from linkage_core.linkage import accuracy
from linkage_core.linkage import blocking
from linkage_core.linkage import qa
from linkage_core.linkage import settings as model
from linkage_core.engines import EngineKind, LinkageEngine
from linkage_core.linkage.backend import open_backend
from linkage_core.linkage.stable import same_hash_in_splink, stable_sample
from linkage_core.linkage import near_families
from linkage_core.linkage.spine import assign_person_keys, write_families, write_spine
from linkage_core.linkage.standardise import STANDARD_COLUMNS, extract_paths, standardise_table
from linkage_core.linkage import quality as quality_mod
from linkage_core.sql import literal

Progress = Callable[[str, float], None]

#: The standard columns that carry evidence; a table "has" one when any row holds a value.
_EVIDENCE = ("first_name", "middle_names", "surname", "dob", "sex", "postcode")
_DERIVED = {"dob": ("dob_y", "dob_m", "dob_d"), "first_name": ("fn_initial", "fn_variants", "fn_female", "fn_sx"),
            "middle_names": ("mn_first",), "postcode": ("pc_district", "pc_area"),
            "surname": ("surname_sx", "sn_initial")}
#: Where a council extract records a child's parent.
_PARENT_COLUMNS = near_families.PARENT_COLUMNS


class LinkageInputError(UsageError):
    """The world folder cannot be linked as asked (no cohort extract, no record ids)."""

    default_message = "The extracts could not be linked."


@dataclass
class LinkResult:
    """Where the outputs went, and the figures a caller reports."""

    spine_path: Path
    families_path: Path
    quality_path: Path
    quality: dict[str, Any]
    records: int
    people: int
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Table:
    dataset: str
    name: str          # the engine's table holding its standardised identifiers
    rows: int
    available: set[str]


def link_world(
    world_dir: Path,
    out_dir: Path,
    cohort: str = "prison",
    progress: Progress | None = None,
    evaluate: bool = True,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    engine: EngineKind = "duckdb",
    spark_master: str | None = None,
    qa_dir: Path | None = None,
) -> LinkResult:
    """Link every extract in ``world_dir`` to the people of the ``cohort`` extract and write the spine.

    Writes ``spine.parquet``, ``families.parquet`` and ``quality.json`` in ``out_dir``. None of them holds
    a name, a date of birth or a postcode. ``_truth/`` is read only by the evaluation, after the spine is
    on disk, and only when ``evaluate`` is true.

    ``engine`` chooses where the work runs: ``duckdb`` in this process (``memory_limit``, by default a
    share of the free memory, see ``linkage_core.memory``; ``threads``), or
    ``spark`` (``spark_master``, else Spark Connect from ``SPARK_REMOTE``, else local). The model is the same.

    ``qa_dir``: also write Splink's QA charts and every model's settings there (``qa``); they show names
    and dates, and nothing of them reaches the spine or a bundle.
    """
    timings: dict[str, float] = {}
    report = _timed(progress or (lambda _stage, _fraction: None), timings)
    world_dir, out_dir = Path(world_dir), Path(out_dir)
    paths = extract_paths(world_dir)
    if cohort not in paths:
        raise LinkageInputError(f"There is no {cohort} extract in {world_dir}, so there is no cohort to link to.")
    if qa_dir is not None:
        qa.start(Path(qa_dir))  # a folder holding files is refused here, before any work (one sentence)
    out_dir.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="bold-link-") as spill, _quiet_splink(), same_hash_in_splink():
        backend = open_backend(engine, Path(spill), memory_limit=memory_limit, threads=threads,
                               spark_master=spark_master)
        try:
            report("Reading and standardising extracts", 0.0)
            tables = _standardise_all(backend, paths, cohort, report)
            timings["standardise"] = time.perf_counter() - clock

            db = backend.splink_api()
            if backend.kind == "spark":  # one Jaro-Winkler on both engines: DuckDB's (``stable``)
                from linkage_core.linkage.stable import duckdb_similarity_on_spark

                duckdb_similarity_on_spark(backend.spark)  # type: ignore[attr-defined]
            u_values: UValues = {}
            m_values: MValues = {}
            run = _Run(u_values, m_values, backend, Path(qa_dir) if qa_dir is not None else None)
            edges = _link_all(backend, db, tables, cohort, report, run)
            timings["link"] = time.perf_counter() - clock - timings["standardise"]

            report("Grouping records into people", 0.85)
            people = assign_person_keys(backend, db, tables_sql=_nodes_sql(tables), edges_table=edges)
            records = write_spine(backend, out_dir / "spine.parquet")
            timings["cluster"] = time.perf_counter() - clock - timings["standardise"] - timings["link"]
            report("Linking children to parents", 0.9)
            family_edges = _link_parents(backend, db, paths, tables, cohort, u_values, m_values)
            write_families(backend, family_edges, out_dir / "families.parquet", cohort)
            rates = quality_mod.match_rates(backend, cohort)
            _union(backend, "bold_scored", run.scored, "ds_l VARCHAR, id_l VARCHAR, ds_r VARCHAR, id_r VARCHAR, "
                                                       "match_probability DOUBLE, prior DOUBLE")
            _union(backend, "bold_probes", run.probes, "ds_l VARCHAR, id_l VARCHAR, ds_r VARCHAR, id_r VARCHAR, "
                                                       "match_probability DOUBLE, weight DOUBLE, share_l DOUBLE, "
                                                       "share_r DOUBLE, prior DOUBLE")
            estimate = accuracy.estimate(backend, "bold_scored", probes="bold_probes", cohort=cohort,
                                         outside_cohort=run.residual_counts)
        finally:
            backend.close()
    # Children whose recorded parent nearly matches someone released but was not linked: their family status
    # is unknown, and the children's pack leaves them out of its comparison (``near_families``).
    near_families.write_possible_families(world_dir, out_dir, cohort=cohort)
    timings["total_link"] = time.perf_counter() - clock

    quality: dict[str, Any] = {"cohort": cohort, "records": records, "people": people, "datasets": rates,
                               "estimate": estimate, "models": run.models}
    if evaluate and (world_dir / "_truth" / "truth.parquet").exists():
        report("Checking the links against the known truth", 0.95)
        quality["evaluation"] = quality_mod.evaluate_against_truth(world_dir, out_dir, cohort)
        timings["evaluate"] = time.perf_counter() - clock - timings["total_link"]
    quality_path = quality_mod.write_quality(quality, out_dir / "quality.json")
    report("Linkage finished", 1.0)
    return LinkResult(out_dir / "spine.parquet", out_dir / "families.parquet", quality_path, quality,
                      records, people, timings)


def _timed(progress: Progress, timings: dict[str, float]) -> Progress:
    """Pass progress on, and note how long each stage took (the benchmark reports these)."""
    state = {"stage": "", "since": time.perf_counter()}

    def report(stage: str, fraction: float) -> None:
        now = time.perf_counter()
        if stage != state["stage"]:
            if state["stage"]:
                timings[f"stage: {state['stage']}"] = timings.get(f"stage: {state['stage']}", 0.0) + now - state["since"]
            state["stage"], state["since"] = stage, now
        progress(stage, fraction)

    return report


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink logs each step at INFO; the caller's progress callback is the only voice we want."""
    logger = logging.getLogger("splink")
    before = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


def _standardise_all(backend: LinkageEngine, paths: dict[str, Path], cohort: str,
                     report: Progress) -> dict[str, _Table]:
    ordered = [cohort] + [d for d in paths if d != cohort]
    tables: dict[str, _Table] = {}
    for i, dataset in enumerate(ordered):
        slug = re.sub('[^a-z0-9]', '', dataset.lower())[:20]
        columns = backend.register(f"raw_{i}_{slug}", paths[dataset], text=True)
        if "record_id" not in columns:
            raise LinkageInputError(f"The {dataset} extract has no record_id column, so its records cannot be named.")
        name = f"std_{i}_{slug}"
        rows = standardise_table(backend, f"raw_{i}_{slug}", name, columns=columns)
        tables[dataset] = _Table(dataset, name, rows, _available(backend, name))
        report("Reading and standardising extracts", 0.1 * (i + 1) / len(ordered))
    return tables


def _available(backend: LinkageEngine | Any, table: str) -> set[str]:
    if not hasattr(backend, "rows"):
        from linkage_core.engines import DuckDBEngine

        backend = DuckDBEngine.wrap(backend)
    counts = backend.rows(f"SELECT {', '.join(f'count({c})' for c in _EVIDENCE)} FROM {table}")[0]
    have = {c for c, n in zip(_EVIDENCE, counts or ()) if n}
    return have | {d for c in have for d in _DERIVED.get(c, ())}


def _nodes_sql(tables: dict[str, _Table]) -> str:
    return " UNION ALL ".join(
        f"SELECT {literal(t.dataset)} AS dataset, record_id FROM {t.name}"
        for t in tables.values()
    )


@dataclass
class _Run:
    """What every model of one run shares and leaves behind: u and m values, each model's account of
    itself (rules, counts, threshold and why) for ``quality.json``, and the tables of pairs it scored."""

    u_values: UValues
    m_values: MValues
    backend: LinkageEngine | None = None
    qa_dir: Path | None = None
    last: tuple[Any, Any] | None = None   # the latest model's linker and inputs, for its QA charts
    models: list[dict[str, Any]] = field(default_factory=list)
    scored: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)
    #: The latest model's unblocked pairs, their weight, and the share of records sampled on each side.
    pending_probe: tuple[str, float, float, float] | None = None
    residual_counts: dict[str, int] = field(default_factory=dict)   # records outside the cohort, per extract


#: Stands for the table of a model's pairs in the SQL that turns them into (ds_l, id_l, ds_r, id_r, p).
_PAIRS = "__bold_pairs__"


def _accept(backend: LinkageEngine, run: _Run, name: str, pairs_sql: str, best_sql: str | None,
            grid: tuple[float, ...], preds: Any) -> str:
    """Keep this model's scored pairs, choose its threshold from them, and return its accepted links.

    ``pairs_sql``: every scored pair as (ds_l, id_l, ds_r, id_r, match_probability), read from ``_PAIRS``
    (Splink's predictions; the same SQL turns the model's unblocked probe pairs into the same shape);
    ``best_sql``: the pairs a threshold chooses among, when that is not all of them (a link keeps each
    record's best match).
    """
    table = f"bold_scored_{next(_EDGE_TABLES):06d}"
    # The model's prior travels with its pairs: the estimate re-fits it per pair of extracts (``accuracy``).
    prior = f"CAST({float(run.models[-1].get('prior') or 0.0)!r} AS DOUBLE) AS prior"
    backend.create_table(table, f"SELECT *, {prior} FROM ({pairs_sql.replace(_PAIRS, preds.physical_name)}) p")
    if run.pending_probe is not None:
        raw, weight, share_l, share_r = run.pending_probe
        probe = f"bold_probe_{next(_EDGE_TABLES):06d}"
        backend.create_table(probe, f"SELECT *, CAST({weight} AS DOUBLE) AS weight, CAST({share_l} AS DOUBLE) AS share_l, "
                                    f"CAST({share_r} AS DOUBLE) AS share_r, {prior} "
                                    f"FROM ({pairs_sql.replace(_PAIRS, raw)}) p")
        backend.drop(raw)
        run.probes.append(probe)
        run.pending_probe = None
    run.scored.append(table)
    candidates = best_sql.format(scored=table) if best_sql else f"SELECT * FROM {table}"
    choice = accuracy.choose_threshold(backend, candidates, f"SELECT * FROM {table}", grid)
    run.models[-1]["threshold"] = {k: v for k, v in choice.items() if k != "tried"}
    run.models[-1]["thresholds_tried"] = choice["tried"]
    kept = f"bold_edges_{next(_EDGE_TABLES):06d}"
    backend.create_table(kept, f"SELECT ds_l, id_l, ds_r, id_r, match_probability FROM ({candidates}) c "
                               f"WHERE match_probability >= {choice['threshold']}")
    if run.qa_dir is not None and run.last is not None:
        linker, inputs = run.last
        qa.write_model(run.qa_dir, run.models[-1]["model"], linker, inputs, preds, run.models[-1])
    run.last = None
    return kept


def _link_all(backend: LinkageEngine, db: Any, tables: dict[str, _Table], cohort: str,
              report: Progress, run: _Run) -> str:
    """Run every model and collect accepted links in one edge table of (dataset, record_id) pairs."""
    u_values, m_values = run.u_values, run.m_values
    anchor = tables[cohort]
    others = [t for d, t in tables.items() if d != cohort]
    steps = len(others) + 2
    edges: list[str] = []
    report(f"Finding duplicates in {cohort}", 0.1)
    if anchor.rows > 1 and anchor.available:
        preds = _predict(db, [anchor], "dedupe_only", anchor.available, accuracy.SCORE_FLOOR, u_values, m_values,
                         run=run, name=f"duplicates in {cohort}")
        if preds is not None:
            edges.append(_accept(backend, run, cohort, f"""SELECT {literal(cohort)} AS ds_l, record_id_l AS id_l,
                {literal(cohort)} AS ds_r, record_id_r AS id_r, match_probability FROM {_PAIRS}""",
                None, accuracy.CLUSTER_GRID, preds))
            preds.drop_table_from_database_and_remove_from_cache()
    linked: list[str] = []
    for i, other in enumerate(others, start=1):
        report(f"Linking {other.dataset} to {cohort}", 0.1 + 0.7 * i / steps)
        shared = anchor.available & other.available
        if not shared or other.rows == 0 or anchor.rows == 0:
            continue
        preds = _predict(db, [anchor, other], "link_only", shared, accuracy.SCORE_FLOOR, u_values, m_values,
                         run=run, name=f"{other.dataset} to {cohort}")
        if preds is None:
            continue
        # Orient each pair (cohort, other); a threshold chooses among each record's best cohort match only.
        oriented = f"""
            SELECT {literal(cohort)} AS ds_l,
                   CASE WHEN source_dataset_l = {literal(other.dataset)} THEN record_id_r ELSE record_id_l END AS id_l,
                   {literal(other.dataset)} AS ds_r,
                   CASE WHEN source_dataset_l = {literal(other.dataset)} THEN record_id_l ELSE record_id_r END AS id_r,
                   match_probability
            FROM {_PAIRS}"""
        best = """SELECT ds_l, id_l, ds_r, id_r, match_probability FROM (
                SELECT *, row_number() OVER (PARTITION BY id_r ORDER BY match_probability DESC, id_l) AS link_rank
                FROM {scored}) ranked WHERE link_rank = 1"""
        linked.append(_accept(backend, run, other.dataset, oriented, best, accuracy.LINK_GRID, preds))
        preds.drop_table_from_database_and_remove_from_cache()
    report("Linking records outside the cohort to each other", 0.1 + 0.7 * (steps - 1) / steps)
    residual = _link_residual(backend, db, others, linked, run)
    edges += linked + ([residual] if residual else [])
    _union(backend, "bold_edges", edges, "ds_l VARCHAR, id_l VARCHAR, ds_r VARCHAR, id_r VARCHAR, "
                                         "match_probability DOUBLE")
    return "bold_edges"


_EDGE_TABLES = itertools.count()


def _keep(backend: LinkageEngine, preds: Any, sql: str) -> str:
    """Materialise accepted links from one model as a table of our own, then let Splink's table go."""
    name = f"bold_edges_{next(_EDGE_TABLES):06d}"
    backend.create_table(name, sql)
    preds.drop_table_from_database_and_remove_from_cache()
    return name


def _union(backend: LinkageEngine, name: str, parts: list[str], schema: str) -> None:
    """One table from many of the same shape; an empty, typed table when there are none."""
    if parts:
        backend.create_table(name, " UNION ALL ".join(f"SELECT * FROM {p}" for p in parts))
        return
    columns = [c.strip().split(" ") for c in schema.split(",")]
    backend.create_table(name, "SELECT " + ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in columns) + " WHERE 1 = 0")


def _link_residual(backend: LinkageEngine, db: Any, others: list[_Table], linked: list[str], run: _Run) -> str | None:
    """Records that joined no cohort person, from every extract at once: children, people never in custody.

    Their record ids are prefixed with the dataset so one table can hold them all; the prefix is split off
    again before the links join the edge table. Returns the table of accepted links, if any.
    """
    if not others:
        return None
    _union(backend, "bold_linked_edges", linked, "ds_l VARCHAR, id_l VARCHAR, ds_r VARCHAR, id_r VARCHAR, "
                                                 "match_probability DOUBLE")
    own = ", ".join(f"s.{c}" for c in STANDARD_COLUMNS if c != "record_id")
    selects = [
        f"""SELECT {literal(t.dataset)} || chr(31) || s.record_id AS record_id, {own}
            FROM {t.name} s ANTI JOIN bold_linked_edges l ON l.ds_r = {literal(t.dataset)} AND l.id_r = s.record_id"""
        for t in others
    ]
    backend.create_table("bold_residual", " UNION ALL ".join(selects))
    rows = int(backend.rows("SELECT count(*) FROM bold_residual")[0][0])
    run.residual_counts = {str(d): int(n) for d, n in backend.rows(
        "SELECT split_part(record_id, chr(31), 1), count(*) FROM bold_residual GROUP BY 1")}
    available = _available(backend, "bold_residual")
    if rows < 2 or not available:
        return None
    residual = _Table("residual", "bold_residual", rows, available)
    preds = _predict(db, [residual], "dedupe_only", available, accuracy.SCORE_FLOOR, run.u_values, run.m_values,
                     outsiders=True, run=run, name="records outside the cohort")
    if preds is None:
        return None
    kept = _accept(backend, run, "residual", f"""
        SELECT split_part(record_id_l, chr(31), 1) AS ds_l, substr(record_id_l, strpos(record_id_l, chr(31)) + 1) AS id_l,
               split_part(record_id_r, chr(31), 1) AS ds_r, substr(record_id_r, strpos(record_id_r, chr(31)) + 1) AS id_r,
               match_probability
        FROM {_PAIRS}
    """, None, accuracy.OUTSIDERS_GRID, preds)
    preds.drop_table_from_database_and_remove_from_cache()
    return kept


_REGISTRATIONS = itertools.count()


UValues = dict[tuple[str, str], float]
MValues = dict[tuple[str, str], float]


def _predict(db: Any, tables: list[_Table], link_type: model.LinkType, available: set[str],
             threshold: float, u_values: UValues | None = None, m_values: MValues | None = None,
             outsiders: bool = False, run: _Run | None = None, name: str = "") -> Any:
    """Train one model for these tables and return its scored pairs at or above ``threshold``.

    When ``u_values`` is given (keyed by comparison and level), those chance-agreement rates are used
    instead of sampling again; when it is an empty dict, the rates this model estimates are put in it.
    ``m_values`` works the same way for the fallback m values (see ``_check_m``).
    """
    from splink import Linker

    if not model.comparisons(available):
        return None
    # Splink puts the input whose name sorts first on the left of every pair. Fixed-width names keep the
    # cohort (registered first) on the left in every run; "bold_in_10" would sort before "bold_in_9".
    inputs = [db.register(t.name, dataset_display_name=t.dataset, table_name=f"bold_in_{next(_REGISTRATIONS):09d}")
              for t in tables]
    rules = None
    account: dict[str, Any] = {"model": name, "link_type": link_type, "records": [t.rows for t in tables]}
    if not outsiders and run is not None and run.backend is not None:
        # Rules chosen by counting on these tables (see ``blocking``); the outsiders keep their own.
        rules, account["blocking"] = blocking.choose_rules(
            run.backend, tables[0].name, tables[1].name if len(tables) > 1 else None, available,
            max(t.rows for t in tables))
    settings = model.settings_for(link_type, available, outsiders=outsiders, rules=rules)
    if not settings.blocking_rules_to_generate_predictions:
        return None
    if run is not None:
        run.models.append(account)
    linker = Linker(inputs if len(inputs) > 1 else inputs[0], settings, log_level=None)
    _train(linker, available, tables, u_values, m_values)
    account["prior"] = linker._settings_obj._probability_two_random_records_match
    if run is not None:
        run.last = (linker, inputs if len(inputs) > 1 else inputs[0])
        if run.backend is not None:
            chosen = len(settings.blocking_rules_to_generate_predictions)
            account["missed_by_blocking"] = _blocking_misses(run, db, tables, linker, chosen)
    return linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")


#: Records per side sampled to look for matches the blocking rules missed.
_MISS_SAMPLE = 6000
_LOOSE = (("surname_sx",), ("fn_sx",), ("dob_y", "dob_m"), ("pc_district",))


def _blocking_misses(run: _Run, db: Any, tables: list[_Table], linker: Any, chosen: int) -> float | None:
    """Matches the blocking rules never generated, expected from the model itself (for recall's estimate).

    On a sample of records, pairs that share any one loose key (a sound-alike surname or first name, a birth
    month, a postcode district) but that no chosen rule generates are scored with the trained model. Those
    pairs are kept, with the number of pairs of the whole data each stands for, for ``accuracy.estimate``
    (``run.pending_probe``, picked up by ``_accept``); their summed probability, scaled up by the sample's
    share of pairs, is returned: the expected number of matches lost to blocking. A match sharing none of
    those keys stays invisible.
    """
    from splink import Linker

    backend = run.backend
    assert backend is not None
    names: list[tuple[str, str]] = []
    try:
        model = linker._settings_obj.as_dict()
        loose = _loose_rules(_avail_cols(tables), run.models[-1] if run.models else {})
        if not loose:
            return None
        shares = []
        for t in tables:
            q = min(1.0, _MISS_SAMPLE / max(t.rows, 1))
            name = f"bold_miss_{next(_EDGE_TABLES):06d}"
            backend.create_table(name, f"SELECT * FROM {t.name} WHERE {stable_sample('record_id', q, backend.kind)}")
            shares.append(q)
            names.append((name, t.dataset))
        model["blocking_rules_to_generate_predictions"] = (
            list(model["blocking_rules_to_generate_predictions"]) + [r.get_blocking_rule("duckdb").as_dict() for r in loose])
        inputs = [db.register(n, dataset_display_name=d, table_name=f"bold_in_{next(_REGISTRATIONS):09d}")
                  for n, d in names]
        probe = Linker(inputs if len(inputs) > 1 else inputs[0], model, log_level=None)
        preds = probe.inference.predict(threshold_match_probability=accuracy.SCORE_FLOOR, warning_mode="never")
        kept = f"bold_unblocked_{next(_EDGE_TABLES):06d}"
        backend.create_table(kept, f"SELECT * FROM {preds.physical_name} WHERE CAST(match_key AS INTEGER) >= {chosen}")
        preds.drop_table_from_database_and_remove_from_cache()
        scale = 1.0 / (shares[0] * shares[-1]) if len(shares) > 1 else 1.0 / shares[0] ** 2
        found = backend.rows(f"SELECT coalesce(sum(match_probability), 0) FROM {kept}")[0][0]
        run.pending_probe = (kept, scale, shares[0], shares[-1])
        return round(float(found or 0.0) * scale, 2)
    except Exception:  # noqa: BLE001 - the estimate goes without this part, and says so
        return None
    finally:
        for n, _ in names:
            backend.drop(n)


def _loose_rules(available: set[str], account: dict[str, Any]) -> list[Any]:
    """The probe's loose keys. Between extracts not of one generation (adults and children, see
    ``blocking.same_generation``) a pair must also pass the birth-year condition every undated candidate
    rule carries there: the linkage refuses a parent and a child of one name at one address on purpose,
    and the model, which scores names and addresses, rates those pairs as likely matches (on the standard
    world the children's extract was estimated 0.08 below its true F1, mostly from such pairs). So they
    are not counted as matches blocking lost, the same refusal the rules make."""
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    keys = [cols for cols in _LOOSE if all(c in available for c in cols)]
    crossing = account.get("blocking", {}).get("generations", {}).get("same_generation") is False
    if not crossing or "dob_y" not in available:
        return [block_on(*cols) for cols in keys]
    return [CustomRule(" AND ".join(f"l.{c} = r.{c}" for c in cols) + " AND " + blocking.NEAR_BIRTH) for cols in keys]


def _avail_cols(tables: list[_Table]) -> set[str]:
    common = set(tables[0].available)
    for t in tables[1:]:
        common &= t.available
    return common


def _level_keys(linker: Any) -> Iterator[tuple[tuple[str, str], Any]]:
    for comparison in linker._settings_obj.comparisons:
        for level in comparison._comparison_levels_excluding_null:
            yield (comparison.output_column_name, level.sql_condition), level


def _train(linker: Any, available: set[str], tables: list[_Table], u_values: UValues | None,
           m_values: MValues | None) -> None:
    """Prior from near-certain matches, u by random sampling, m by EM; any step that cannot run on
    this data (too few records, no near-certain matches) keeps the starting values from ``settings``."""
    training = linker.training
    rows = [t.rows for t in tables]
    pairs = rows[0] * rows[1] if len(rows) == 2 else rows[0] * (rows[0] - 1) / 2
    floor = 1 / max(pairs, 1)
    rules = model.deterministic_rules(available)
    if rules:
        try:
            training.estimate_probability_two_random_records_match(rules, recall=0.8)
        except Exception:  # noqa: BLE001 - no deterministic matches: keep the starting prior
            pass
    settings = linker._settings_obj
    prior = settings._probability_two_random_records_match
    # No near-certain matches at all (children against adults) gives 0, which has no log-odds: use the
    # smallest prior the data allows, one match among all pairs.
    settings._probability_two_random_records_match = _stable(min(max(prior, floor), 0.5))
    known = {key: level for key, level in _level_keys(linker)}
    if u_values and all(key in u_values for key in known):
        # u is how often a level agrees by chance among different people: a property of the population,
        # not of the pair of extracts, so one careful estimate on the cohort serves every link.
        for key, level in known.items():
            level.u_probability = u_values[key]
    else:
        try:
            training.estimate_u_using_random_sampling(max_pairs=model.U_MAX_PAIRS, seed=1, num_chunks=1)
        except Exception:  # noqa: BLE001 - too few records to sample: keep the starting u values
            pass
        if u_values is not None and not u_values:
            u_values.update({key: level.u_probability for key, level in known.items()})
    for rule in model.training_rules(available):
        before = copy.deepcopy(settings.core_model_settings)
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=model.EM_MAX_PAIRS,
                record_sample_proportion=0.1,
            )
        except Exception:  # noqa: BLE001 - EM found no pairs to learn from: keep the model as it was
            # A failed session can leave the comparisons it set aside missing from the model.
            settings.core_model_settings = before
    _check_m(linker, m_values)


def _check_m(linker: Any, reference: MValues | None) -> None:
    """Keep EM honest: it must have learnt identity, and no single disagreement may veto a match.

    When two extracts share no people (children against adults), EM happily learns whatever the
    closest pairs share, such as a surname and an address within a family, and calls that a match. A
    model of identity has a high m on an exact date of birth and first name; when it does not, the m
    values of a model that passed this check (the cohort's) replace it. Then every m gets a floor: with
    m near zero, one mistyped middle name would outweigh a full match on everything else.
    """
    levels = dict(_level_keys(linker))
    exact = [lvl for (cmp, _), lvl in levels.items()
             if cmp in ("dob", "first_name") and lvl.label_for_charts.startswith("Exact match")]
    learnt_identity = all((lvl.m_probability or 0) >= model.MIN_EXACT_M for lvl in exact)
    if not learnt_identity and reference:
        for key, lvl in levels.items():
            if key in reference:
                lvl.m_probability = reference[key]
    for lvl in levels.values():
        lvl.m_probability = _stable(max(lvl.m_probability or 0.0, model.M_FLOOR))
        lvl.u_probability = _stable(max(lvl.u_probability or 0.0, model.U_FLOOR))
    if learnt_identity and reference is not None and not reference:
        reference.update({key: lvl.m_probability for key, lvl in levels.items()})


def _stable(value: float) -> float:
    """Twelve significant figures: sums over many threads differ in the last bits from run to run, and
    a parameter that differs by one bit can still tip a pair sitting exactly on a threshold."""
    return float(f"{value:.12g}")


def _link_parents(backend: LinkageEngine, db: Any, paths: dict[str, Path],
                  tables: dict[str, _Table], cohort: str, u_values: UValues,
                  m_values: MValues) -> str:
    """Link the parent named on each child's council record to the cohort; returns the edge table."""
    anchor = tables[cohort]
    found: list[str] = []
    for i, (dataset, path) in enumerate(paths.items()):
        if dataset == cohort:
            continue
        slug = re.sub('[^a-z0-9]', '', dataset.lower())[:20]
        columns = backend.register(f"raw_parents_{i}_{slug}", path, text=True)
        if not any(col in columns for col in _PARENT_COLUMNS.values()):
            continue
        name = f"std_parents_{slug}"
        rows = standardise_table(backend, f"raw_parents_{i}_{slug}", name, mapping=_PARENT_COLUMNS, columns=columns)
        parents = _Table(f"{dataset}_parents", name, rows, _available(backend, name))
        shared = anchor.available & parents.available
        if not shared or rows == 0:
            continue
        preds = _predict(db, [anchor, parents], "link_only", shared, model.FAMILY_THRESHOLD, u_values, m_values)
        if preds is None:
            continue
        found.append(_keep(backend, preds, f"""
            SELECT {literal(dataset)} AS child_dataset, child_id, cohort_id AS parent_id, match_probability FROM (
                SELECT *, row_number() OVER (PARTITION BY child_id ORDER BY match_probability DESC, cohort_id) AS link_rank
                FROM (
                    SELECT CASE WHEN source_dataset_l = {literal(parents.dataset)} THEN record_id_r ELSE record_id_l END
                               AS cohort_id,
                           CASE WHEN source_dataset_l = {literal(parents.dataset)} THEN record_id_l ELSE record_id_r END
                               AS child_id,
                           match_probability
                    FROM {preds.physical_name}
                ) oriented
            ) ranked
            WHERE link_rank = 1
        """))
    _union(backend, "bold_family_edges", found,
           "child_dataset VARCHAR, child_id VARCHAR, parent_id VARCHAR, match_probability DOUBLE")
    return "bold_family_edges"
