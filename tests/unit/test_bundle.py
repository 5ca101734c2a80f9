"""The bundle format: every failure mode gets its own type, its own sentence and its own test."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkage_core import errors
from linkage_core.bundle import envelope as env
from linkage_core.bundle.keys import PrivateKey, TrustStore
from linkage_core.bundle.reader import open_bundle
from linkage_core.bundle.writer import write_bundle
from linkage_core.schema import Estimate, SuppressionReason
from tests.helpers import FAST_KDF, PASSPHRASE


def _rewrite_header(data: bytes, change) -> bytes:
    """Re-lay a bundle with an edited header (the signature is then stale unless re-signed)."""
    start = len(env.MAGIC) + 6
    _, length = struct.unpack(">HI", data[len(env.MAGIC):start])
    header = json.loads(data[start:start + length])
    change(header)
    raw = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    return env.MAGIC + struct.pack(">HI", env.FORMAT_VERSION, len(raw)) + raw + data[start + length:]


def test_round_trip_reads_what_was_written(bundle_file: Path, trust: TrustStore, content) -> None:
    with open_bundle(bundle_file, PASSPHRASE, trust) as bundle:
        assert bundle.manifest == content.manifest
        assert bundle.packs() == sorted(content.packs, key=lambda p: (p.order, p.id))
        assert {f.id for f in bundle.findings()} == {f.id for f in content.findings}
        first = content.findings[0].id
        assert bundle.estimates(first) == [e for e in content.estimates if e.finding_id == first]
        assert bundle.glossary() and bundle.datasets()


def test_recipient_key_file_opens_and_other_keys_do_not(tmp_path, publisher, trust, content) -> None:
    reader, stranger = PrivateKey.generate("Probation team"), PrivateKey.generate("Someone else")
    path = write_bundle(content, tmp_path / "r.bold", signer=publisher, recipients=[reader.public], kdf=FAST_KDF)
    with open_bundle(path, reader, trust) as bundle:
        assert bundle.packs()
    with pytest.raises(errors.WrongSecret):
        open_bundle(path, stranger, trust)
    with pytest.raises(errors.WrongSecret):
        open_bundle(path, "any passphrase", trust)


def test_wrong_passphrase(bundle_file, trust) -> None:
    with pytest.raises(errors.WrongSecret) as caught:
        open_bundle(bundle_file, "not the passphrase", trust)
    assert caught.value.exit_code == 3


def test_passphrase_is_normalised(tmp_path, publisher, trust, content) -> None:
    path = write_bundle(content, tmp_path / "n.bold", signer=publisher, passphrases=["caf\u00e9"], kdf=FAST_KDF)
    open_bundle(path, "cafe\u0301", trust).close()  # the same word typed with a combining accent


@pytest.mark.parametrize("where", ["header", "slot", "body", "signature"])
def test_any_changed_byte_is_caught(where: str, bundle_file: Path, trust, tmp_path) -> None:
    data = bytearray(bundle_file.read_bytes())
    parsed = env.parse(bytes(data))
    header_start = len(env.MAGIC) + 6
    offsets = {
        "header": header_start + bytes(parsed.prefix[header_start:]).index(b'"title"') + 10,
        "slot": header_start + bytes(parsed.prefix[header_start:]).index(b'"wrapped"') + 14,
        "body": len(parsed.prefix) + len(parsed.body) // 2,
        "signature": len(data) - 3,
    }
    data[offsets[where]] ^= 0x01
    bad = tmp_path / "bad.bold"
    bad.write_bytes(bytes(data))
    with pytest.raises(errors.NotABundle) as caught:
        open_bundle(bad, PASSPHRASE, trust)
    assert caught.value.exit_code == 4


def test_body_tampered_and_resigned_by_someone_else_is_untrusted(bundle_file, trust, tmp_path) -> None:
    forger = PrivateKey.generate("Forger")
    parsed = env.parse(bundle_file.read_bytes())
    doc = {"name": "Test publisher", "key_id": forger.public.key_id, "demo": False,
           "ed25519": env.b64e(forger.public.signing), "x25519": env.b64e(forger.public.recipient)}
    data = _rewrite_header(bytes(parsed.signed_part) + parsed.signature, lambda h: h.update(publisher=doc))
    signed = data[:-env.SIGNATURE_SIZE]
    (tmp_path / "f.bold").write_bytes(signed + forger.signing_key.sign(signed))
    with pytest.raises(errors.UntrustedPublisher) as caught:
        open_bundle(tmp_path / "f.bold", PASSPHRASE, trust)
    assert caught.value.exit_code == 5


def test_unsigned_bundle_is_refused(tmp_path, trust, content) -> None:
    path = write_bundle(content, tmp_path / "u.bold", signer=None, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    with pytest.raises(errors.UnsignedBundle) as caught:
        open_bundle(path, PASSPHRASE, trust)
    assert caught.value.exit_code == 5


def test_unknown_publisher(bundle_file) -> None:
    with pytest.raises(errors.UntrustedPublisher):
        open_bundle(bundle_file, PASSPHRASE, TrustStore())


@pytest.mark.parametrize("keep", [0.0, 0.01, 0.5, 0.999])
def test_truncated(bundle_file, trust, tmp_path, keep: float) -> None:
    data = bundle_file.read_bytes()
    cut = tmp_path / "cut.bold"
    cut.write_bytes(data[: max(1, int(len(data) * keep))])
    with pytest.raises(errors.TruncatedBundle) as caught:
        open_bundle(cut, PASSPHRASE, trust)
    assert caught.value.exit_code == 4


def test_not_a_bundle(tmp_path, trust) -> None:
    path = tmp_path / "notes.bold"
    path.write_text("not a bundle\n")
    with pytest.raises(errors.NotABundle) as caught:
        open_bundle(path, PASSPHRASE, trust)
    assert type(caught.value) is errors.NotABundle


def test_unsupported_format_version(bundle_file, trust, tmp_path) -> None:
    data = bytearray(bundle_file.read_bytes())
    struct.pack_into(">H", data, len(env.MAGIC), env.FORMAT_VERSION + 1)
    (tmp_path / "v.bold").write_bytes(bytes(data))
    with pytest.raises(errors.UnsupportedVersion) as caught:
        open_bundle(tmp_path / "v.bold", PASSPHRASE, trust)
    assert caught.value.exit_code == 7


def test_unsupported_schema_version(tmp_path, publisher, trust, content) -> None:
    newer = content.model_copy(update={"manifest": content.manifest.model_copy(update={"schema_version": 99})})
    path = write_bundle(newer, tmp_path / "s.bold", signer=publisher, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    with pytest.raises(errors.UnsupportedVersion):
        open_bundle(path, PASSPHRASE, trust)


def test_hostile_kdf_cost_is_refused_before_deriving(bundle_file, trust, tmp_path, publisher) -> None:
    data = _rewrite_header(bundle_file.read_bytes(), lambda h: h["kdf"].update(memory_kib=1 << 30))
    signed = data[:-env.SIGNATURE_SIZE]
    (tmp_path / "k.bold").write_bytes(signed + publisher.signing_key.sign(signed))
    with pytest.raises(errors.CorruptBundle):
        open_bundle(tmp_path / "k.bold", PASSPHRASE, trust)


def test_writer_refuses_a_figure_under_the_threshold(tmp_path, publisher, content) -> None:
    small = Estimate(id="x", finding_id=content.findings[0].id, treated_n=5, treated_events=0, treated_value=0.0)
    bad = content.model_copy(update={"estimates": [*content.estimates, small]})
    with pytest.raises(errors.DisclosureViolation, match="estimate x"):
        write_bundle(bad, tmp_path / "bad.bold", signer=publisher, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    assert not (tmp_path / "bad.bold").exists()


def test_reader_blocks_a_figure_that_breaks_the_policy(tmp_path, publisher, trust, content, monkeypatch) -> None:
    """A bundle written by a broken or older writer still cannot show a small cell."""
    fid = content.findings[0].id
    small = Estimate(id="small", finding_id=fid, group="Tiny", treated_n=5, treated_events=2, treated_value=0.4)
    bad = content.model_copy(update={"estimates": [*content.estimates, small]})
    monkeypatch.setattr("linkage_core.bundle.writer.audit", lambda *a: [])
    path = write_bundle(bad, tmp_path / "b.bold", signer=publisher, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    with open_bundle(path, PASSPHRASE, trust) as bundle:
        shown = {e.id: e for e in bundle.estimates(fid)}["small"]
        assert shown.suppressed and shown.treated_n is None and shown.treated_value is None
        assert shown.suppression_reason is SuppressionReason.BLOCKED_AT_READ
        assert any("estimate small" in p for p in bundle.audit())


def test_plaintext_never_touches_disk(bundle_file, trust, tmp_path, monkeypatch) -> None:
    """Open with every temp location pointed at an empty folder: nothing may be written there."""
    spy = tmp_path / "tmp"
    spy.mkdir()
    for var in ("TMPDIR", "TEMP", "TMP", "SQLITE_TMPDIR"):
        monkeypatch.setenv(var, str(spy))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(spy))
    with open_bundle(bundle_file, PASSPHRASE, trust) as bundle:
        for finding in bundle.findings():
            bundle.estimates(finding.id)
        bundle.search("prison")
        assert bundle._conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
        assert bundle._conn.execute("PRAGMA query_only").fetchone()[0] == 1
    assert list(spy.iterdir()) == []


def test_locked_bundle_reads_nothing(bundle_file, trust) -> None:
    bundle = open_bundle(bundle_file, PASSPHRASE, trust)
    bundle.close()
    with pytest.raises(errors.BoldError, match="locked"):
        bundle.packs()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_always_give_a_typed_error(tmp_path, trust, blob: bytes) -> None:
    path = tmp_path / "fuzz.bold"
    path.write_bytes(blob)
    with pytest.raises(errors.BoldError) as caught:
        open_bundle(path, PASSPHRASE, trust)
    assert caught.value.exit_code in (4, 7), str(caught.value)  # not a bundle / damaged, or a newer version


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_bundles_always_give_a_typed_error(tmp_path, trust, bundle_file, data) -> None:
    original = bundle_file.read_bytes()
    blob = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        at = data.draw(st.integers(0, max(0, len(blob) - 1)))
        if action == "flip" and blob:
            blob[at] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del blob[at: at + data.draw(st.integers(1, 64))]
        else:
            blob[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    if bytes(blob) == original:
        return
    path = tmp_path / "mutant.bold"
    path.write_bytes(bytes(blob))
    with pytest.raises(errors.BoldError) as caught:
        open_bundle(path, PASSPHRASE, trust)
    # Every change is caught as a damaged or tampered file (4), or a version this reader does not know (7):
    # never as a wrong passphrase (3) or an unknown publisher (5), which would send a person the wrong way.
    assert caught.value.exit_code in (4, 7), str(caught.value)
