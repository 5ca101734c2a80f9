"""Trust comes from verified facts only; outputs never replace what a user has; secrets are handled as secrets."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

import sample_db
from linkage_core import errors
from linkage_core.bundle.keys import PrivateKey, TrustStore, demo_anchor, load_public_key
from linkage_core.bundle.reader import open_bundle
from linkage_core.bundle.writer import write_bundle
from linkage_core.safe_output import check_target, new_file, new_folder
from linkage_core.schema import DisclosurePolicy, Estimate
from tests.helpers import FAST_KDF, PASSPHRASE


def pilot_test(test):
    """Run an async Pilot test with asyncio.run (no async pytest plugin needed)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))
    return run


async def wait_for(pilot, condition, seconds: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


# -- the demo key vouches for the shipped demo and nothing else -----------------------------------------------
def _anchored(tmp_path: Path, key: PrivateKey, bundle: Path) -> TrustStore:
    (tmp_path / "demo.pub").write_text(key.public.to_json())
    (tmp_path / "demo.sha256").write_text(hashlib.sha256(bundle.read_bytes()).hexdigest() + "  x\n")
    anchor = demo_anchor(tmp_path / "demo.pub", tmp_path / "demo.sha256", "Demo")
    assert anchor is not None and anchor.demo
    return TrustStore([anchor])


def test_the_demo_key_opens_its_pinned_file_and_no_other(tmp_path, content) -> None:
    key = PrivateKey.generate("Demo")
    pinned = write_bundle(content, tmp_path / "a.bold", signer=key, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    trust = _anchored(tmp_path, key, pinned)
    with open_bundle(pinned, PASSPHRASE, trust) as bundle:
        assert bundle.is_demo
    other = write_bundle(content, tmp_path / "b.bold", signer=key, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    with pytest.raises(errors.UntrustedPublisher, match="vouches only for the demo"):
        open_bundle(other, PASSPHRASE, trust)


def test_a_key_file_cannot_claim_to_be_the_demo_or_rename_it(tmp_path) -> None:
    shipped = json.loads(sample_db.demo_public_key_path().read_text())
    impostor = tmp_path / "hmpps.pub"
    impostor.write_text(json.dumps(shipped | {"name": "HM Prison and Probation Service", "demo": True}))
    key = load_public_key(impostor)
    assert not key.demo and "HM Prison" not in key.name  # neither claim is believed
    from bold_tui import secrets

    store = secrets.trust_store([impostor])
    demo = store.get(key.key_id)
    assert demo.demo and demo.name == sample_db.DEMO_PUBLISHER_NAME  # the anchor is not replaced


def test_a_bundle_claiming_to_be_synthetic_demo_is_not_the_demo(tmp_path, publisher, trust, content) -> None:
    from bold_tui import secrets
    from linkage_core.bundle.files import inspect

    path = write_bundle(content, tmp_path / "c.bold", signer=publisher, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    envelope, key = inspect(path, trust)
    assert envelope.synthetic and not key.demo and not secrets.is_demo(envelope, trust)
    with pytest.raises(errors.UsageError, match="needs a passphrase"):
        secrets.secret_for(envelope, trust, None, demo_default=True)


def test_shipped_demo_verifies_by_its_hash(tmp_path) -> None:
    from bold_tui import secrets

    trust = secrets.trust_store()
    with open_bundle(sample_db.demo_bundle_path(), sample_db.DEMO_PASSPHRASE, trust) as bundle:
        assert bundle.is_demo and bundle.publisher.label.endswith("(demo key)")
    copy = tmp_path / "demo.bold"
    copy.write_bytes(sample_db.demo_bundle_path().read_bytes())
    with open_bundle(copy, sample_db.DEMO_PASSPHRASE, trust) as bundle:  # the same bytes anywhere are the demo
        assert bundle.is_demo


def test_no_private_demo_key_ships() -> None:
    root = Path(sample_db.__file__).parent
    assert not [p for p in root.rglob("*") if p.is_file() and b'"bold-private-key"' in p.read_bytes()[:4096]]


# -- a trust store that survives a bad file -----------------------------------------------------------------
def test_a_bad_trust_file_is_skipped_by_name(tmp_path, publisher) -> None:
    folder = tmp_path / "trusted"
    folder.mkdir()
    (folder / "bad.pub").write_text(json.dumps({"type": "bold-public-key", "ed25519": 5, "x25519": ["x"]}))
    (folder / "junk.pub").write_bytes(b"\xff\xfe")
    (folder / "good.pub").write_text(json.dumps(json.loads(publisher.public.to_json()) | {"trusted_as": "Team"}))
    store = TrustStore.from_folder(folder)
    assert store.get(publisher.public.key_id).name == "Team"
    assert len(store.warnings) == 2 and "bad.pub" in store.warnings[0] and "junk.pub" in store.warnings[1]


# -- verify means verify: the reader's own minimum, whatever the bundle says ---------------------------------
def test_reader_minimum_policy_overrides_a_weak_bundle_policy(tmp_path, publisher, trust, content) -> None:
    weak = DisclosurePolicy(threshold=1, rounding_base=1)
    one = Estimate(id="one", finding_id=content.findings[0].id, treated_n=2, treated_events=1, treated_value=0.5)
    bad = content.model_copy(update={"manifest": content.manifest.model_copy(update={"policy": weak}),
                                     "estimates": [*content.estimates, one]})
    path = write_bundle(bad, tmp_path / "weak.bold", signer=publisher, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    with open_bundle(path, PASSPHRASE, trust) as bundle:
        assert bundle.policy.threshold == 10 and bundle.policy.rounding_base == 5
        assert any("one" in p for p in bundle.audit())
        assert next(e for e in bundle.estimates(one.finding_id) if e.id == "one").suppressed


# -- never overwrite, never leave half a file ----------------------------------------------------------------
def test_outputs_refuse_existing_files_inputs_and_private_keys(tmp_path) -> None:
    (tmp_path / "have.txt").write_text("mine")
    key = tmp_path / "key"
    key.write_text(PrivateKey.generate("k").to_json())
    with pytest.raises(errors.UsageError, match="already exists"):
        check_target(tmp_path / "have.txt")
    check_target(tmp_path / "have.txt", force=True)
    with pytest.raises(errors.UsageError, match="private key"):
        check_target(key, force=True)
    world = tmp_path / "world"
    world.mkdir()
    (world / "prison.parquet").write_text("x")
    with pytest.raises(errors.UsageError, match="inside this command's input"):
        check_target(world / "prison.parquet", inputs=[world])
    with pytest.raises(errors.UsageError, match="one of this command's inputs"):
        check_target(world, inputs=[world], force=True, folder=True)
    with pytest.raises(errors.UsageError, match="one of this command's inputs"):
        check_target(tmp_path, inputs=[world], force=True, folder=True)


def test_a_failed_write_leaves_nothing_behind(tmp_path) -> None:
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(RuntimeError):
        with new_file(tmp_path / "deep" / "out.bold") as temp:
            temp.write_bytes(b"half")
            raise RuntimeError("stopped")
    with pytest.raises(KeyboardInterrupt):
        with new_folder(tmp_path / "world") as folder:
            (folder / "a.parquet").write_text("half")
            raise KeyboardInterrupt
    assert sorted(tmp_path.rglob("*")) == before


def test_force_replaces_only_what_the_command_writes(tmp_path) -> None:
    out = tmp_path / "link"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    (out / "spine.parquet").write_text("old")
    with pytest.raises(errors.UsageError, match="already holds files"):
        with new_folder(out):
            pass
    with new_folder(out, force=True) as folder:
        (folder / "spine.parquet").write_text("new")
    assert (out / "notes.txt").read_text() == "keep me" and (out / "spine.parquet").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["link"]


# -- secrets ---------------------------------------------------------------------------------------------------
def test_passphrase_leaves_the_environment_once_read(monkeypatch) -> None:
    from bold_tui import secrets

    monkeypatch.setenv("BOLD_PASSPHRASE", "hunter2")
    assert secrets.secret_from_environment(None) == "hunter2"
    assert "BOLD_PASSPHRASE" not in os.environ


@pilot_test
async def test_keys_do_nothing_while_unlocking_and_no_screenshot_while_open(bundle_file, trust, tmp_path,
                                                                           monkeypatch) -> None:
    import time

    from bold_tui.app import BoldApp
    from linkage_core.bundle import reader

    real = reader.open_bundle

    def slow(*args):
        time.sleep(1.0)
        return real(*args)

    monkeypatch.setattr(reader, "open_bundle", slow)
    app = BoldApp(bundle_file, trust)
    theme = app.theme
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "UnlockScreen")
        app.screen.query_one("#passphrase").value = PASSPHRASE
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "busy", False))
        await pilot.press("t", "q", "w", "question_mark")
        assert app.is_running and app.theme == theme
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        assert app.save_screenshot(path=str(tmp_path)) == "" and not list(tmp_path.glob("*.svg"))
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.bundle is None)
