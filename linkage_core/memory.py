"""How much memory the secure stage may use, and one plain sentence when a run would not fit.

A national extract can be bigger than the machine it lands on. The worst way to find out is the kernel's
out-of-memory killer: the process vanishes, the analyst sees "Killed" or nothing, and an hour is lost. So
the pipeline does three things, all here:

1. **Sizes its engines from the machine.** DuckDB's ``memory_limit`` is a share of the memory actually
   free (cgroup limits included), so it spills to its temporary folder long before the machine is full.
2. **Checks before it starts.** The peak a run needs grows with the records it reads; ``preflight``
   estimates it from figures measured on this project's pipeline (``benchmarks/cli_pipeline.py``) and refuses
   a run that cannot fit, saying how much it needs, how much there is, and what to do instead.
3. **Stops itself before the kernel does.** ``guard`` watches the process while it runs; if its memory
   nears what the machine has, it interrupts the work and raises ``NotEnoughMemory``, so the run ends with
   a sentence and an exit code instead of a kill. DuckDB's own out-of-memory error and Python's
   ``MemoryError`` become the same sentence.

Beyond the standard library only pyarrow is used (for Parquet footers, and only when counting records), and
psutil (the ``pipeline`` extra) where there is no ``/proc`` to read: Windows and macOS. The reader install
never imports this module.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from linkage_core.errors import BoldError, NotEnoughDisk, NotEnoughMemory, Stopped

GiB = 2**30

#: Linux's process and memory counters; missing on Windows and macOS, where psutil reads them instead.
PROC = Path("/proc")

#: Measured on the DuckDB pipeline (``benchmarks/cli_pipeline.py``, docs/figures.md): the peak resident
#: memory of ``bold link`` (the hungrier stage) was 2.68 GiB for 1.35M records and 6.94 GiB for 13.5M, a
#: fixed 2.2 GiB plus 350 bytes a record. The estimate sits above both, so the check refuses runs that
#: would not fit rather than ones that would. ``BOLD_MEMORY_CHECK=skip`` skips it (the guard still runs).
BASE_BYTES = int(2.5 * GiB)
BYTES_PER_RECORD = 420

#: ``bold synth`` holds the world's arrays in memory: 2.2 GiB at 1,000,000 people (docs/figures.md).
SYNTH_BASE_BYTES = int(0.3 * GiB)
SYNTH_BYTES_PER_PERSON = 2_600

#: DuckDB gets this share of the free memory, up to ``DUCKDB_CAP``; the rest is for Python's own frames
#: (propensity models, the bundle being written) and the operating system.
DUCKDB_SHARE = 0.35
DUCKDB_CAP = 5 * GiB
DUCKDB_FLOOR = 256 * 2**20

#: DuckDB may spill into at most this share of the free disk where its temporary folder is, so a run that
#: outgrows the disk stops with a sentence and leaves room for everything else on the machine.
SPILL_SHARE = 0.5

#: How long the guard waits for an interrupted DuckDB query to give up before interrupting Python itself.
QUERY_GRACE_SECONDS = 1.0

#: How often the guard repeats a stop that has not taken effect (a library may have swallowed it).
REPEAT_SECONDS = 1.0

#: The guard stops the run when the process has used this share of the memory free when it started.
GUARD_SHARE = 0.92


INSTEAD = "run it with --engine spark on a cluster, or on a machine with more memory"
SYNTH_INSTEAD = "make a smaller world, or use a machine with more memory"


@dataclass(frozen=True)
class MachineMemory:
    total: int
    available: int

    def describe(self) -> str:
        return f"{self.available / GiB:.1f} GiB free of {self.total / GiB:.1f} GiB"


def _meminfo() -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        for line in (PROC / "meminfo").read_text(encoding="latin-1").splitlines():
            name, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                values[name] = int(parts[0]) * 1024
    except OSError:
        pass
    return values


def _cgroup_room() -> int | None:
    """Room left under a cgroup v2 memory limit (containers, CI runners), if one is set."""
    base = Path("/sys/fs/cgroup")
    try:
        limit = (base / "memory.max").read_text(encoding="latin-1").strip()
        if limit == "max":
            return None
        current = int((base / "memory.current").read_text(encoding="latin-1").strip())
        return max(0, int(limit) - current)
    except (OSError, ValueError):
        return None


#: Said when neither /proc nor psutil can tell how much memory there is: a guard that cannot see never trips.
_BLIND = ("This machine's memory cannot be read (no /proc and no psutil), so the run could not be stopped "
          "before it ran out; install the pipeline tools with: pip install 'bold-insights[pipeline]'.")


def _psutil():  # noqa: ANN202 - the module, or None
    """psutil (the ``pipeline`` extra) where it is installed: memory on Windows and macOS, which have no /proc."""
    try:
        import psutil
    except ImportError:
        return None
    return psutil


def _system_memory() -> tuple[int, int] | None:
    """Total and available memory from psutil, or from ``sysconf`` on a POSIX system without /proc."""
    psutil = _psutil()
    if psutil is not None:
        try:
            vm = psutil.virtual_memory()
            return int(vm.total), int(vm.available)
        except Exception:  # noqa: BLE001 - an unreadable counter falls through to the next way
            pass
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        return page * os.sysconf("SC_PHYS_PAGES"), page * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # Windows has no sysconf
        return None


def machine_memory() -> MachineMemory:
    """Total and free memory as this process can use it; the environment may lower it (tests, shared hosts)."""
    info = _meminfo()
    total = info.get("MemTotal")
    available = info.get("MemAvailable")
    if total is None:
        measured = _system_memory()
        if measured is None:
            raise NotEnoughMemory(_BLIND)
        total, available = measured
    available = available if available is not None else total
    room = _cgroup_room()
    if room is not None:
        available = min(available, room)
    override = os.environ.get("BOLD_MEMORY_AVAILABLE")
    if override:
        available = min(available, parse_size(override))
    return MachineMemory(total=total, available=available)


def parse_size(text: str) -> int:
    """``"5GB"``, ``"512MiB"``, ``"2.5 GiB"`` or a plain number of bytes."""
    units = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
             "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
    cleaned = text.strip().upper().replace(" ", "")
    number = cleaned.rstrip("KMGTIB")
    unit = cleaned[len(number):]
    if unit not in units or not number:
        raise ValueError(f"not a size: {text!r}")
    return int(float(number) * units[unit])


def duckdb_limit(memory: MachineMemory | None = None) -> str:
    """The ``memory_limit`` for one DuckDB connection of the pipeline, in a form DuckDB reads."""
    override = os.environ.get("BOLD_MEMORY_LIMIT")
    if override:
        return override
    memory = memory or machine_memory()
    share = int(memory.available * DUCKDB_SHARE)
    return f"{max(DUCKDB_FLOOR, min(DUCKDB_CAP, share)) // 2**20}MiB"


def spill_limit(folder: Path) -> str:
    """DuckDB's ``max_temp_directory_size`` for a temporary folder: a share of the disk free there."""
    import shutil

    override = os.environ.get("BOLD_SPILL_LIMIT")
    if override:
        return override
    free = shutil.disk_usage(folder).free
    return f"{max(1, int(free * SPILL_SHARE) // 2**20)}MiB"


def configure_duckdb(con: object, spill: Path, memory_limit: str | None = None) -> None:
    """Every pipeline DuckDB connection: its memory limit, a private spill folder with a cap, the guard's eye.

    Both the linkage backend and the packs' engine open their connection through here, so they size
    themselves the same way and the guard can stop either one's queries.
    """
    folder = "'" + str(spill).replace("'", "''") + "'"
    con.execute(f"SET memory_limit = '{memory_limit or duckdb_limit()}'")  # type: ignore[attr-defined]
    con.execute(f"SET temp_directory = {folder}")  # type: ignore[attr-defined]
    con.execute(f"SET max_temp_directory_size = '{spill_limit(spill)}'")  # type: ignore[attr-defined]
    track(con)


def estimated_peak(records: int) -> int:
    return BASE_BYTES + BYTES_PER_RECORD * records


def count_records(world: Path) -> int:
    """Rows across a world's extracts, read from Parquet footers (no data is loaded); CSVs by line count.

    A file that cannot be counted (a folder, a damaged or empty file) is passed over here: the extract checks
    that come next refuse it in their own sentence, which says far more than a failed estimate would.
    """
    total = 0
    for path in sorted(Path(world).iterdir()):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                total += pq.read_metadata(path).num_rows
            except (OSError, pa.ArrowException):
                continue
        elif path.suffix == ".csv":
            with path.open("rb") as handle:
                total += max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1)
    return total


def preflight(world: Path, what: str, memory: MachineMemory | None = None) -> int:
    """Refuse, in one sentence, a DuckDB run whose estimated peak would not fit; returns the estimate."""
    if _check_skipped():
        return 0
    records = count_records(world)
    return _fits(estimated_peak(records), f"{what} {records:,} records", memory, INSTEAD)


def preflight_synth(people: int, memory: MachineMemory | None = None) -> int:
    """The same check for ``bold synth``, which holds the whole world in memory while it draws it."""
    if _check_skipped():
        return 0
    return _fits(SYNTH_BASE_BYTES + SYNTH_BYTES_PER_PERSON * people, f"making a world of {people:,} people",
                 memory, SYNTH_INSTEAD)


def _check_skipped() -> bool:
    return os.environ.get("BOLD_MEMORY_CHECK", "").lower() == "skip"


def _fits(need: int, what: str, memory: MachineMemory | None, instead: str) -> int:
    memory = memory or machine_memory()
    if need > memory.available * GUARD_SHARE:
        raise NotEnoughMemory(f"{what[0].upper()}{what[1:]} needs about {need / GiB:.1f} GiB of memory and this "
                              f"machine has {memory.describe()}; {instead}.")
    return need


def _rss() -> int:
    """This process's resident memory: /proc on Linux, psutil elsewhere (the guard's only reading)."""
    try:
        for line in (PROC / "self" / "status").read_text(encoding="latin-1").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    psutil = _psutil()
    if psutil is not None:
        try:
            return int(psutil.Process().memory_info().rss)
        except Exception:  # noqa: BLE001 - a counter the system will not give reads as unknown
            pass
    return 0


def guard_can_see() -> bool:
    """Whether the guard can read this process's memory; without it the guard would never trip."""
    return _rss() > 0


def peak_rss() -> int:
    """The highest resident memory this process has reached, in bytes (0 where the system cannot say)."""
    try:
        import resource
    except ImportError:  # Windows: psutil's peak working set is the same figure
        psutil = _psutil()
        try:
            return int(getattr(psutil.Process().memory_info(), "peak_wset", 0)) if psutil else 0
        except Exception:  # noqa: BLE001
            return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


_connections: set = set()
#: The sentence for a stop under way, for the CLI to show if the stop surfaces as a bare KeyboardInterrupt.
_pending_stop: BoldError | None = None


def pending_stop() -> BoldError | None:
    return _pending_stop


def track(con: object) -> None:
    """Let the guard stop this DuckDB connection's queries (the main-thread interrupt alone can miss one)."""
    _connections.add(con)


def untrack(con: object) -> None:
    _connections.discard(con)


@contextmanager
def guard(memory: MachineMemory | None = None, interval: float = 0.25,
          ceiling: int | None = None, instead: str = INSTEAD) -> Iterator[None]:
    """Run the block, stopping it with ``NotEnoughMemory`` before the machine runs out.

    A watcher thread samples the process's memory. Past the ceiling it interrupts the main thread the way
    Ctrl+C does (so the stop lands even in the middle of pandas or numpy work), and keeps interrupting
    tracked DuckDB connections until the block ends (a query can start just after an interrupt); the
    interrupt then becomes the memory sentence. SIGTERM stops the run the same way, as ``Stopped``, so
    temporary folders are removed on the way out. A real Ctrl+C still reads as a Ctrl+C.
    """
    global _pending_stop
    _pending_stop = None
    memory = memory or machine_memory()
    if not guard_can_see():
        raise NotEnoughMemory(_BLIND)
    limit = ceiling if ceiling is not None else int((memory.available + _rss()) * GUARD_SHARE)
    tripped = threading.Event()
    done = threading.Event()
    reached = [0]

    def stopped() -> NotEnoughMemory:
        return NotEnoughMemory(
            f"The run was stopped at {max(reached[0], _rss()) / GiB:.1f} GiB of memory, before this machine "
            f"({memory.total / GiB:.0f} GiB) ran out; {instead}.")

    terminated = threading.Event()

    def interrupt_queries() -> None:
        for con in list(_connections):
            try:
                con.interrupt()
            except Exception:  # noqa: BLE001 - a closed connection has nothing to stop
                pass

    # Both handlers raise KeyboardInterrupt, not the sentence itself: libraries catch ``Exception`` broadly,
    # and a stop must not be swallowed. The sentence is chosen below, from which flag is set.
    # Once the block has ended, a late signal (the stop already under way) is ignored.
    settled = threading.Event()

    def on_interrupt(_signum: int, _frame: object) -> None:
        if not settled.is_set():
            raise KeyboardInterrupt

    def on_terminate(_signum: int, _frame: object) -> None:
        global _pending_stop
        terminated.set()
        _pending_stop = Stopped()
        if not settled.is_set():
            raise KeyboardInterrupt

    def watch() -> None:
        # One stop at a time: a DuckDB query is interrupted first, and the main thread only if the block
        # is still going a moment later (Python work), then again every second in case a library swallowed
        # it. Two interrupts at once could let the second land while the first becomes the sentence; the
        # CLI reads ``pending_stop`` if that ever happens.
        global _pending_stop
        started, last_main = 0.0, None
        while not done.wait(interval):
            if not tripped.is_set() and not terminated.is_set():
                used = _rss()
                if used <= limit:
                    continue
                reached[0] = used
                tripped.set()
                _pending_stop = stopped()
            if settled.is_set():
                return
            now = time.monotonic()
            started = started or now
            interrupt_queries()
            if terminated.is_set() and last_main is None:
                last_main = now  # the signal itself was the first interrupt
            grace = QUERY_GRACE_SECONDS if _connections else 0.0
            if in_main and now - started >= grace and (last_main is None or now - last_main >= REPEAT_SECONDS):
                last_main = now
                _thread.interrupt_main()

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if in_main else None
    previous_term = signal.signal(signal.SIGTERM, on_terminate) if in_main else None
    watcher = threading.Thread(target=watch, name="bold-memory-guard", daemon=True)
    watcher.start()
    try:
        yield
    except (NotEnoughMemory, Stopped):
        settled.set()
        raise
    except KeyboardInterrupt:
        settled.set()
        if terminated.is_set():
            raise Stopped() from None
        if tripped.is_set():
            raise stopped() from None
        raise
    except MemoryError:
        settled.set()
        raise stopped() from None
    except Exception as error:
        settled.set()
        if terminated.is_set():
            raise Stopped() from None
        if _is_out_of_disk(error):
            raise NotEnoughDisk(
                "The run needed more room for temporary files than it was allowed (half the free disk where "
                "they go); free some space, point TMPDIR at a bigger disk, or " + instead + ".") from None
        if tripped.is_set() or _is_out_of_memory(error):
            raise stopped() from None
        raise
    finally:
        settled.set()
        done.set()
        watcher.join()
        if in_main:
            signal.signal(signal.SIGINT, previous)
            signal.signal(signal.SIGTERM, previous_term)


def _is_out_of_disk(error: BaseException) -> bool:
    text = str(error)
    return "max_temp_directory_size" in text or "No space left on device" in text


def _is_out_of_memory(error: BaseException) -> bool:
    name = type(error).__name__
    return name == "OutOfMemoryException" or "out of memory" in str(error).lower()
