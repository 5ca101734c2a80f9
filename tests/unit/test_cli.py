"""The ``bold`` command as the outside contract drives it: exit codes, one sentence, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sample_db
from linkage_core.bundle.keys import load_private_key
from linkage_core.bundle.writer import write_bundle
from tests.helpers import FAST_KDF, PASSPHRASE, assert_one_sentence, bold


DEMO = str(sample_db.demo_bundle_path())


def test_version_and_help() -> None:
    assert bold("--version").stdout.startswith("bold ")
    for command in ["verify", "keygen", "trust", "list", "show", "synth", "link", "build", "evaluate", "check"]:
        result = bold(command, "--help")
        assert result.returncode == 0 and "usage" in result.stdout.lower(), command


def test_verify_demo_with_and_without_secret() -> None:
    assert bold("verify", DEMO).returncode == 0
    result = bold("verify", DEMO, env={"BOLD_PASSPHRASE": sample_db.DEMO_PASSPHRASE})
    assert result.returncode == 0 and "within the disclosure rules" in result.stdout


def test_wrong_passphrase_exit_3() -> None:
    assert_one_sentence(bold("verify", DEMO, env={"BOLD_PASSPHRASE": "not-it"}), 3)


def test_tampered_truncated_and_not_a_bundle_exit_4(tmp_path: Path) -> None:
    data = Path(DEMO).read_bytes()
    for name, blob in {"flip": data[:200] + bytes([data[200] ^ 1]) + data[201:],
                       "cut": data[: len(data) // 2], "text": b"not a bundle\n"}.items():
        (tmp_path / f"{name}.bold").write_bytes(blob)
        assert_one_sentence(bold("verify", str(tmp_path / f"{name}.bold")), 4)


def test_missing_file_and_usage_errors() -> None:
    assert_one_sentence(bold("verify"), 2)
    assert_one_sentence(bold("show", "--format", "yaml"), 2)
    assert bold("verify", "/no/such/file.bold").returncode == 1


def test_untrusted_then_trusted_publisher(tmp_path: Path, content) -> None:
    assert bold("keygen", "--out", str(tmp_path / "team")).returncode == 0
    assert (tmp_path / "team.pub").exists() and (tmp_path / "team").stat().st_mode & 0o077 == 0
    key = load_private_key(tmp_path / "team")
    path = write_bundle(content, tmp_path / "t.bold", signer=key, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    assert_one_sentence(bold("verify", str(path)), 5)
    assert bold("verify", str(path), "--trust", str(tmp_path / "team.pub")).returncode == 0
    assert bold("trust", "add", str(tmp_path / "team.pub")).returncode == 0
    assert "Test" not in bold("trust", "list").stdout and "team" in bold("trust", "list").stdout
    assert bold("verify", str(path)).returncode == 0
    assert bold("keygen", "--out", str(tmp_path / "team")).returncode == 2  # never overwrite a key


def test_disclosure_violation_exit_6(tmp_path: Path, content, monkeypatch) -> None:
    from linkage_core.schema import Estimate

    key_dir = tmp_path / "k"
    assert bold("keygen", "--out", str(key_dir / "team")).returncode == 0
    small = Estimate(id="small", finding_id=content.findings[0].id, treated_n=3, treated_events=1, treated_value=0.3)
    bad = content.model_copy(update={"estimates": [*content.estimates, small]})
    monkeypatch.setattr("linkage_core.bundle.writer.audit", lambda *a: [])
    path = write_bundle(bad, tmp_path / "b.bold", signer=load_private_key(key_dir / "team"),
                        passphrases=[PASSPHRASE], kdf=FAST_KDF)
    result = bold("verify", str(path), "--trust", str(key_dir / "team.pub"), env={"BOLD_PASSPHRASE": PASSPHRASE})
    assert_one_sentence(result, 6)


def test_secret_is_never_an_argument() -> None:
    assert bold("verify", DEMO, "--passphrase", "x").returncode == 2


@pytest.mark.slow
def test_list_and_show_formats() -> None:
    env = {"BOLD_PASSPHRASE": sample_db.DEMO_PASSPHRASE}
    listing = json.loads(bold("list", "--format", "json", env=env).stdout)
    assert listing["packs"] and all(p["findings"] for p in listing["packs"])
    every = json.loads(bold("show", "--all", "--format", "json", env=env).stdout)
    assert every["findings"] and all("estimates" in f for f in every["findings"])
    suppressed = [e for f in every["findings"] for e in f["estimates"] if e["suppressed"]]
    assert suppressed and all(e["treated_n"] is None and e["treated_value"] is None for e in suppressed)
    first = listing["packs"][0]["findings"][0]["id"]
    hiding = next(f["id"] for f in every["findings"] if any(e["suppressed"] for e in f["estimates"]))
    text = bold("show", hiding, env=env).stdout
    assert "[c]" in text or "[x]" in text
    assert "Source:" in text
    assert bold("show", first, "--format", "markdown", env=env).stdout.startswith("# ")
    assert bold("show", "no-such-finding", env=env).returncode == 2


def test_pipeline_command_without_the_extra_says_so(tmp_path: Path) -> None:
    """Simulate a reader install: the pipeline libraries cannot be imported."""
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'duckdb', 'splink', 'sqlite_utils', 'pyarrow', 'numpy', 'pandas'}:\n"
        "            raise ImportError(f'No module named {name}', name=name)\n"
        "sys.meta_path.insert(0, _Block())\n"
    )
    (tmp_path / "world").mkdir()
    (tmp_path / "world" / "prison.csv").write_text("record_id\n1\n")
    env = {"PYTHONPATH": f"{tmp_path}{os.pathsep}{Path.cwd()}"}
    for args in (["synth", "--people", "10", "--out", str(tmp_path / "w")],
                 ["link", str(tmp_path / "world"), "--out", str(tmp_path / "o")]):
        result = bold(*args, env=env)
        assert_one_sentence(result, 2)
        assert "pipeline" in result.stderr
    # The reader side still works without them.
    assert bold("verify", DEMO, env={**env, "BOLD_PASSPHRASE": sample_db.DEMO_PASSPHRASE}).returncode == 0


# -- issue 12: every failure on the contract; nothing a user has is replaced -----------------------------------
def test_show_all_reads_the_file_in_either_order(tmp_path: Path, bundle_file: Path) -> None:
    for args in (["show", "--all", str(bundle_file)], ["show", str(bundle_file), "--all"]):
        assert_one_sentence(bold(*args, "--format", "json"), 5)  # its own (untrusted) file, not the demo
    missing = str(tmp_path / "none.bold")
    for args in (["show", "--all", missing], ["show", missing, "--all"]):
        assert_one_sentence(bold(*args, "--format", "json"), 1)


def test_bad_arguments_are_usage_errors_and_never_echo_a_secret(tmp_path: Path) -> None:
    for args in (["verify", DEMO, "--passphrase", "hunter2"], ["verify", DEMO, "--passphrase=hunter2"],
                 ["verify", DEMO, "--pw", "hunter2"], ["verify", DEMO, "hunter2"]):
        result = bold(*args)
        assert_one_sentence(result, 2)
        assert "hunter2" not in result.stderr + result.stdout
    assert_one_sentence(bold("synth", "--people", "10", "--seed", "-1", "--out", str(tmp_path / "w")), 2)
    assert_one_sentence(bold("keygen", "--out", ""), 2)
    assert not (tmp_path / "w").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="no /dev/zero or FIFOs")
def test_key_files_must_be_small_ordinary_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for keyfile in ("/dev/zero", str(fifo)):
        assert_one_sentence(bold("verify", DEMO, "--keyfile", keyfile), 2)
    assert_one_sentence(bold("verify", str(fifo)), 4)


@pytest.mark.slow  # nine `bold` processes, one after another: CI runs it, the fast lane does not
def test_outputs_never_replace_a_key_an_input_or_a_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert bold("keygen", "--out", str(keys / "team")).returncode == 0
    private = (keys / "team").read_text()
    (tmp_path / "x.pub").write_text("someone's file")
    assert_one_sentence(bold("keygen", "--out", str(tmp_path / "x")), 2)  # would replace x.pub
    assert (tmp_path / "x.pub").read_text() == "someone's file" and not (tmp_path / "x").exists()
    world = tmp_path / "w"
    world.mkdir()
    (world / "prison.csv").write_text("record_id\n1\n")
    env = {"BOLD_PASSPHRASE": "pw"}
    for out in (keys / "team", world / "prison.csv", world, tmp_path):
        assert_one_sentence(bold("build", str(world), "--out", str(out), "--publisher-key", str(keys / "team"),
                                 env=env), 2)
    assert_one_sentence(bold("link", str(world), "--out", str(world)), 2)
    assert_one_sentence(bold("keygen", "--out", str(keys / "team"), "--force"), 2)
    assert (keys / "team").read_text() == private and (world / "prison.csv").read_text() == "record_id\n1\n"
    leftovers = [p for p in tmp_path.rglob("*") if ".partial" in p.name]
    assert not leftovers


def test_qa_and_outputs_folders_are_never_merged_into(tmp_path: Path) -> None:
    """A folder that already holds files is refused before any work, and what it holds is left as it was."""
    keys = tmp_path / "keys"
    assert bold("keygen", "--out", str(keys / "team")).returncode == 0
    world = tmp_path / "w"
    world.mkdir()
    (world / "prison.csv").write_text("record_id\n1\n")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    assert_one_sentence(bold("link", str(world), "--out", str(tmp_path / "links"), "--qa", str(busy)), 2)
    result = bold("build", str(world), "--out", str(tmp_path / "b.bold"), "--publisher-key", str(keys / "team"),
                  "--outputs", str(busy), env={"BOLD_PASSPHRASE": "pw"})
    assert_one_sentence(result, 2)
    assert "--outputs" in result.stderr
    assert (busy / "notes.txt").read_text() == "mine" and sorted(busy.iterdir()) == [busy / "notes.txt"]
    assert not (tmp_path / "links").exists() and not (tmp_path / "b.bold").exists()


def test_a_bad_file_in_the_trust_store_is_named_and_skipped(tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "trusted").mkdir(parents=True)
    (config / "trusted" / "broken.pub").write_text('{"type": "bold-public-key", "ed25519": 1}')
    result = bold("verify", DEMO, env={"BOLD_CONFIG_DIR": str(config)})
    assert result.returncode == 0 and "broken.pub" in result.stderr
    impostor = tmp_path / "hmpps.pub"
    doc = json.loads(sample_db.demo_public_key_path().read_text())
    impostor.write_text(json.dumps(doc | {"name": "HM Prison and Probation Service", "demo": True}))
    assert_one_sentence(bold("trust", "add", str(impostor), "--name", "HMPPS", env={"BOLD_CONFIG_DIR": str(config)}),
                        2)
    assert "HM Prison" not in bold("verify", DEMO, "--trust", str(impostor)).stdout
