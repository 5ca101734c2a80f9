"""Running out of memory is a sentence and an exit code, never a silent kill (the national-scale issue).

A 5,000,000-person run on a laptop must either fit or stop with one plain sentence. These tests make the
machine look small (``BOLD_MEMORY_AVAILABLE``) or the ceiling low, and check each way the run can be
stopped: refused before it starts, stopped in the middle of Python work, stopped inside a DuckDB query.
"""

from __future__ import annotations

import duckdb
import pytest

from linkage_core import memory
from sample_db.world import synthesise
from tests.helpers import assert_one_sentence, bold


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory):
    return synthesise(1000, 3, tmp_path_factory.mktemp("memory") / "world")


def test_sizes_read_the_way_people_write_them() -> None:
    assert memory.parse_size("5GB") == 5 * 10**9
    assert memory.parse_size("512 MiB") == 512 * 2**20
    assert memory.parse_size("1.5GiB") == int(1.5 * 2**30)
    assert memory.parse_size("1024") == 1024
    with pytest.raises(ValueError):
        memory.parse_size("lots")


def test_duckdb_gets_a_share_of_what_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOLD_MEMORY_LIMIT", raising=False)
    small = memory.MachineMemory(total=8 * memory.GiB, available=2 * memory.GiB)
    big = memory.MachineMemory(total=256 * memory.GiB, available=200 * memory.GiB)
    assert memory.parse_size(memory.duckdb_limit(small)) == pytest.approx(2 * memory.GiB * memory.DUCKDB_SHARE,
                                                                          rel=0.01)
    assert memory.parse_size(memory.duckdb_limit(big)) == memory.DUCKDB_CAP
    monkeypatch.setenv("BOLD_MEMORY_LIMIT", "3GB")
    assert memory.duckdb_limit(small) == "3GB"


def test_the_environment_can_only_lower_what_is_free(monkeypatch: pytest.MonkeyPatch) -> None:
    real = memory.machine_memory()
    monkeypatch.setenv("BOLD_MEMORY_AVAILABLE", "100MiB")
    assert memory.machine_memory().available == 100 * 2**20
    monkeypatch.setenv("BOLD_MEMORY_AVAILABLE", "100TiB")
    assert memory.machine_memory().available <= real.available * 1.5


def test_records_are_counted_from_the_files_without_loading_them(small_world) -> None:
    import pyarrow.parquet as pq

    expected = sum(pq.read_table(p).num_rows for p in small_world.glob("*.parquet"))
    assert memory.count_records(small_world) == expected


def test_a_run_that_cannot_fit_is_refused_before_it_starts(small_world, tmp_path) -> None:
    result = bold("link", str(small_world), "--out", str(tmp_path / "link"), env={"BOLD_MEMORY_AVAILABLE": "50MiB"})
    assert_one_sentence(result, 1)
    assert "memory" in result.stderr and "--engine spark" in result.stderr
    assert not (tmp_path / "link" / "spine.parquet").exists()


def test_the_estimate_covers_what_was_measured() -> None:
    # benchmarks/cli_pipeline.py: bold link peaked at 2.68 GiB on 1.35M records and 6.94 GiB on 13.5M
    assert memory.estimated_peak(1_350_317) > 2.68 * memory.GiB
    assert memory.estimated_peak(13_542_494) > 6.94 * memory.GiB
    assert memory.estimated_peak(13_542_494) < 12 * memory.GiB  # but not so far above that 1M is refused


def test_the_check_can_be_skipped_but_not_the_guard(small_world, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = memory.MachineMemory(total=memory.GiB, available=10 * 2**20)
    with pytest.raises(memory.NotEnoughMemory):
        memory.preflight(small_world, "linking", tiny)
    monkeypatch.setenv("BOLD_MEMORY_CHECK", "skip")
    assert memory.preflight(small_world, "linking", tiny) == 0
    with pytest.raises(memory.NotEnoughMemory):
        with memory.guard(tiny, ceiling=0, interval=0.05):
            for _ in range(10**9):
                pass


def test_a_world_too_big_to_make_is_refused(tmp_path) -> None:
    result = bold("synth", "--people", "5000000", "--seed", "1", "--out", str(tmp_path / "w"),
                  env={"BOLD_MEMORY_AVAILABLE": "4GiB"})
    assert_one_sentence(result, 1)
    assert "5,000,000 people" in result.stderr and "GiB" in result.stderr
    assert not (tmp_path / "w").exists()


@pytest.fixture(scope="module")
def linked(small_world, tmp_path_factory: pytest.TempPathFactory):
    """``bold link`` on the small world, run once for the two tests that need a real link (about a minute)."""
    out = tmp_path_factory.mktemp("memory-link") / "link"
    return bold("link", str(small_world), "--out", str(out)), out


@pytest.mark.slow
def test_a_run_that_fits_says_its_peak(linked) -> None:
    result, _ = linked
    assert result.returncode == 0, result.stderr
    assert "Peak memory" in result.stderr and "GiB free" in result.stderr


def test_python_work_is_stopped_before_the_machine_runs_out() -> None:
    held = []
    with pytest.raises(memory.NotEnoughMemory, match="stopped at .* GiB"):
        with memory.guard(ceiling=memory._rss() + 200 * 2**20, interval=0.05):
            for _ in range(10_000):  # about 100 GB if nothing stopped it
                held.append(bytearray(10**7))
    held.clear()


def test_a_duckdb_query_is_stopped_too() -> None:
    con = duckdb.connect()
    memory.track(con)
    try:
        with pytest.raises(memory.NotEnoughMemory):
            with memory.guard(ceiling=0, interval=0.05):
                # a cross join that would run for minutes
                con.execute("SELECT sum(a.i * b.j) FROM range(300000) a(i), range(300000) b(j)").fetchall()
        assert con.execute("SELECT 1").fetchall() == [(1,)]  # the connection is still usable
    finally:
        memory.untrack(con)
        con.close()


def test_duckdb_running_out_reads_as_the_memory_sentence() -> None:
    con = duckdb.connect()
    con.execute("SET memory_limit = '20MB'")
    con.execute("SET temp_directory = ''")  # nowhere to spill
    with pytest.raises(memory.NotEnoughMemory, match="memory"):
        with memory.guard():
            con.execute("SELECT list(i) FROM range(20000000) t(i)").fetchall()
    con.close()


def test_ctrl_c_is_still_ctrl_c() -> None:
    import _thread

    with pytest.raises(KeyboardInterrupt):
        with memory.guard():
            _thread.interrupt_main()
            for _ in range(10**8):
                pass


def test_other_errors_pass_through() -> None:
    with pytest.raises(ZeroDivisionError):
        with memory.guard():
            1 / 0  # noqa: B018


@pytest.mark.slow
def test_build_can_reuse_a_spine_and_says_so_when_there_is_none(small_world, linked, tmp_path) -> None:
    keyfile = tmp_path / "key"
    assert bold("keygen", "--out", str(keyfile)).returncode == 0
    env = {"BOLD_PASSPHRASE": "a passphrase"}
    missing = bold("build", str(small_world), "--out", str(tmp_path / "x.bold"), "--publisher-key", str(keyfile),
                   "--links", str(tmp_path / "nowhere"), env=env)
    assert_one_sentence(missing, 2)
    assert "bold link" in missing.stderr
    result, link = linked
    assert result.returncode == 0, result.stderr
    built = bold("build", str(small_world), "--out", str(tmp_path / "x.bold"), "--publisher-key", str(keyfile),
                 "--links", str(link), env=env)
    assert built.returncode == 0, built.stderr
    assert bold("verify", str(tmp_path / "x.bold"), "--trust", str(keyfile) + ".pub", env=env).returncode == 0


def test_spilling_past_its_share_of_the_disk_is_a_sentence_too(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from insight_packs.engine import DuckDBEngine

    monkeypatch.setenv("BOLD_SPILL_LIMIT", "2MiB")
    engine = DuckDBEngine(memory_limit="60MB", temp_directory=tmp_path)
    try:
        with pytest.raises(memory.NotEnoughDisk, match="temporary files"):
            with memory.guard():
                engine.execute("CREATE TABLE t AS SELECT i, md5(i::varchar) AS s FROM range(5000000) r(i) ORDER BY s")
    finally:
        engine.close()


def test_spill_limit_is_a_share_of_the_free_disk(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.delenv("BOLD_SPILL_LIMIT", raising=False)
    free = shutil.disk_usage(tmp_path).free
    assert memory.parse_size(memory.spill_limit(tmp_path)) == pytest.approx(free * memory.SPILL_SHARE, rel=0.05)


@pytest.mark.slow
def test_a_stopped_run_says_so_and_leaves_no_temporary_files(small_world, tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = subprocess.Popen([sys.executable, "-m", "bold_tui.cli", "link", str(small_world), "--out",
                                str(tmp_path / "link")], env={**os.environ, "TMPDIR": str(scratch)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(scratch.glob("bold-link-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 143, (out, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "Stopped" in err
    assert not any(scratch.iterdir())
