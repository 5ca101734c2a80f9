"""The app as a caseworker's daily tool: key-to-screen times on a big bundle, and memory on the demo.

Figures to reach (issue: "The app as a caseworker's daily tool"):

- With a generated bundle of 100,000 findings (over the 4 packs, a few estimates each), a keystroke that
  moves (cursor down in the findings list), filters (typing in search, results updating) or opens a finding
  (Enter) updates the screen in under 50 ms (median); opening the finding list (home screen after unlock,
  first paint) takes under 300 ms.
- The real ``bold`` process with the demo bundle open (unlocked, one finding open) stays under 150 MiB RSS.

Each interaction is timed from the key press until the screen that shows its result has been painted: the
app's ``_display`` (called with every compositor update, headless too) is wrapped so the moment is taken
right after the paint in which the expected state is first visible, not when a polling loop notices it.

Issue 17 adds: the answer screen for 30 comparisons paints within 100 ms of the key (``--answer``); a
search keystroke over 100,000 findings stays under 50 ms: the word index's own search per keystroke
(``--index``) and the palette from key to painted results (``--only search_keys``, once the index is built).

Run: ``python benchmarks/app_speed.py [--findings N] [--repeat 30]``, ``python benchmarks/app_speed.py
--answer``, ``python benchmarks/app_speed.py --index`` and ``python benchmarks/app_speed.py --memory``. The generated bundle is built once and cached in the temp folder (about a minute to build).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for the fixed test content

from linkage_core.bundle.envelope import KdfParams
from linkage_core.bundle.keys import PrivateKey, TrustStore, load_public_key
from linkage_core.bundle.reader import Bundle, inspect
from linkage_core.bundle.writer import write_bundle

PASSPHRASE = "bench"
SIZE = (80, 24)
#: The issue's limits, in seconds.
KEY_LIMIT = 0.050
FIRST_PAINT_LIMIT = 0.300
RSS_LIMIT_MIB = 150
#: Searches typed one key at a time: matches everywhere, matches in a few places, and nothing at all.
QUERIES = ["housing", "wales 2019", "finding 4242", "zqx", "school", "london"]
REGIONS = ["London", "North West", "Wales", "South West", "North East", "Yorkshire", "East", "Midlands"]


# -- the generated bundle ------------------------------------------------------------------------------------
def headline_token(finding_id: str) -> str:
    """Words only the generated finding's own headline holds: proof the detail shows *that* finding."""
    return f"Generated finding {finding_id.removeprefix('gen.')}:"


def build_bundle(n: int, folder: Path) -> Path:
    """The test content's 4 packs, each placeholder finding copied n/4 times with 3 of its estimates."""
    from tests.sample_content import build_demo_content

    content = build_demo_content()
    templates = {f.pack_id: f for f in content.findings}
    cells = {f.id: [e for e in content.estimates if e.finding_id == f.id][:3] for f in content.findings}
    packs = [p.id for p in content.packs]
    findings, estimates = [], []
    for i in range(n):
        base = templates[packs[i % len(packs)]]
        fid = f"gen.{i}"
        region, year = REGIONS[(i // 4) % len(REGIONS)], 2015 + (i // 32) % 10
        findings.append(base.model_copy(update={
            "id": fid, "order": 10 + i, "title": f"{base.measure}: {region} {year} cohort ({i})",
            "headline": f"{headline_token(fid)} {base.headline}",
        }))
        estimates += [e.model_copy(update={"id": f"{fid}:{j}", "finding_id": fid})
                      for j, e in enumerate(cells[base.id])]
    content = content.model_copy(update={"findings": findings, "estimates": estimates})
    key = PrivateKey.generate("Benchmark publisher")
    (folder / "publisher.pub").write_text(key.public.to_json())
    return write_bundle(content, folder / "big.bold", signer=key, passphrases=[PASSPHRASE],
                        kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1))


def _content_digest() -> str:
    """The bundle format and the test content the cache was built from: a stale cache would fail to open."""
    import hashlib

    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in ("linkage_core/schema.py", "linkage_core/bundle/tables.py", "linkage_core/bundle/writer.py",
                 "tests/sample_content.py"):
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:12]


def cached_bundle(n: int) -> tuple[Path, TrustStore]:
    """Build the bundle the first time only: it takes about a minute for 100,000 findings."""
    folder = Path(tempfile.gettempdir()) / f"bold-app-speed-{_content_digest()}-{n}"
    path, pub = folder / "big.bold", folder / "publisher.pub"
    if not (path.exists() and pub.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        print(f"building a bundle of {n:,} findings in {folder} …", flush=True)
        build_bundle(n, folder)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return path, TrustStore([load_public_key(pub)])


# -- timing a key until the screen shows its result ------------------------------------------------------------
class PaintWatch:
    """Takes the time of the first paint after which ``predicate`` holds on the current screen."""

    def __init__(self, app) -> None:
        self._app = app
        self._predicate: Callable[[], bool] | None = None
        self._event = asyncio.Event()
        self._at = 0.0
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if self._predicate is None or renderable is None or screen is not app.screen:
                return
            try:
                ok = self._predicate()
            except Exception:
                ok = False
            if ok:
                self._at = time.perf_counter()
                self._predicate = None
                self._event.set()

        app._display = display

    def expect(self, predicate: Callable[[], bool]) -> None:
        self._predicate = predicate
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> float:
        """The moment of the paint; raises TimeoutError when the screen never showed the result."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        finally:
            self._predicate = None
        return self._at


def _plain(widget) -> str:
    content = widget.content
    return content.plain if hasattr(content, "plain") else str(content)


def home_shows_highlighted(app, *, not_row: int | None = None) -> bool:
    """Home is current, a row is highlighted (other than row ``not_row``) and the detail describes that row.

    After unlocking, the first row is a pack's answer row (issue 17), whose detail is the pack's question;
    a finding's row shows the finding's own headline.
    """
    screen = app.screen
    if type(screen).__name__ != "HomeScreen":
        return False
    from bold_tui.widgets.pack_list import PackList

    row = screen.query_one(PackList).highlighted
    if row is None or row == not_row:
        return False
    detail = _plain(screen.query_one("#home-detail"))
    finding_id = screen._highlighted_id()
    if finding_id is None:
        return "every service or course here" in detail
    return headline_token(finding_id) in detail


def highlighted_row(app) -> int | None:
    from bold_tui.widgets.pack_list import PackList

    return app.screen.query_one(PackList).highlighted


class Bench:
    """One headless app on the big bundle; each method measures one interaction ``repeat`` times."""

    def __init__(self, path: Path, trust: TrustStore, repeat: int, timeout: float) -> None:
        self.path, self.trust, self.repeat, self.timeout = path, trust, repeat, timeout
        envelope, self.publisher = inspect(path, trust)
        self.envelope = envelope
        self.database = envelope.decrypt(envelope.unwrap(PASSPHRASE))

    def fresh_bundle(self) -> Bundle:
        """An unlocked bundle as the unlock screen's worker hands it over (decryption is not timed here)."""
        return Bundle(self.path, self.envelope, self.publisher, bytearray(self.database))  # it wipes its copy

    async def unlock_once(self, pilot, watch: PaintWatch) -> float:
        """Enter on the unlock screen until home is painted: with the test KDF this is decrypt + home."""
        app = pilot.app
        for _ in range(200):
            if type(app.screen).__name__ == "UnlockScreen":
                break
            await pilot.pause(0.02)
        app.screen.query_one("#passphrase").value = PASSPHRASE
        watch.expect(lambda: home_shows_highlighted(app))
        start = time.perf_counter()
        await pilot.press("enter")
        return await watch.wait(self.timeout) - start

    async def first_paint(self, pilot, watch: PaintWatch) -> list[float]:
        app, times = pilot.app, []
        for _ in range(self.repeat):
            await app.action_lock(quiet=True)  # as a person does: the old bundle is closed before unlocking
            await pilot.pause()
            bundle = self.fresh_bundle()
            watch.expect(lambda: home_shows_highlighted(app) and app.bundle is bundle)
            start = time.perf_counter()
            app.call_later(app.unlocked, bundle)  # what the unlock screen does once the bundle is open
            times.append(await watch.wait(self.timeout) - start)
            await pilot.pause()
        return times

    async def cursor_down(self, pilot, watch: PaintWatch) -> list[float]:
        app, times = pilot.app, []
        for _ in range(self.repeat):
            before = highlighted_row(app)
            watch.expect(lambda: home_shows_highlighted(app, not_row=before))
            start = time.perf_counter()
            await pilot.press("down")
            times.append(await watch.wait(self.timeout) - start)
        return times

    async def open_finding(self, pilot, watch: PaintWatch) -> list[float]:
        app, times = pilot.app, []
        for _ in range(self.repeat):
            await pilot.press("down")
            await pilot.pause()
            wanted = app.screen._highlighted_id()
            watch.expect(lambda: type(app.screen).__name__ == "FindingScreen" and app.screen.finding.id == wanted)
            start = time.perf_counter()
            await pilot.press("enter")
            times.append(await watch.wait(self.timeout) - start)
            await pilot.press("escape")
            await pilot.pause()
        return times

    async def search_keys(self, pilot, watch: PaintWatch) -> list[float]:
        """Each typed key until the palette has finished searching for the new text and painted it."""
        app, times = pilot.app, []
        started = time.perf_counter()
        while app.search_index is None and time.perf_counter() - started < self.timeout:
            await pilot.pause(0.1)  # the word index is built in a thread after unlocking
        print(f"  (for information: word index ready {time.perf_counter() - started:.1f} s after this phase "
              f"began: {len(app.search_index or [])} findings)", flush=True)
        await pilot.press("slash")
        for _ in range(200):
            if type(app.screen).__name__ == "CommandPalette":
                break
            await pilot.pause(0.02)
        palette = app.screen
        from textual.command import CommandInput

        box = palette.query_one(CommandInput)
        state: dict[str, object] = {}
        gather = palette._gather_commands

        def tracked(value: str):
            state["value"], state["worker"] = value, gather(value)
            return state["worker"]

        palette._gather_commands = tracked

        def searched(text: str) -> bool:
            worker = state.get("worker")
            return (app.screen is palette and box.value == text and state.get("value") == text.strip()
                    and worker is not None and worker.state.name == "SUCCESS")

        for query in QUERIES:
            for length in range(1, len(query) + 1):
                if len(times) >= self.repeat:
                    break
                typed = query[:length]
                watch.expect(lambda: searched(typed))
                start = time.perf_counter()
                await pilot.press(query[length - 1])
                times.append(await watch.wait(self.timeout) - start)
            box.value = ""
            await pilot.pause(0.3)
        await pilot.press("escape")
        return times

    async def run(self, only: set[str] | None = None) -> dict[str, list[float] | float]:
        """Each phase prints as it ends; one that times out stops the run (the app is mid-interaction)."""
        from bold_tui.app import BoldApp

        app = BoldApp(self.path, self.trust)
        results: dict[str, list[float] | float] = {}
        async with app.run_test(size=SIZE) as pilot:
            watch = PaintWatch(app)
            results["unlock"] = await self.unlock_once(pilot, watch)
            print(f"  (for information: Enter on the unlock screen to painted home, test KDF, once: "
                  f"{results['unlock'] * 1000:.0f} ms)", flush=True)
            for key, label, limit in ROWS:
                if only and key not in only:
                    continue
                try:
                    results[key] = await getattr(self, key)(pilot, watch)
                except TimeoutError:
                    print(f"  {label}: nothing painted within {self.timeout:.0f} s", flush=True)
                    break
                report_row(label, results[key], limit)
        return results


ROWS = [("first_paint", "first paint of the finding list after unlock", FIRST_PAINT_LIMIT),
        ("cursor_down", "cursor down in the findings list", KEY_LIMIT),
        ("search_keys", "a key typed in search, results shown", KEY_LIMIT),
        ("open_finding", "Enter opens a finding", KEY_LIMIT)]


def report_row(label: str, times: list[float], limit: float) -> None:
    median = statistics.median(times)
    verdict = "ok" if median < limit else "MISSES"
    print(f"  {label:<46} {median * 1000:8.1f} ms  (max {max(times) * 1000:7.1f} ms, {len(times)} runs)  "
          f"limit {limit * 1000:.0f} ms: {median / limit:5.2f}x  {verdict}", flush=True)


# -- memory of the real app, driven in tmux --------------------------------------------------------------------
def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def _wait_for_text(session: str, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in _tmux("capture-pane", "-p", "-t", session):
            return
        time.sleep(0.1)
    raise TimeoutError(f"the app never showed {text!r}:\n{_tmux('capture-pane', '-p', '-t', session)}")


def _bold_pid(pane_pid: int) -> int:
    """The python process running ``bold``: the pane's own process or one of its descendants."""
    todo = [pane_pid]
    while todo:
        pid = todo.pop()
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "python" in cmdline and "bold" in cmdline:
            return pid
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        todo += [int(c) for c in children]
    raise RuntimeError("no bold process found in the tmux pane")


def _status_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            fields[name] = int(value.split()[0])
    return fields


def measure_memory(command: str, passphrase: str) -> dict[str, int]:
    """Start ``command`` in tmux at 80x24, unlock, open the first finding, then read the process's RSS."""
    session = f"bold-mem-{os.getpid()}"
    _tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24", f"env TERM=xterm-256color {command}")
    try:
        _wait_for_text(session, "passphrase")
        pid = _bold_pid(int(_tmux("list-panes", "-t", session, "-F", "#{pane_pid}").split()[0]))
        _tmux("send-keys", "-t", session, "-l", passphrase)
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for_text(session, "Enter to open")
        home = _status_kib(pid)
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for_text(session, "esc back")
        time.sleep(1.0)
        opened = _status_kib(pid)
        return {"home_rss": home["VmRSS"], "rss": opened["VmRSS"], "hwm": opened["VmHWM"]}
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def memory_main(big: int | None) -> None:
    import sample_db

    runs = [("demo bundle", "bold", sample_db.DEMO_PASSPHRASE)]
    if big:
        path, _ = cached_bundle(big)
        runs.append((f"{big:,} findings (for information)",
                     f"bold open {path} --trust {path.parent / 'publisher.pub'}", PASSPHRASE))
    for label, command, passphrase in runs:
        mem = measure_memory(command, passphrase)
        rss, hwm = mem["rss"] / 1024, mem["hwm"] / 1024
        line = (f"real bold, {label}, unlocked with a finding open: RSS {rss:.1f} MiB "
                f"(home {mem['home_rss'] / 1024:.1f} MiB), peak {hwm:.1f} MiB")
        if command == "bold":  # the limit is the demo's; a big bundle's database is held in memory whole
            line += f"; limit {RSS_LIMIT_MIB} MiB: {rss / RSS_LIMIT_MIB:.2f}x  " + ("ok" if rss < RSS_LIMIT_MIB
                                                                                   else "MISSES")
        print(line)


# -- issue 17: the answer screen, and the word index ------------------------------------------------------------
ANSWER_LIMIT = 0.100


def build_answer_bundle(comparisons: int, folder: Path) -> Path:
    """The test content with one pack holding ``comparisons`` comparison findings on one outcome."""
    from tests.sample_content import build_demo_content

    content = build_demo_content()
    base = next(f for f in content.findings if f.comparison_label)
    cell = next(e for e in content.estimates if e.finding_id == base.id and e.breakdown == "overall")
    findings, estimates = list(content.findings), list(content.estimates)
    for i in range(comparisons):
        fid = f"answer.{i}"
        findings.append(base.model_copy(update={"id": fid, "order": 1000 + i, "treated_label": f"Course {i}",
                                                "title": f"{base.measure}: course {i}"}))
        shift = (i - comparisons / 2) / 1000
        estimates.append(cell.model_copy(update={
            "id": f"{fid}:0", "finding_id": fid, "difference": (cell.difference or 0) + shift,
            "difference_low": (cell.difference_low or 0) + shift, "difference_high": (cell.difference_high or 0) + shift}))
    content = content.model_copy(update={"findings": findings, "estimates": estimates})
    key = PrivateKey.generate("Benchmark publisher")
    (folder / "publisher.pub").write_text(key.public.to_json())
    return write_bundle(content, folder / "answer.bold", signer=key, passphrases=[PASSPHRASE],
                        kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1))


async def _answer_times(path: Path, trust: TrustStore, pack_id: str, rows: int,
                        repeat: int) -> tuple[list[float], list[float]]:
    """Key ``a`` to the painted answer screen; and, as a yardstick under the same load, Enter to a painted
    finding from it (the key the issue of the daily tool holds to 50 ms)."""
    from bold_tui.app import BoldApp

    app = BoldApp(path, trust)
    times: list[float] = []
    yardstick: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        watch = PaintWatch(app)
        for _ in range(200):
            if type(app.screen).__name__ == "UnlockScreen":
                break
            await pilot.pause(0.02)
        app.screen.query_one("#passphrase").value = PASSPHRASE
        await pilot.press("enter")
        for _ in range(600):
            if app.bundle is not None and type(app.screen).__name__ == "HomeScreen":
                break
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        for _ in range(repeat):
            app.current_pack = app.bundle.pack(pack_id)

            def painted() -> bool:
                screen = app.screen
                return (type(screen).__name__ == "AnswerScreen" and screen.pack is not None
                        and screen.query_one("#answer-rows").option_count >= rows)

            watch.expect(painted)
            start = time.perf_counter()
            await pilot.press("a")
            times.append(await watch.wait(30) - start)
            await pilot.pause(0.1)
            watch.expect(lambda: type(app.screen).__name__ == "FindingScreen")
            start = time.perf_counter()
            await pilot.press("enter")
            yardstick.append(await watch.wait(30) - start)
            await pilot.press("escape")
            await pilot.pause(0.1)
            await pilot.press("escape")
            await pilot.pause(0.1)
    return times, yardstick


def answer_main(repeat: int, comparisons: int = 30) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bold-answer-bench-"))
    path = build_answer_bundle(comparisons, folder)
    trust = TrustStore([load_public_key(folder / "publisher.pub")])
    from tests.sample_content import build_demo_content

    pack_id = next(f for f in build_demo_content().findings if f.comparison_label).pack_id
    with_same_outcome = comparisons + 1  # the template finding itself is on the same outcome
    times, yardstick = asyncio.run(_answer_times(path, trust, pack_id, with_same_outcome, repeat))
    report_row(f"answer screen, {comparisons} comparisons, key to painted", times, ANSWER_LIMIT)
    report_row("(yardstick) Enter opens a finding, same run", yardstick, KEY_LIMIT)


def index_main(n: int, repeat: int) -> None:
    """The word index over the big bundle's findings: build once, then time every prefix of each query."""
    from bold_tui.search_index import SearchIndex
    from linkage_core.bundle.reader import open_bundle

    path, trust = cached_bundle(n)
    with open_bundle(path, PASSPHRASE, trust) as bundle:
        started = time.perf_counter()
        findings = bundle.findings()
        read = time.perf_counter() - started
        index = SearchIndex.from_findings(findings, {p.id: p.title for p in bundle.packs()})  # whole findings
        built = time.perf_counter() - started
    print(f"  (for information: {len(index):,} findings read in {read:.1f} s, index built in {built:.1f} s, "
          f"in a thread after unlocking)", flush=True)
    times = []
    for query in QUERIES + ["job", "education job", "vocational work", "housing wales"]:
        for length in range(1, len(query) + 1):
            for _ in range(max(1, repeat // 10)):
                start = time.perf_counter()
                index.search(query[:length])
                times.append(time.perf_counter() - start)
    report_row(f"word index search per keystroke, {len(index):,} findings", times, KEY_LIMIT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for one interaction")
    parser.add_argument("--only", action="append", choices=[key for key, _, _ in ROWS],
                        help="measure only this interaction (repeatable)")
    parser.add_argument("--memory", action="store_true", help="measure the real bold's RSS with the demo")
    parser.add_argument("--answer", action="store_true", help="the answer screen for 30 comparisons")
    parser.add_argument("--index", action="store_true", help="the word index's search per keystroke")
    parser.add_argument("--memory-big", action="store_true", help="with --memory: the generated bundle too")
    args = parser.parse_args()
    if args.memory:
        memory_main(args.findings if args.memory_big else None)
        return
    if args.answer:
        answer_main(args.repeat)
        return
    if args.index:
        index_main(args.findings, args.repeat)
        return
    path, trust = cached_bundle(args.findings)
    os.environ.setdefault("BOLD_CONFIG_DIR", tempfile.mkdtemp(prefix="bold-bench-config-"))
    print(f"bundle of {args.findings:,} findings, terminal {SIZE[0]}x{SIZE[1]}, headless; medians, key press "
          f"to painted", flush=True)
    asyncio.run(Bench(path, trust, args.repeat, args.timeout).run(set(args.only or []) or None))


if __name__ == "__main__":
    main()
