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
from pathlib import Path

from linkage_core.bundle import tables
from linkage_core.bundle.envelope import Envelope, Secret
from linkage_core.bundle.files import inspect, read_file  # noqa: F401 - part of the reader's API
from linkage_core.bundle.keys import PublicKey, TrustStore
from linkage_core.disclosure.rules import estimate_problems, finding_problems
from linkage_core.errors import BoldError, CorruptBundle, UnsupportedVersion
from linkage_core.schema import (
    SCHEMA_VERSION,
    DatasetProvenance,
    Estimate,
    Finding,
    GlossaryEntry,
    LinkageQuality,
    Manifest,
    Pack,
    SuppressionReason,
)


class Bundle:
    """An unlocked bundle, held in memory. Close it (or let the app's idle lock close it) to drop the data."""

    def __init__(self, path: Path, envelope: Envelope, publisher: PublicKey, database: bytes) -> None:
        self.path = path
        self.publisher = publisher
        self.header = envelope.header
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(":memory:", check_same_thread=False)
        try:
            self._conn.execute("PRAGMA temp_store=MEMORY")
            self._conn.deserialize(database)
            self._conn.execute("PRAGMA query_only=ON")
            meta = dict(self._conn.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError:
            self._conn.close()
            raise CorruptBundle() from None
        try:
            version = int(meta["schema_version"])
        except (KeyError, ValueError):
            raise CorruptBundle() from None
        if version != SCHEMA_VERSION:
            self._conn.close()
            raise UnsupportedVersion(
                f"This bundle's tables are version {version}; this app reads version {SCHEMA_VERSION}. "
                "Update BOLD Insights to open it."
            )
        try:
            self.manifest = Manifest.model_validate_json(meta["manifest"])
        except Exception:
            self._conn.close()
            raise CorruptBundle() from None

    # -- what the app reads -------------------------------------------------------------------------------
    @property
    def policy(self):
        return self.manifest.policy

    @property
    def is_demo(self) -> bool:
        return self.publisher.demo and self.manifest.synthetic

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

    def count_findings(self, pack_id: str | None = None) -> int:
        """How many findings a pack (or the bundle) holds, without reading them."""
        where, args = (" WHERE pack_id = ?", (pack_id,)) if pack_id else ("", ())
        with self._lock:
            return self._connection().execute(f"SELECT count(*) FROM findings{where}", args).fetchone()[0]

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
        with self._lock:
            return self._connection().execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def audit(self) -> list[str]:
        """Check every figure in the bundle against its policy (the reader's second line of defence)."""
        problems = []
        for finding in self._load(tables.FINDINGS):
            problems += [f"finding {finding.id}: {p}" for p in finding_problems(finding, self.policy)]
        for estimate in self._iter(tables.ESTIMATES):
            problems += [f"estimate {estimate.id}: {p}" for p in estimate_problems(estimate, self.policy)]
        return problems

    def close(self) -> None:
        """Drop the decrypted database from memory."""
        with self._lock:
            if self._conn is not None:
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
        with self._lock:
            cursor = self._connection().execute(sql, args)
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        for row in rows:
            record = dict(zip(names, row))
            for column in table.json_columns:
                record[column] = json.loads(record[column])
            try:
                yield table.model.model_validate(record)
            except Exception:
                raise CorruptBundle() from None

    def _load(self, table: tables.Table, where: str = "", args: tuple = (), order: str = "",
              limit: int | None = None, offset: int = 0) -> list:
        return list(self._iter(table, where, args, order, limit, offset))


#: The order findings are shown in; SQLite's byte order on ``id`` is Python's ``str`` order for UTF-8.
_FINDING_ORDER = "\"order\", id"


def _like_escape(char: str) -> str:
    """One typed character as a literal in a LIKE pattern that uses ``\\`` as its escape."""
    return "\\" + char if char in "%_\\" else char


def open_bundle(path: Path | str, secret: Secret, trust: TrustStore) -> Bundle:
    """Verify, unwrap with ``secret`` (a passphrase or a private key file), decrypt and load into memory."""
    path = Path(path)
    envelope, publisher = inspect(path, trust)
    database = envelope.decrypt(envelope.unwrap(secret))
    return Bundle(path, envelope, publisher, database)
