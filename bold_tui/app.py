"""The BOLD Insights app: an unlock screen, then packs, findings and the promises that govern them.

The app owns the one unlocked ``Bundle`` and is the only thing that closes it: screens read it through
``app.bundle`` and never keep their own reference, so locking (by key or when idle) drops every decrypted
figure at once. Screens other than the unlock screen are imported when first needed, to keep start-up fast.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from time import monotonic, sleep
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from bold_tui import glyphs
from bold_tui.search import FindingSearch
from bold_tui.settings import Settings
from bold_tui.themes import HIGH_CONTRAST, register_themes
from linkage_core.errors import BoldError

if TYPE_CHECKING:
    from bold_tui.search_index import SearchIndex
    from linkage_core.bundle.envelope import Secret
    from linkage_core.bundle.keys import TrustStore
    from linkage_core.bundle.reader import Bundle
    from linkage_core.schema import Pack

#: How often the idle lock looks at the clock. Locking up to this late is fine; polling costs nothing.
IDLE_CHECK_SECONDS = 5.0

#: The only keys that act while the unlock screen is deriving the key: quitting.
_WHILE_BUSY = frozenset({"ctrl+q", "ctrl+c"})

#: Actions that need an unlocked bundle: hidden from the footer and refused while locked.
_NEEDS_BUNDLE = {"search", "lock", "glossary", "provenance", "compare", "answer"}


#: The word index is read this many findings at a time, with a short sleep between pages (see
#: ``BoldApp._build_search_index``).
INDEX_PAGE = 1_000
INDEX_PAUSE_SECONDS = 0.002


class BoldApp(App[int]):
    """Reads one sealed bundle; shows aggregate findings only; sends nothing anywhere."""

    TITLE = "BOLD Insights"
    CSS_PATH = "styles/app.tcss"
    COMMANDS = App.COMMANDS | {FindingSearch}
    COMMAND_PALETTE_DISPLAY = "^p"

    BINDINGS = [
        Binding("w", "will_wont", "will/won't", tooltip="what BOLD will and won't do (F2 too)"),
        Binding("f2", "will_wont", "", show=False, priority=True),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("f1", "help", "help", show=False, priority=True),
        Binding("slash", "search", "search", key_display="/",
                tooltip="search findings by any words (Ctrl+P too)"),
        Binding("a", "answer", "answer", show=False),
        Binding("i", "provenance", "about data", show=False, tooltip="about this data: sources, linkage, rules"),
        Binding("g", "glossary", "glossary", show=False, tooltip="glossary: plain meanings of every term"),
        Binding("c", "compare", "compare pinned", show=False, tooltip="compare the two pinned findings"),
        Binding("t", "toggle_contrast", "high contrast", show=False, tooltip="high contrast on or off"),
        Binding("ctrl+l", "lock", "lock", priority=True, tooltip="lock now: drop the figures from memory"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, path: Path | None, trust: TrustStore, *, demo: bool = False,
                 secret: Secret | None = None, lab_only: bool = False) -> None:
        super().__init__()
        self.bundle_path = path
        self.trust = trust
        self.demo = demo
        self.lab_only = lab_only
        # A secret from the environment opens the bundle once, at start. After a lock the person types it:
        # re-using it silently would make the lock meaningless.
        self._start_secret: Secret | None = secret
        self.bundle: Bundle | None = None
        self.pins: list[str] = []
        #: Word search over titles and headlines, built in a thread after unlocking and dropped on lock.
        self.search_index: SearchIndex | None = None
        self.current_pack: Pack | None = None
        self.settings = Settings.load()
        #: A bundle that turned out unreadable part way through a session (a query over its time limit,
        #: a damaged table): the app closes and the command reports it in one sentence with its exit code.
        self.bold_error: BoldError | None = None
        self._last_activity = monotonic()
        register_themes(self)
        if glyphs.ascii_mode():
            glyphs.use_ascii_in_textual()
        if self.settings.high_contrast:
            self.theme = HIGH_CONTRAST
        if demo:
            self.sub_title = "synthetic demo data"

    def _handle_exception(self, error: Exception) -> None:
        """A BOLD error met while a screen reads the bundle ends the app cleanly, never with a traceback.

        Once it has, what fails next on the half-built screen (a widget its compose never yielded) is a
        consequence of that error, not news: the app is already closing with the first one.
        """
        if self.bold_error is not None:
            return
        if isinstance(error, BoldError):
            self.bold_error = error
            if self.bundle is not None:
                self.bundle.close()
                self.bundle = None
            self._return_code = error.exit_code
            self._close_messages_no_wait()  # as Textual's own handler does: the screen may be mid-compose
            return
        super()._handle_exception(error)

    #: Keys named in words in the footer and in help: a symbol such as ⏎ means nothing to many people.
    KEY_NAMES = {"enter": "Enter", "escape": "Esc", "tab": "Tab", "up": "Up", "down": "Down", "left": "Left",
                 "right": "Right", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
                 "space": "Space", "delete": "Del", "backspace": "Backspace"}

    def get_key_display(self, binding: Binding) -> str:
        if binding.key_display:
            return glyphs.plain(binding.key_display)
        modifiers, key = binding.parse_key()
        if not modifiers and key in self.KEY_NAMES:
            return self.KEY_NAMES[key]
        if modifiers == ["ctrl"] and len(key) == 1:
            return f"Ctrl+{key.upper()}"
        return glyphs.plain(super().get_key_display(binding))

    # -- start and the unlocked session ---------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.lab_only or self.bundle_path is None:
            from bold_tui.screens.lab import LabScreen

            self.push_screen(LabScreen())
            return
        self.push_screen(self._unlock_screen())
        self.set_interval(IDLE_CHECK_SECONDS, self._lock_if_idle)

    def _unlock_screen(self) -> Screen:
        from bold_tui.screens.unlock import UnlockScreen

        secret, self._start_secret = self._start_secret, None
        assert self.bundle_path is not None
        return UnlockScreen(self.bundle_path, demo=self.demo, secret=secret)

    async def unlocked(self, bundle: Bundle) -> None:
        """Called by the unlock screen once the bundle is open: from here on the app owns it."""
        from bold_tui.screens.home import HomeScreen

        if self.bundle is not None:
            self.bundle.close()
        self.bundle = bundle
        self.demo = self.demo or bundle.is_demo
        if self.demo:
            self.sub_title = "synthetic demo data"
        self._last_activity = monotonic()
        self.search_index = None
        await self.switch_screen(HomeScreen())
        # After home's first paint: the index is for the first search, not for the first screen.
        self.call_after_refresh(self.run_worker, self._build_search_index, thread=True, group="search-index",
                                exclusive=True)
        if self.screen_stack:  # the app may be closing while the key was derived
            self.refresh_bindings()

    def _build_search_index(self) -> None:
        """Read every finding's words a page at a time; a lock while this runs leaves the index unset.

        Between pages the thread sleeps a moment: without it, a 100,000-finding bundle kept the main thread
        waiting for Python's lock and home took seconds to paint.
        """
        from bold_tui.search_index import IndexBuilder

        bundle = self.bundle
        if bundle is None:
            return

        def pause() -> None:
            sleep(INDEX_PAUSE_SECONDS)

        try:
            rows, after = bundle.finding_words(limit=INDEX_PAGE)
            while after and self.bundle is bundle:
                pause()
                page, after = bundle.finding_words(after=after, limit=INDEX_PAGE)
                rows += page
            rows.sort(key=lambda row: (row.order, row.id))  # the bundle's order: search ties keep it
            builder = IndexBuilder({p.id: p.title for p in bundle.packs()})
            for start in range(0, len(rows), INDEX_PAGE):
                builder.add(rows[start:start + INDEX_PAGE])
                pause()
            index = builder.build(pause)
        except Exception:  # locked (closed) part way: search falls back to the bundle's own query
            return
        if self.bundle is bundle:
            self.search_index = index
            # The index is a few hundred thousand long-lived objects: left in the collector's care, every full
            # collection walks them all and a keystroke that happens to trigger one waits (Enter on a
            # finding took 2-4x longer on 100,000 findings). Frozen, they are never scanned; unfrozen on lock.
            gc.freeze()

    def on_unmount(self) -> None:
        if self.bundle is not None:
            self.bundle.close()
            self.bundle = None

    def open_finding(self, finding_id: str) -> None:
        """Open a finding from anywhere (home, search, compare)."""
        from bold_tui.screens.finding import FindingScreen

        if self.bundle is None:
            return
        try:
            finding = self.bundle.finding(finding_id)
        except KeyError:
            self.notify("That finding is not in this bundle.", severity="warning")
            return
        self.push_screen(FindingScreen(finding))

    # -- actions every screen shares ------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _NEEDS_BUNDLE:
            return self.bundle is not None
        return True

    def action_will_wont(self) -> None:
        from bold_tui.screens.will_wont import WillWontScreen

        if isinstance(self.screen, WillWontScreen):
            self.pop_screen()
            return
        self.push_screen(WillWontScreen(self.current_pack))

    def action_help(self) -> None:
        from bold_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_search(self) -> None:
        self.action_command_palette()

    def action_command_palette(self) -> None:
        """The palette searches findings; while locked it offers only the app's own commands."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            hint = "Search findings, or type a command…" if self.bundle is not None else "Type a command…"
            self.push_screen(CommandPalette(placeholder=hint, id="--command-palette"))

    def action_provenance(self) -> None:
        from bold_tui.screens.provenance import ProvenanceScreen

        if self.bundle is not None and not isinstance(self.screen, ProvenanceScreen):
            self.push_screen(ProvenanceScreen())

    def action_glossary(self) -> None:
        from bold_tui.screens.glossary import GlossaryScreen

        if self.bundle is not None and not isinstance(self.screen, GlossaryScreen):
            self.push_screen(GlossaryScreen())

    def action_answer(self, pack_id: str | None = None) -> None:
        """The current pack's answer: its services or courses lined up against one outcome."""
        from bold_tui.screens.answer import AnswerScreen

        if self.bundle is None or isinstance(self.screen, AnswerScreen):
            return
        pack = pack_id or (self.current_pack.id if self.current_pack is not None else None)
        self.push_screen(AnswerScreen(pack))

    def action_compare(self) -> None:
        from bold_tui.screens.compare import CompareScreen

        if self.bundle is None:
            return
        if len(self.pins) < 2:
            self.notify("Pin two findings first: press p on a finding, then on another.", timeout=4)
            return
        if not isinstance(self.screen, CompareScreen):
            self.push_screen(CompareScreen(self.pins[0], self.pins[1]))

    def toggle_pin(self, finding_id: str) -> None:
        """Keep at most two pins: the newest replaces the oldest, so comparing is always one key away."""
        if finding_id in self.pins:
            self.pins.remove(finding_id)
            self.notify("Unpinned this finding.", timeout=3)
            self.refresh_status()
            return
        self.pins.append(finding_id)
        del self.pins[:-2]
        more = "Press c to compare the two pinned findings." if len(self.pins) == 2 else "Pin one more to compare."
        self.notify(f"Pinned. {more}", timeout=4)
        self.refresh_status()

    def refresh_status(self) -> None:
        """Redraw the status line of any screen that shows one (pins and lock change it)."""
        for status in self.screen.query("StatusLine"):
            status.refresh()

    def action_toggle_contrast(self) -> None:
        self.settings.high_contrast = not self.settings.high_contrast
        self.theme = HIGH_CONTRAST if self.settings.high_contrast else "textual-dark"
        saved = self.settings.save()
        state = "on" if self.settings.high_contrast else "off"
        self.notify(f"High contrast {state}." + ("" if saved else " (Could not save this choice.)"), timeout=3)

    async def action_lock(self, quiet: bool = False) -> None:
        """Drop the decrypted bundle now: close it, forget every screen that showed it, ask again."""
        if self.bundle is None:
            return
        bundle, self.bundle = self.bundle, None
        self.search_index = None
        gc.unfreeze()  # what the index held can be collected again
        self.pins.clear()
        self.current_pack = None
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(self._unlock_screen())
        bundle.close()
        self.refresh_bindings()
        if not quiet:
            self.notify("Locked. The figures were dropped from memory.", timeout=4)

    def _lock_if_idle(self) -> None:
        minutes = self.settings.idle_lock_minutes
        if self.bundle is None or minutes <= 0:
            return
        if monotonic() - self._last_activity >= minutes * 60:
            self.run_worker(self._idle_lock(minutes), group="lock", exclusive=True)

    async def _idle_lock(self, minutes: float) -> None:
        """Lock, then say why in a note that stays until the person comes back and dismisses it."""
        await self.action_lock(quiet=True)
        self.notify(f"Locked after {minutes:g} minutes without a key press, so the figures were dropped from "
                    "memory. Type the passphrase to carry on.", title="Locked while you were away",
                    timeout=24 * 3600)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and getattr(self.screen, "busy", False) and event.key not in _WHILE_BUSY:
            # Unlocking: a key typed now (perhaps the rest of a passphrase) must not act as a command.
            event.stop()
            event.prevent_default()
            return
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)):
            self._last_activity = monotonic()
        await super().on_event(event)

    # -- no screen is written to disk while a bundle is open (TEXTUAL_SCREENSHOT, the screenshot action) -----
    def save_screenshot(self, filename: str | None = None, path: str | None = None,
                        time_format: str | None = None) -> str:
        if self.bundle is not None:
            self.notify("Screenshots are off while a bundle is open: they would write figures to disk.",
                        severity="warning", timeout=4)
            return ""
        return super().save_screenshot(filename, path, time_format)

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        if self.bundle is not None:
            self.notify("Screenshots are off while a bundle is open: they would write figures to disk.",
                        severity="warning", timeout=4)
            return None
        return super().deliver_screenshot(filename, path, time_format)

    # -- the command palette's own commands -----------------------------------------------------------------
    def action_lab(self) -> None:
        """The anonymisation lab reads no bundle, so it works while locked too."""
        from bold_tui.screens.lab import LabScreen

        if not isinstance(self.screen, LabScreen):
            self.push_screen(LabScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Only commands that make sense here: Textual's screenshot would write decrypted figures to disk."""
        yield SystemCommand("What BOLD will and won't do", "Our promises, and this app's", self.action_will_wont)
        yield SystemCommand("Help", "Every key in the app", self.action_help)
        if self.bundle is not None:
            yield SystemCommand("Answer: line up every course or service", "One outcome, every comparison, "
                                "sorted (key a)", self.action_answer)
            yield SystemCommand("About this data", "Datasets, linkage quality, disclosure rules, signature",
                                self.action_provenance)
            yield SystemCommand("Glossary", "Plain meanings of the words the findings use", self.action_glossary)
            yield SystemCommand("Compare pinned findings", "Two pinned findings side by side", self.action_compare)
            yield SystemCommand("Lock now", "Drop the figures from memory and ask for the passphrase",
                                self.action_lock)
        yield SystemCommand("Anonymisation lab", "Watch protections stop a differencing attack, on made-up people",
                            self.action_lab)
        yield SystemCommand("High contrast on/off", "Stronger colours, remembered next time",
                            self.action_toggle_contrast)
        yield SystemCommand("Quit", "Close the app", self.action_quit)
