"""From accepted links to people: clustering, person keys, and the files the rest of the pipeline reads.

A person key is a random number given to a cluster after clustering. It is not a hash of anything, so
nobody holding a name and a date of birth can work out someone's key, and two runs give different keys.
Nothing written here carries an identifier: only dataset, record id, key and probability.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from linkage_core.sql import literal

if TYPE_CHECKING:
    from linkage_core.engines import LinkageEngine

SPINE_COLUMNS: tuple[str, ...] = ("dataset", "record_id", "person_key", "match_probability")
FAMILY_COLUMNS: tuple[str, ...] = ("child_person_key", "parent_person_key", "match_probability")

_SEP = "chr(31)"


def assign_person_keys(backend: LinkageEngine, db: Any, tables_sql: str, edges_table: str) -> int:
    """Cluster every record by connected components over the accepted links; returns the people found.

    Every record read becomes a node, so a record no link touches is a cluster of one: everyone appears
    in the spine exactly once. Builds table ``bold_spine``.
    """
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    backend.create_table("bold_nodes", f"SELECT dataset || {_SEP} || record_id AS node_id, dataset, record_id "
                                       f"FROM ({tables_sql}) nodes")
    backend.create_table("bold_node_edges", f"""SELECT ds_l || {_SEP} || id_l AS node_id_l,
                         ds_r || {_SEP} || id_r AS node_id_r, match_probability FROM {edges_table}""")
    clusters = cluster_pairwise_predictions_at_threshold(
        "bold_nodes", "bold_node_edges", db_api=db, node_id_column_name="node_id",
    )
    # The key is a shuffle, not a hash: it says nothing about who the person is, and changes every run.
    backend.create_table("bold_keys", f"""
        SELECT cluster_id, CAST(row_number() OVER (ORDER BY shuffle) AS BIGINT) AS person_key
        FROM (SELECT cluster_id, random() AS shuffle
              FROM (SELECT DISTINCT cluster_id FROM {clusters.physical_name}) distinct_clusters) shuffled
    """)
    backend.create_table("bold_spine", f"""
        WITH strongest AS (
            SELECT node_id, max(match_probability) AS match_probability FROM (
                SELECT node_id_l AS node_id, match_probability FROM bold_node_edges
                UNION ALL SELECT node_id_r, match_probability FROM bold_node_edges
            ) ends GROUP BY node_id
        )
        SELECT n.dataset, n.record_id, k.person_key, s.match_probability
        FROM bold_nodes n
        JOIN {clusters.physical_name} c ON c.node_id = n.node_id
        JOIN bold_keys k ON k.cluster_id = c.cluster_id
        LEFT JOIN strongest s ON s.node_id = n.node_id
    """)
    clusters.drop_table_from_database_and_remove_from_cache()
    return int(backend.rows("SELECT count(*) FROM bold_keys")[0][0])


def write_spine(backend: LinkageEngine, path: Path) -> int:
    """Write ``bold_spine`` as Parquet; returns the records written.

    ``match_probability`` is that of the strongest accepted link touching the record, and null for a
    record that stands alone.
    """
    backend.write_parquet(f"SELECT {', '.join(SPINE_COLUMNS)} FROM bold_spine ORDER BY dataset, record_id", path)
    return int(backend.rows("SELECT count(*) FROM bold_spine")[0][0])


def write_families(backend: LinkageEngine, edges_table: str, path: Path, cohort: str) -> int:
    """One row per child and parent pair in the cohort, keyed by person keys only."""
    backend.create_table("bold_families", f"""
        SELECT c.person_key AS child_person_key, p.person_key AS parent_person_key,
               max(e.match_probability) AS match_probability
        FROM {edges_table} e
        JOIN bold_spine c ON c.dataset = e.child_dataset AND c.record_id = e.child_id
        JOIN bold_spine p ON p.dataset = {literal(cohort)} AND p.record_id = e.parent_id
        WHERE c.person_key <> p.person_key
        GROUP BY c.person_key, p.person_key
    """)
    backend.write_parquet(f"SELECT {', '.join(FAMILY_COLUMNS)} FROM bold_families "
                          "ORDER BY child_person_key, parent_person_key", path)
    return int(backend.rows("SELECT count(*) FROM bold_families")[0][0])
