"""Search across findings in the command palette (``/`` or ``Ctrl+P``).

Once the app's word index is built (``search_index.SearchIndex``, built in a thread after unlocking), a
search matches every word typed, in any order, with synonyms, across title, outcome, pack and headline,
best match first. Until then (the first seconds after unlocking a very large bundle) titles are matched
fuzzily and headlines and measures by the bundle's own text search.

A bundle can hold 100,000 findings, so a key never costs a pass over all of them in Python: the bundle is
asked for at most ``LIMIT`` matches, in a thread so the screen keeps answering; keys typed within
``DEBOUNCE`` of each other (a paste, a held key) start one query, and one query runs at a time. When the
previous text found every match it had (fewer than ``LIMIT``), a longer text can only match some of those,
so it is answered from them without asking the bundle again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from bold_tui import labels

if TYPE_CHECKING:
    from linkage_core.bundle.reader import Bundle
    from linkage_core.schema import Finding

#: At most this many findings are offered for one text (the palette shows a dozen at a time).
LIMIT = 50
#: Findings listed when the palette opens, before anything is typed.
DISCOVER = 50
#: Seconds to wait for another key before asking the bundle: one frame, so a burst asks once.
DEBOUNCE = 0.015


def _subsequence(query: str, text: str) -> bool:
    """The palette's fuzzy rule: every letter of the query, in order (what the bundle's LIKE asks too)."""
    position = 0
    for letter in query:
        position = text.find(letter, position) + 1
        if not position:
            return False
    return True


def matches(query: str, finding: Finding) -> bool:
    """Whether the bundle's query for ``query`` would return ``finding``, checked in Python."""
    q = query.strip().lower()
    return (_subsequence(q, finding.title.lower()) or q in finding.headline.lower()
            or q in finding.measure.lower())


@dataclass(frozen=True)
class _Answer:
    query: str
    findings: list[Finding]

    @property
    def complete(self) -> bool:
        return len(self.findings) < LIMIT


def _ask(bundle: Bundle, query: str) -> list[Finding]:
    return bundle.match_findings(query, LIMIT)


def _quiet(future: asyncio.Future) -> None:
    """A query whose search was cancelled may fail (say, the bundle was locked): nobody needs to hear."""
    if not future.cancelled():
        future.exception()


class FindingSearch(Provider):
    """Offers findings only while a bundle is unlocked; a locked app has nothing to search."""

    async def startup(self) -> None:
        self._last: _Answer | None = None
        self._running: asyncio.Future[list[Finding]] | None = None
        self._packs: dict[str, str] = self._pack_titles()

    def _bundle(self) -> Bundle | None:
        return getattr(self.app, "bundle", None)

    def _open(self, finding_id: str) -> None:
        self.app.open_finding(finding_id)  # type: ignore[attr-defined]

    def _pack_titles(self) -> dict[str, str]:
        bundle = self._bundle()
        try:
            return {p.id: p.title for p in bundle.packs()} if bundle is not None else {}
        except Exception:  # a bundle locked while the palette opened
            return {}

    async def discover(self) -> Hits:
        bundle = self._bundle()
        if bundle is None:
            return
        try:
            findings = bundle.findings(limit=DISCOVER)
        except Exception:  # a bundle locked while the palette was open has nothing to offer
            return
        for finding in findings:
            yield DiscoveryHit(labels.plain(finding.title), partial(self._open, finding.id),
                               help=self._packs.get(finding.pack_id, ""))

    async def _findings(self, query: str) -> list[Finding]:
        """Matches for ``query``: from the previous answer when it holds them all, else from the bundle."""
        last = self._last
        if last is not None and last.complete and query.lower().startswith(last.query.lower()):
            return [f for f in last.findings if matches(query, f)]
        await asyncio.sleep(DEBOUNCE)  # a newer key cancels this search here, before any query runs
        while self._running is not None and not self._running.done():
            await asyncio.wait([self._running])  # one query at a time; never cancels the one running
        bundle = self._bundle()
        if bundle is None:
            return []
        self._running = asyncio.ensure_future(asyncio.to_thread(_ask, bundle, query))
        self._running.add_done_callback(_quiet)
        found = await asyncio.shield(self._running)
        self._last = _Answer(query, found)
        return found

    async def search(self, query: str) -> Hits:
        if self._bundle() is None or not query.strip():
            return
        index = getattr(self.app, "search_index", None)
        if index is not None:
            entries = index.search(query, LIMIT)
            for rank, entry in enumerate(entries):
                # The palette orders hits by score: a falling score keeps the index's best-first order.
                yield Hit(1.0 - rank / (2 * LIMIT), labels.plain(entry.title), partial(self._open, entry.id),
                          text=entry.title, help=entry.pack)
            if not entries:
                yield Hit(0.01, f"Nothing matches every word of \"{query.strip()}\". Try fewer or other words.",
                          lambda: None, help="Search looks in titles, outcomes, pack names and headlines")
            return
        try:
            findings = await self._findings(query.strip())
        except asyncio.CancelledError:
            raise
        except Exception:  # a bundle locked while the palette was open has nothing to offer
            return
        matcher = self.matcher(query)
        for finding in findings:
            score = matcher.match(finding.title)
            if score > 0:
                yield Hit(score, matcher.highlight(finding.title), partial(self._open, finding.id),
                          text=finding.title, help=self._packs.get(finding.pack_id, ""))
            else:
                yield Hit(0.3, finding.title, partial(self._open, finding.id), text=finding.title,
                          help=finding.headline)
