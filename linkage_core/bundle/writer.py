"""Write a bundle: check every figure against the policy, lay the tables out in SQLite, seal and sign.

The writer runs in the secure stage (it needs the ``pipeline`` extra for sqlite-utils). It refuses to write
any figure that breaks the disclosure policy, naming each one.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path

from linkage_core.bundle import tables
from linkage_core.bundle.envelope import KdfParams, seal
from linkage_core.bundle.keys import PrivateKey, PublicKey
from linkage_core.disclosure.rules import audit
from linkage_core.errors import DisclosureViolation, MissingExtra
from linkage_core.safe_output import new_file
from linkage_core.schema import BundleContent


def _rows(items, table: tables.Table):
    for item in items:
        row = item.model_dump(mode="json")
        for column in table.json_columns:
            row[column] = json.dumps(row[column])
        yield row


def to_sqlite_bytes(content: BundleContent) -> bytes:
    """Lay the content out as a SQLite database built in memory, and return its bytes."""
    try:
        import sqlite_utils
    except ImportError:  # pragma: no cover - exercised by the missing-extra test in a subprocess
        raise MissingExtra() from None
    db = sqlite_utils.Database(memory=True)
    db["meta"].insert_all(
        [{"key": "schema_version", "value": str(content.manifest.schema_version)},
         {"key": "manifest", "value": content.manifest.model_dump_json()}],
        pk="key",
    )
    sources = {
        "packs": content.packs, "findings": content.findings, "estimates": content.estimates,
        "datasets": content.datasets, "linkage_quality": content.linkage_quality, "glossary": content.glossary,
    }
    for table in tables.ALL:
        columns = {name: _column_type(info.annotation) for name, info in table.model.model_fields.items()}
        db[table.name].create(columns, pk=table.pk) if table.pk else db[table.name].create(columns)
        db[table.name].insert_all(_rows(sources[table.name], table), batch_size=5000)
        for columns in table.index:
            db[table.name].create_index(list(columns))
    db.conn.commit()
    db.execute("VACUUM")
    return db.conn.serialize()


def _column_type(annotation) -> type:
    """SQLite column affinity for a model field: whole numbers and flags as INTEGER, reals as REAL."""
    args = set(typing.get_args(annotation)) - {type(None)} or {annotation}
    if args <= {int, bool}:
        return int
    if args == {float}:
        return float
    return str


def write_bundle(
    content: BundleContent,
    path: Path | str,
    *,
    signer: PrivateKey | None,
    passphrases: list[str] = (),
    recipients: list[PublicKey] = (),
    kdf: KdfParams = KdfParams(),
    force: bool = False,
) -> Path:
    """Check, lay out, seal and sign ``content`` into ``path``; refuse if any figure breaks the policy."""
    problems = audit(content.estimates, content.findings, content.manifest.policy)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        raise DisclosureViolation(f"Refused to write the bundle: {len(problems)} figures break the policy ({shown}).")
    data = seal(
        to_sqlite_bytes(content),
        passphrases=list(passphrases),
        recipients=list(recipients),
        signer=signer,
        title=content.manifest.title,
        synthetic=content.manifest.synthetic,
        schema_version=content.manifest.schema_version,
        created=content.manifest.created.isoformat(),
        kdf=kdf,
    )
    path = Path(path)
    with new_file(path, force=force) as temp:
        temp.write_bytes(data)
    return path
