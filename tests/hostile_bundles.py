"""Hostile bundles, properly signed by a key the reader trusts: what the signature cannot protect against.

Shared by ``tests/test_bundle_hostile.py`` and ``benchmarks/hostile.py``. Each maker returns the file's bytes;
``HOSTILE`` names each with the exit code and the words of the sentence the reader must refuse it with.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

from linkage_core.bundle import envelope as env
from linkage_core.bundle.keys import PrivateKey

LOW_KDF = env.KdfParams(memory_kib=1024, iterations=1, lanes=1)
PASSPHRASE = "hostile but correct"


def seal(database: bytes, signer: PrivateKey, *, kdf: env.KdfParams = LOW_KDF, compressed: bytes | None = None,
         passphrases: tuple[str, ...] = (PASSPHRASE,)) -> bytes:
    """A properly sealed and signed bundle around ``database`` (or an already-compressed body)."""
    if compressed is None:
        return env.seal(database, passphrases=list(passphrases), recipients=[], signer=signer, title="hostile",
                        synthetic=True, schema_version=1, created="2026-01-01T00:00:00+00:00", kdf=kdf)
    with mock.patch.object(env.zlib, "compress", lambda *_a, **_k: compressed):
        return seal(b"", signer, kdf=kdf, passphrases=passphrases)


def resign(data: bytes, change: Callable[[dict], None], signer: PrivateKey, *, raw: bytes | None = None) -> bytes:
    """Edit the header (or replace it with ``raw`` bytes) and sign again: valid signature, hostile header."""
    start = len(env.MAGIC) + 6
    _, length = struct.unpack(">HI", data[len(env.MAGIC):start])
    header = json.loads(data[start:start + length])
    change(header)
    body = data[start + length:-env.SIGNATURE_SIZE]
    head = raw if raw is not None else json.dumps(header, separators=(",", ":")).encode()
    signed = env.MAGIC + struct.pack(">HI", env.FORMAT_VERSION, len(head)) + head + body
    return signed + signer.signing_key.sign(signed)


def edit_database(database: bytes, *statements: str, writable_schema: bool = False) -> bytes:
    conn = sqlite3.connect(":memory:")
    conn.deserialize(database)
    if writable_schema:
        conn.execute("PRAGMA writable_schema=ON")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    out = conn.serialize()
    conn.close()
    return out


def zip_bomb(unpacked: int, *, exact: bool = False) -> bytes:
    """A zlib stream of ``unpacked`` zero bytes (about 1 KB per MB), made without holding them.

    By default one fully flushed block of 1 MB of zeros is repeated, so making a 1 GB bomb is instant; its
    checksum is then wrong, which a reader only finds after unpacking all of it (a capped reader never does).
    ``exact`` makes a correct stream the slow way.
    """
    packer, zeros = zlib.compressobj(9), bytes(1 << 20)
    if exact:
        parts = [packer.compress(zeros) for _ in range(unpacked >> 20)]
        return b"".join(parts) + packer.flush()
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    return first + block * ((unpacked >> 20) - 1) + packer.flush()


#: Runs for ever and returns nothing (so it stalls the reader without filling its memory).
RECURSIVE = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
             "SELECT x AS key, x AS value FROM c WHERE x < 0")


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[bytes, PrivateKey], bytes]  # (a valid database, signer) -> file bytes
    exit_code: int
    says: str  # words from the one sentence this file must be refused with


def _header(change):
    return lambda db, key: resign(seal(db, key), change, key)


def _slots(n, kind="x25519"):
    def change(header):
        slot = {"type": kind, "recipient": env.b64e(bytes(32)), "ephemeral": env.b64e(bytes(32)),
                "nonce": env.b64e(bytes(12)), "wrapped": env.b64e(bytes(48)), "salt": env.b64e(bytes(16))}
        header["slots"] = header["slots"] + [slot] * n
    return change


def _set(path, value):
    def change(header):
        target = header
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
    return change


HOSTILE: list[Hostile] = [
    Hostile("zip bomb (1 GB from about 1 MB)", lambda db, key: seal(b"", key, compressed=zip_bomb(1 << 30)), 4,
            "unpacks to more than"),
    Hostile("recursive view in place of meta", lambda db, key: seal(
        edit_database(db, "DROP TABLE meta", f"CREATE VIEW meta AS {RECURSIVE}"), key), 4, "holds something"),
    Hostile("trigger", lambda db, key: seal(edit_database(
        db, "CREATE TRIGGER t AFTER INSERT ON glossary BEGIN DELETE FROM packs; END"), key), 4, "holds something"),
    Hostile("extra table", lambda db, key: seal(edit_database(db, "CREATE TABLE people (name TEXT)"), key), 4,
            "holds something"),
    Hostile("expression index", lambda db, key: seal(edit_database(
        db, "CREATE INDEX slow ON findings (length(title) * 2)"), key), 4, "holds something"),
    Hostile("extra column", lambda db, key: seal(edit_database(db, "ALTER TABLE findings ADD COLUMN name TEXT"),
                                                 key), 4, "does not have the columns"),
    Hostile("missing table", lambda db, key: seal(edit_database(db, "DROP TABLE glossary"), key), 4,
            "lacks its 'glossary' table"),
    Hostile("empty file as database", lambda db, key: seal(b"", key), 4, "holds no database"),
    Hostile("database with no tables", lambda db, key: seal(edit_database(
        db, *[f"DROP TABLE {t}" for t in ("meta", "packs", "findings", "estimates", "datasets",
                                          "linkage_quality", "glossary")]), key), 4, "lacks its"),
    Hostile("index that disagrees with its table", lambda db, key: seal(edit_database(
        db, "UPDATE sqlite_master SET sql = 'CREATE INDEX \"idx_findings_pack_id_order_id\" ON \"findings\" (\"title\")' "
            "WHERE name = 'idx_findings_pack_id_order_id'", writable_schema=True), key), 4, "integrity check"),
    Hostile("non-UTF-8 text", lambda db, key: seal(edit_database(
        db, "INSERT INTO glossary VALUES (CAST(x'ff' AS TEXT), CAST(x'fe' AS TEXT))"), key), 4, "damaged"),
    Hostile("6,000 key slots", _header(_slots(6000)), 4, "header is larger"),
    Hostile("100 key slots", _header(_slots(100 - 1)), 4, "key slots"),
    Hostile("KDF far over the ceiling", _header(_set(("kdf", "memory_kib"), 4 * 1024 * 1024)), 4,
            "key-derivation work"),
    Hostile("KDF at the ceiling, twice", lambda db, key: resign(
        seal(db, key, kdf=env.KdfParams(64 * 1024, 3, 4)), _slots(1, "passphrase"), key), 4, "key-derivation work"),
    Hostile("header field of the wrong type", _header(_set(("body", "length"), "12")), 4, "damaged"),
    Hostile("title of the wrong type", _header(_set(("title",), {"x": 1})), 4, "damaged"),
    Hostile("negative body length", _header(_set(("body", "length"), -5)), 4, "damaged"),
    Hostile("non-UTF-8 header", lambda db, key: resign(seal(db, key), lambda h: None, key, raw=b'{"title":"\xff"}'),
            4, "damaged"),
    Hostile("publisher field removed, signature kept", _header(_set(("publisher",), None)), 4,
            "changed since it was signed"),
]
