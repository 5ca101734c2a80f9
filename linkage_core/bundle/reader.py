"""The one way anything reads a bundle: verify, unwrap, decrypt, and load into memory, read-only.

The SQLite bytes go straight from the decrypted buffer into an in-memory database (``deserialize``); no
plaintext byte is written to disk, temporary files included (``temp_store=MEMORY``). Every figure is checked
against the bundle's disclosure policy again as it is read: one that breaks it is not shown.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from typing import NamedTuple
from pathlib import Path
from time import thread_time

from linkage_core.bundle import tables
from linkage_core.bundle.envelope import Envelope, Secret, wipe
from linkage_core.bundle.files import inspect, read_file  # noqa: F401 - part of the reader's API
from linkage_core.bundle.keys import PublicKey, TrustStore
from linkage_core.disclosure.rules import estimate_problems, finding_problems
from linkage_core.errors import BoldError, CorruptBundle, UnsupportedVersion
from linkage_core.schema import (
    SCHEMA_VERSION,
    DatasetProvenance,
    DisclosurePolicy,
    Estimate,
    Finding,
    GlossaryEntry,
    LinkageQuality,
    Manifest,
    Pack,
    SuppressionReason,
)


class FindingWords(NamedTuple):
    """The words of one finding that search looks in, and nothing else."""

    id: str
    pack_id: str
    title: str
    measure: str
    treated_label: str
    headline: str
    order: int


class Bundle:
    """An unlocked bundle, held in memory. Close it (or let the app's idle lock close it) to drop the data."""

    def __init__(self, path: Path, envelope: Envelope, publisher: PublicKey, database: bytearray) -> None:
        self.path = path
        self.publisher = publisher
        self.header = envelope.header
        self._lock = threading.Lock()
        self._deadline = float("inf")
        self._conn: sqlite3.Connection | None = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            self._conn.set_progress_handler(self._over_time, _PROGRESS_STEPS)
            self._conn.execute("PRAGMA temp_store=MEMORY")
            self._conn.execute("PRAGMA trusted_schema=OFF")
            if len(database) < 512 or bytes(database[:16]) != b"SQLite format 3\x00":
                raise CorruptBundle("This bundle holds no database of findings, so it cannot be read.")
            self._conn.deserialize(database)
            self._conn.execute("PRAGMA query_only=ON")
        except (sqlite3.Error, MemoryError, OverflowError):
            self.close()
            raise CorruptBundle() from None
        except CorruptBundle:
            self.close()
            raise
        finally:
            wipe(database)  # SQLite holds its own copy now
        self._size = len(database) if database is not None else 0
        try:
            meta = self._check_database()
            version = meta.get("schema_version", "")
            if not version.isdigit():
                raise CorruptBundle()
            if int(version) != SCHEMA_VERSION:
                raise UnsupportedVersion(
                    f"This bundle's tables are version {version}; this app reads version {SCHEMA_VERSION}. "
                    "Update BOLD Insights to open it."
                )
            self._check_columns()
            try:
                self.manifest = Manifest.model_validate_json(meta.get("manifest", ""))
            except Exception:
                raise CorruptBundle() from None
        except BaseException:
            self.close()
            raise
        #: The bundle's own rules, raised to the reader's minimum: every figure is checked against this.
        self.policy = reader_policy(self.manifest.policy)

    def _over_time(self) -> int:
        """SQLite's progress handler: a non-zero answer interrupts the running query.

        The clock is the querying thread's own processor time: a crafted file that stalls the reader burns
        it, while time spent waiting for the interpreter lock (the app painting, the search index being
        built in another thread) does not count against a query of a big, honest bundle.
        """
        return 1 if thread_time() > self._deadline else 0

    def _run(self, sql: str, args: tuple = (), seconds: float | None = None) -> tuple[list[str], list[tuple]]:
        """One query, all its rows, within a time limit; any SQLite failure is a damaged bundle (exit 4)."""
        with self._lock:
            conn = self._connection()
            self._deadline = thread_time() + (QUERY_SECONDS if seconds is None else seconds)
            try:
                cursor = conn.execute(sql, args)
                names = [d[0] for d in cursor.description or ()]
                rows = cursor.fetchall()
            except sqlite3.OperationalError as error:
                if "interrupted" in str(error):
                    raise CorruptBundle("Reading this bundle took too long, so it was stopped; the file may "
                                        "have been built to stall the reader.") from None
                raise CorruptBundle() from None
            except (sqlite3.Error, ValueError, MemoryError, OverflowError):  # ValueError: text not UTF-8
                raise CorruptBundle() from None
            finally:
                self._deadline = float("inf")
        return names, rows

    def _check_database(self) -> dict[str, str]:
        """Exactly the expected tables and indexes, nothing else (no view, trigger or virtual table), and
        SQLite's own integrity check; then the ``meta`` table as text."""
        # The full check (which also proves every index matches its table) grows faster than the file, so a
        # very large bundle gets SQLite's quick check (pages, records, constraints) instead.
        pragma = "integrity_check" if self._size <= FULL_CHECK_BYTES else "quick_check"
        seconds = INTEGRITY_SECONDS + self._size / (32 * 1024 * 1024)
        _, result = self._run(f"PRAGMA {pragma}(20)", seconds=seconds)
        if [tuple(r) for r in result] != [("ok",)]:
            raise CorruptBundle("This bundle's database fails SQLite's integrity check, so it cannot be read.")
        _, objects = self._run("SELECT type, name, tbl_name, sql FROM sqlite_master")
        found_tables = set()
        for kind, name, table, sql in objects:
            if kind == "table" and name in EXPECTED_COLUMNS and table == name and isinstance(sql, str) \
                    and sql.lstrip().upper().startswith("CREATE TABLE"):
                found_tables.add(name)
            elif kind == "index" and table in EXPECTED_COLUMNS and self._plain_index(name):
                continue
            else:
                raise CorruptBundle(f"This bundle's database holds something a bundle never has ({kind} "
                                    f"'{str(name)[:40]}'), so it was not opened.")
        missing = set(EXPECTED_COLUMNS) - found_tables
        if missing:
            raise CorruptBundle(f"This bundle's database lacks its '{sorted(missing)[0]}' table, so it cannot "
                                "be read.")
        _, rows = self._run("SELECT key, value FROM meta")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in rows):
            raise CorruptBundle()
        return dict(rows)

    def _plain_index(self, name: object) -> bool:
        """An index on plain columns only: no expression (which could call a function), no WHERE part."""
        if not isinstance(name, str):
            return False
        _, listed = self._run("SELECT name, partial FROM pragma_index_list((SELECT tbl_name FROM sqlite_master "
                              "WHERE type = 'index' AND name = ?))", (name,))
        if not any(n == name and partial == 0 for n, partial in listed):
            return False
        _, columns = self._run("SELECT cid, key FROM pragma_index_xinfo(?)", (name,))
        return all(cid >= 0 or (cid == -1 and not key) for cid, key in columns)

    def _check_columns(self) -> None:
        """Each table's columns are exactly the model's fields: no more, no fewer, none generated."""
        for table, expected in EXPECTED_COLUMNS.items():
            _, info = self._run("SELECT name, hidden FROM pragma_table_xinfo(?)", (table,))
            if {name for name, _ in info} != expected or any(hidden for _, hidden in info):
                raise CorruptBundle(f"This bundle's '{table}' table does not have the columns a bundle has, so "
                                    "it cannot be read.")

    # -- what the app reads -------------------------------------------------------------------------------
    @property
    def is_demo(self) -> bool:
        """From the key that verified (the demo anchor, pinned to the shipped file), never the header."""
        return self.publisher.demo

    @property
    def closed(self) -> bool:
        return self._conn is None

    def packs(self) -> list[Pack]:
        return sorted(self._load(tables.PACKS), key=lambda p: (p.order, p.id))

    def pack(self, pack_id: str) -> Pack:
        found = self._load(tables.PACKS, "id = ?", (pack_id,))
        if not found:
            raise KeyError(pack_id)
        return found[0]

    def findings(self, pack_id: str | None = None, *, limit: int | None = None, offset: int = 0) -> list[Finding]:
        """Findings in their order; ``limit``/``offset`` read one page, so a big bundle is never read whole."""
        where, args = ("pack_id = ?", (pack_id,)) if pack_id else ("", ())
        if limit is not None and limit <= 0:
            return []
        if limit is None and not offset:
            return [self._checked_finding(f) for f in sorted(self._load(tables.FINDINGS, where, args),
                                                              key=lambda f: (f.order, f.id))]
        page = self._load(tables.FINDINGS, where, args, order=_FINDING_ORDER, limit=limit, offset=offset)
        return [self._checked_finding(f) for f in page]

    def finding_words(self, *, after: int = 0, limit: int) -> tuple[list[FindingWords], int]:
        """One page of every finding's searchable text, and the cursor for the next page (0 after the last).

        The app's word index reads all of a bundle's findings once after unlocking; validating 100,000 whole
        findings (attrition, caveats) costs seconds the search never uses. Pages follow SQLite's row order,
        so each is a short query that never sorts the table (the caller sorts by ``order``); each value is
        still checked to be of its type, so a damaged table is refused here as anywhere else.
        """
        _, rows = self._run("SELECT rowid, id, pack_id, title, measure, treated_label, headline, \"order\" "
                            "FROM findings WHERE rowid > ? ORDER BY rowid LIMIT ?", (int(after), int(limit)))
        if any(not isinstance(value, str) for row in rows for value in row[1:7]) or any(
                not isinstance(row[0], int) or not isinstance(row[7], int) for row in rows):
            raise CorruptBundle()
        cursor = rows[-1][0] if len(rows) == limit else 0
        return [FindingWords(*row[1:]) for row in rows], cursor

    def packs_with_comparisons(self) -> frozenset[str]:
        """Packs holding at least one comparison finding: those have an answer screen."""
        _, rows = self._run("SELECT DISTINCT pack_id FROM findings WHERE comparison_label IS NOT NULL "
                            "AND comparison_label != ''")
        if any(not isinstance(row[0], str) for row in rows):
            raise CorruptBundle()
        return frozenset(row[0] for row in rows)

    def count_findings(self, pack_id: str | None = None) -> int:
        """How many findings a pack (or the bundle) holds, without reading them."""
        where, args = (" WHERE pack_id = ?", (pack_id,)) if pack_id else ("", ())
        return self._run(f"SELECT count(*) FROM findings{where}", args)[1][0][0]

    def finding(self, finding_id: str) -> Finding:
        found = self._load(tables.FINDINGS, "id = ?", (finding_id,))
        if not found:
            raise KeyError(finding_id)
        return self._checked_finding(found[0])

    def estimates(self, finding_id: str, breakdown: str | None = None) -> list[Estimate]:
        where, args = "finding_id = ?", (finding_id,)
        if breakdown:
            where, args = where + " AND breakdown = ?", (finding_id, breakdown)
        return [self._checked(e) for e in self._load(tables.ESTIMATES, where, args, order="rowid")]

    def stored_figures(self) -> tuple[list[Finding], list[Estimate]]:
        """Every finding and estimate exactly as stored, before the reader blocks anything.

        For output checking (``bold check``) only: a figure that breaks the rules must be reported as
        such, not seen already blanked. Screens and exports read through ``findings`` and ``estimates``.
        """
        findings = sorted(self._load(tables.FINDINGS), key=lambda f: (f.order, f.id))
        return findings, self._load(tables.ESTIMATES, order="rowid")

    def datasets(self) -> list[DatasetProvenance]:
        return self._load(tables.DATASETS)

    def linkage_quality(self, dataset: str | None = None) -> list[LinkageQuality]:
        where, args = ("dataset = ?", (dataset,)) if dataset else ("", ())
        return self._load(tables.LINKAGE_QUALITY, where, args, order="rowid")

    def glossary(self) -> list[GlossaryEntry]:
        return sorted(self._load(tables.GLOSSARY), key=lambda g: g.term.lower())

    def search(self, text: str, limit: int = 200) -> list[Finding]:
        like = f"%{text.strip()}%"
        where = "title LIKE ? OR headline LIKE ? OR measure LIKE ?"
        return self._load(tables.FINDINGS, where, (like, like, like), order="\"order\", id", limit=limit)

    def match_findings(self, text: str, limit: int = 50) -> list[Finding]:
        """Findings whose title holds the letters of ``text`` in order (the app's fuzzy rule), or whose
        headline or measure holds ``text``: at most ``limit``, in the table's own order, so a common text
        stops reading early and no text costs more than one pass."""
        text = text.strip()
        if not text:
            return []
        fuzzy = "%" + "%".join(_like_escape(c) for c in text) + "%"
        plain = "%" + "".join(_like_escape(c) for c in text) + "%"
        where = "title LIKE ? ESCAPE '\\' OR headline LIKE ? ESCAPE '\\' OR measure LIKE ? ESCAPE '\\'"
        return [self._checked_finding(f) for f in self._load(tables.FINDINGS, where, (fuzzy, plain, plain),
                                                             limit=limit)]

    def count(self, table: str) -> int:
        if table not in {t.name for t in tables.ALL}:
            raise KeyError(table)
        return self._run(f"SELECT count(*) FROM {table}")[1][0][0]

    def audit(self) -> list[str]:
        """Read every row of every table (each must fit its model), and check every figure against the policy
        (the bundle's, raised to the reader's minimum): the reader's second line of defence."""
        self.packs(), self.datasets(), self.linkage_quality(), self.glossary()
        problems = []
        for finding in self._load(tables.FINDINGS):
            problems += [f"finding {finding.id}: {p}" for p in finding_problems(finding, self.policy)]
        for estimate in self._iter(tables.ESTIMATES):
            problems += [f"estimate {estimate.id}: {p}" for p in estimate_problems(estimate, self.policy)]
        return problems

    def close(self) -> None:
        """Drop the decrypted database from memory. SQLite frees its pages; Python cannot promise the freed
        memory is overwritten before it is reused (see docs/security.md)."""
        with self._lock:
            if self._conn is not None:
                _scrub(self._conn)
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise BoldError("This bundle is locked. Unlock it again to read it.")
        return self._conn

    def _checked(self, estimate: Estimate) -> Estimate:
        if estimate_problems(estimate, self.policy):
            blank = {name: None for name in type(estimate).model_fields if name.startswith(("treated_", "comparison_", "difference"))}
            return estimate.model_copy(update=blank | {
                "p_value": None, "significant": None, "suppressed": True,
                "suppression_reason": SuppressionReason.BLOCKED_AT_READ,
            })
        return estimate

    def _checked_finding(self, finding: Finding) -> Finding:
        if not finding_problems(finding, self.policy):
            return finding
        steps = [s if not finding_problems(finding.model_copy(update={"attrition": [s]}), self.policy)
                 else s.model_copy(update={"count": None}) for s in finding.attrition]
        return finding.model_copy(update={"attrition": steps})

    def _iter(self, table: tables.Table, where: str = "", args: tuple = (), order: str = "",
              limit: int | None = None, offset: int = 0) -> Iterator:
        sql = f"SELECT * FROM {table.name}"
        if where:
            sql += f" WHERE {where}"
        if order:
            sql += f" ORDER BY {order}"
        if limit or offset:
            sql += f" LIMIT {int(limit) if limit else -1}"
        if offset:
            sql += f" OFFSET {int(offset)}"
        names, rows = self._run(sql, args)
        for row in rows:
            record = dict(zip(names, row))
            try:
                for column in table.json_columns:
                    record[column] = json.loads(record[column])
                yield table.model.model_validate(record)
            except Exception:
                raise CorruptBundle() from None

    def _load(self, table: tables.Table, where: str = "", args: tuple = (), order: str = "",
              limit: int | None = None, offset: int = 0) -> list:
        return list(self._iter(table, where, args, order, limit, offset))


#: The reader's own minimum disclosure rules (``reader_policy``).
READER_MIN_THRESHOLD = 10
READER_MIN_ROUNDING = 5

#: Every query stops after this much processor time: no file, however built, can stall the reader (or the app's screen).
QUERY_SECONDS = 2.0
INTEGRITY_SECONDS = 3.0  # plus a second per 32 MiB of database
#: Databases up to this size get SQLite's full integrity check; larger ones its quick check.
FULL_CHECK_BYTES = 64 * 1024 * 1024
#: How many SQLite steps between looks at the clock.
_PROGRESS_STEPS = 10_000

#: The only tables a bundle holds, and exactly their columns.
EXPECTED_COLUMNS: dict[str, frozenset[str]] = {"meta": frozenset({"key", "value"})} | {
    t.name: frozenset(t.model.model_fields) for t in tables.ALL}

#: The order findings are shown in; SQLite's byte order on ``id`` is Python's ``str`` order for UTF-8.
_FINDING_ORDER = "\"order\", id"


def _like_escape(char: str) -> str:
    """One typed character as a literal in a LIKE pattern that uses ``\\`` as its escape."""
    return "\\" + char if char in "%_\\" else char


def _scrub(conn: sqlite3.Connection) -> None:
    """Overwrite the decrypted pages before SQLite frees them: with ``secure_delete`` on, dropping each table
    writes zeros over its pages in the in-memory image (freed memory is otherwise left as it was)."""
    try:
        conn.set_progress_handler(None, 0)
        conn.execute("PRAGMA query_only=OFF")
        conn.execute("PRAGMA secure_delete=ON")
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            conn.execute(f'DROP TABLE IF EXISTS "{name.replace(chr(34), chr(34) * 2)}"')
        conn.commit()
    except sqlite3.Error:
        pass


def reader_policy(policy: DisclosurePolicy) -> DisclosurePolicy:
    """The bundle's rules, never weaker than the reader's own minimum: a threshold of at least 10, and counts
    rounded to at least 5 unless the cell key method adjusts them. A bundle cannot lower the bar by saying so."""
    update = {"threshold": max(policy.threshold, READER_MIN_THRESHOLD)}
    if not policy.cell_key_perturbation:
        update["rounding_base"] = max(policy.rounding_base, READER_MIN_ROUNDING)
    return policy.model_copy(update=update)


def open_bundle(path: Path | str, secret: Secret, trust: TrustStore) -> Bundle:
    """Verify, unwrap with ``secret`` (a passphrase or a private key file), decrypt and load into memory."""
    path = Path(path)
    envelope, publisher = inspect(path, trust)
    database = envelope.decrypt(envelope.unwrap(secret))
    return Bundle(path, envelope, publisher, database)
