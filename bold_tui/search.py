"""Search across findings in the command palette (``/`` or ``Ctrl+P``).

Titles are matched fuzzily as you type; headlines and measures are matched by the bundle's own text search,
so typing "housing" finds a finding whose headline mentions housing even when its title does not.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from linkage_core.schema import Finding


class FindingSearch(Provider):
    """Offers findings only while a bundle is unlocked; a locked app has nothing to search."""

    def _findings(self) -> list[Finding]:
        bundle = getattr(self.app, "bundle", None)
        if bundle is None:
            return []
        try:
            return bundle.findings()
        except Exception:  # a bundle locked while the palette was open has nothing to offer
            return []

    def _open(self, finding_id: str) -> None:
        self.app.open_finding(finding_id)  # type: ignore[attr-defined]

    def _pack_titles(self) -> dict[str, str]:
        bundle = getattr(self.app, "bundle", None)
        return {p.id: p.title for p in bundle.packs()} if bundle is not None else {}

    async def discover(self) -> Hits:
        packs = self._pack_titles()
        for finding in self._findings():
            yield DiscoveryHit(finding.title, partial(self._open, finding.id),
                               help=packs.get(finding.pack_id, ""))

    async def search(self, query: str) -> Hits:
        bundle = getattr(self.app, "bundle", None)
        if bundle is None:
            return
        matcher = self.matcher(query)
        packs = self._pack_titles()
        seen: set[str] = set()
        for finding in self._findings():
            score = matcher.match(finding.title)
            if score > 0:
                seen.add(finding.id)
                yield Hit(score, matcher.highlight(finding.title), partial(self._open, finding.id),
                          text=finding.title, help=packs.get(finding.pack_id, ""))
        try:
            extra = bundle.search(query) if query.strip() else []
        except Exception:
            extra = []
        for finding in extra:
            if finding.id not in seen:
                yield Hit(0.3, finding.title, partial(self._open, finding.id), text=finding.title,
                          help=finding.headline)
