"""Hostile files signed by a trusted key: each refused with its own sentence and exit code, quickly and in
little memory, and each reader check proven necessary (remove it and some hostile file gets through)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from linkage_core import errors
from linkage_core.bundle import envelope as env
from linkage_core.bundle import reader
from linkage_core.bundle.keys import PrivateKey, TrustStore
from linkage_core.bundle.reader import open_bundle
from linkage_core.bundle.writer import to_sqlite_bytes
from tests.hostile_bundles import HOSTILE, PASSPHRASE, seal, zip_bomb

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def signer() -> PrivateKey:
    return PrivateKey.generate("Hostile but trusted")


@pytest.fixture(scope="module")
def database(content) -> bytes:
    return to_sqlite_bytes(content)


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory, signer, database) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    files = {}
    for i, case in enumerate(HOSTILE):
        files[case.name] = folder / f"h{i}.bold"
        files[case.name].write_bytes(case.make(database, signer))
    return files


def _open(path: Path, signer: PrivateKey, secret=PASSPHRASE):
    return open_bundle(path, secret, TrustStore([signer.public]))


def _read_all(path: Path, signer: PrivateKey) -> None:
    """Open and read every table, as ``bold verify`` and the app do."""
    with _open(path, signer) as bundle:
        bundle.packs(), bundle.findings(), bundle.glossary(), bundle.datasets(), bundle.linkage_quality()
        bundle.audit()


def test_a_valid_bundle_from_the_same_maker_opens(tmp_path, signer, database) -> None:
    """The makers build real bundles: the same database, unharmed, opens (so each refusal is the harm's)."""
    path = tmp_path / "fine.bold"
    path.write_bytes(seal(database, signer))
    with _open(path, signer) as bundle:
        assert bundle.findings()


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_each_hostile_file_is_refused_with_its_own_sentence(case, hostile_files, signer) -> None:
    started = time.perf_counter()
    with pytest.raises(errors.BoldError) as caught:
        _read_all(hostile_files[case.name], signer)
    assert time.perf_counter() - started < 15  # a hang guard only; benchmarks/hostile.py measures the 2 s target
    assert caught.value.exit_code == case.exit_code, str(caught.value)
    assert case.says in str(caught.value)


# -- each check, removed, lets something through ----------------------------------------------------------
def _no_allow_list(monkeypatch):
    monkeypatch.setattr(reader.Bundle, "_plain_index", lambda self, name: True)
    def lenient(self):
        _, rows = self._run("SELECT key, value FROM meta")
        return dict(rows)
    monkeypatch.setattr(reader.Bundle, "_check_database", lenient)


MUTATIONS = {
    # check removed -> (how to remove it, a hostile file it alone refuses with its sentence)
    "header size cap": (lambda m: m.setattr(env, "MAX_HEADER", 1 << 30), "6,000 key slots"),
    "slot count cap": (lambda m: m.setattr(env, "MAX_SLOTS", 10_000), "100 key slots"),
    "KDF ceiling": (lambda m: (_no_derivation(m), m.setattr(env, "MAX_KDF_WORK", 1 << 40),
                               m.setattr(env, "MAX_KDF_MEMORY_KIB", 1 << 40)), "KDF far over the ceiling"),
    "KDF work over slots": (lambda m: (_no_derivation(m), m.setattr(env, "MAX_KDF_WORK", 1 << 40)),
                            "KDF at the ceiling, twice"),
    "allow-list of objects": (_no_allow_list, "trigger"),
    "index check": (lambda m: m.setattr(reader.Bundle, "_plain_index", lambda self, name: True), "expression index"),
    "column check": (lambda m: m.setattr(reader.Bundle, "_check_columns", lambda self: None), "extra column"),
    "integrity check": (lambda m: m.setattr(reader.Bundle, "_run", _skip_integrity(reader.Bundle._run)),
                        "index that disagrees with its table"),
    "header types": (lambda m: m.setattr(env, "check_header", _only_sizes), "title of the wrong type"),
}


def _no_derivation(monkeypatch) -> None:
    """With a KDF limit removed, do not really derive 4 GiB: a wrong key stands in for the result."""
    monkeypatch.setattr(env, "derive_passphrase_key", lambda *_args: bytes(32))


def _skip_integrity(run):
    def patched(self, sql, args=(), seconds=None):
        return ([], [("ok",)]) if sql.startswith("PRAGMA integrity_check") else run(self, sql, args, seconds)
    return patched


def _only_sizes(header):
    """The header check without its type checks (what the reader did before)."""
    if not isinstance(header, dict) or not isinstance(header.get("body"), dict):
        raise errors.CorruptBundle()


@pytest.mark.parametrize("check", sorted(MUTATIONS))
def test_removing_any_one_check_lets_a_hostile_file_through(check, hostile_files, signer, monkeypatch) -> None:
    remove, name = MUTATIONS[check]
    case = next(c for c in HOSTILE if c.name == name)
    remove(monkeypatch)
    try:
        _read_all(hostile_files[name], signer)
    except errors.BoldError as error:
        assert case.says not in str(error), f"{check} removed, yet the file was refused for it: {error}"


def test_without_the_unpacked_size_cap_a_bomb_unpacks(monkeypatch) -> None:
    """(The 1 GB bomb itself is not unpacked uncapped here: that would take a gigabyte.)"""
    bomb = zip_bomb(8 << 20, exact=True)
    with pytest.raises(errors.CorruptBundle, match="unpacks to more than"):
        env.unpack(bomb, limit=4 << 20)
    assert env.database_cap(len(bomb)) < 1 << 30  # a 1 GB bomb is always past the cap
    monkeypatch.setattr(env, "MAX_DATABASE", 1 << 40)
    assert len(env.unpack(bomb)) == 8 << 20


def test_every_query_has_a_time_limit(hostile_files, signer, monkeypatch) -> None:
    """Even with the allow-list gone, a view that runs for ever is stopped by the time limit, in one sentence."""
    _no_allow_list(monkeypatch)
    monkeypatch.setattr(reader, "QUERY_SECONDS", 0.5)
    outcome: list = []

    def attempt() -> None:
        try:
            _open(hostile_files["recursive view in place of meta"], signer).close()
            outcome.append(None)
        except errors.BoldError as error:
            outcome.append(error)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    assert outcome, "the reader hung on a view that never ends"
    assert isinstance(outcome[0], errors.CorruptBundle) and "took too long" in str(outcome[0])


def test_a_kdf_at_the_ceiling_takes_about_a_second_not_minutes(tmp_path, signer, database) -> None:
    path = tmp_path / "ceiling.bold"
    path.write_bytes(seal(database, signer, kdf=env.KdfParams(64 * 1024, 3, 4)))
    started = time.perf_counter()
    with pytest.raises(errors.WrongSecret):
        _open(path, signer, "not it")
    assert time.perf_counter() - started < 10  # about 1 s on a laptop; generous for a busy CI machine


def _memory_limit() -> None:
    """The child may map at most 1.5 GB of address space (a 1 GB bomb unpacked would not fit)."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))


CLI_SAMPLE = ("zip bomb (1 GB from about 1 MB)", "recursive view in place of meta", "non-UTF-8 text",
              "empty file as database", "6,000 key slots", "KDF at the ceiling, twice", "title of the wrong type")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
def test_hostile_files_are_refused_by_the_cli_within_time_and_memory(hostile_files, signer, tmp_path) -> None:
    """Through ``bold verify`` in a child process: exit code, one sentence, under 2 s (+ start-up) and 300 MB."""
    pub = tmp_path / "hostile.pub"
    pub.write_text(signer.public.to_json())
    env_vars = {**os.environ, "PYTHONPATH": str(ROOT), "BOLD_PASSPHRASE": PASSPHRASE}
    for case in (c for c in HOSTILE if c.name in CLI_SAMPLE):
        child = subprocess.Popen([sys.executable, "-m", "bold_tui.cli", "verify", str(hostile_files[case.name]),
                                  "--trust", str(pub)], env=env_vars, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, preexec_fn=_memory_limit)
        started = time.perf_counter()
        try:
            stdout, stderr = child.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            pytest.fail(f"{case.name}: still running after 15 s")
        assert child.returncode == case.exit_code, (case.name, stderr)
        assert stderr.count("\n") == 1 and "Traceback" not in stderr and "Something went wrong" not in stderr
        assert time.perf_counter() - started < 15
