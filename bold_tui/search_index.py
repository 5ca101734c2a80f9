"""Word search over findings: every word typed, in any order, with everyday synonyms, best match first.

People type "job", "housing" or "education work", not the words a pack's author chose ("P45 employment",
"settled accommodation"). Each word typed matches any word in a finding that starts with it, or with one of
its synonyms; a finding must match every word. Matches where every word is a whole word of the title come
first, then words the title's words start with, then synonyms; then title or outcome, then the pack's name,
then the headline; within a tier, the bundle's own order.

Speed: a bundle can hold 100,000 findings and every key is a new search. Each word of the vocabulary keeps
one bitset per field (a Python integer, bit ``i`` for finding ``i``), so a search is a few big-integer ANDs
and ORs and reading out the first matches, whatever the number of findings.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from collections import defaultdict
from dataclasses import dataclass

from bold_tui.labels import plain

#: Words people use for the same thing. A word typed that starts one of these finds every word in its group.
SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"job", "jobs", "work", "working", "employment", "employed", "employer", "payroll", "p45"}),
    frozenset({"housing", "accommodation", "home", "homes", "homeless", "house", "housed"}),
    frozenset({"school", "schools", "education", "educational", "pupil", "pupils"}),
    frozenset({"reoffending", "reoffend", "reoffence", "offending", "crime"}),
    frozenset({"benefit", "benefits", "welfare", "claim"}),
    frozenset({"child", "children", "kids", "kid"}),
    frozenset({"drug", "drugs", "alcohol", "substance"}),
    frozenset({"doctor", "gp", "health"}),
    frozenset({"course", "courses", "training", "class", "classes"}),
)

#: Fields searched, strongest first: a word in the title says more than one in the headline.
FIELDS = ("title", "measure", "pack", "headline")

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class Entry:
    """What the palette shows for one finding; the index keeps nothing else."""

    id: str
    title: str
    pack: str
    headline: str


def _bits(indices: Sequence[int]) -> int:
    """A bitset from finding positions; a bytearray for long lists (shifting a 100,000-bit integer per bit
    would be quadratic)."""
    if len(indices) < 64:
        value = 0
        for i in indices:
            value |= 1 << i
        return value
    raw = bytearray(indices[-1] // 8 + 1)
    for i in indices:
        raw[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(raw, "little")


def _first(bits: int, limit: int, skip: int = 0) -> list[int]:
    """Positions of the lowest ``limit`` set bits not in ``skip``: the bundle's order within a tier."""
    bits &= ~skip
    found = []
    while bits and len(found) < limit:
        low = bits & -bits
        found.append(low.bit_length() - 1)
        bits ^= low
    return found


class IndexBuilder:
    """Collects findings' words a page at a time, so the app can build the index without starving its screen.

    A thread holding Python's lock for seconds (100,000 findings) delays every paint of the main thread, so
    the app feeds pages and calls ``pause`` between steps (a short sleep that hands the lock back).
    """

    def __init__(self, pack_titles: dict[str, str]) -> None:
        self._packs = pack_titles
        self._entries: list[Entry] = []
        self._postings: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._split: dict[str, tuple[str, ...]] = {}  # headlines, outcomes and pack names repeat: split once

    def add(self, rows: Iterable) -> None:
        """Rows with ``id``, ``pack_id``, ``title``, ``measure``, ``treated_label`` and ``headline``."""
        postings, seen = self._postings, self._split
        for row in rows:
            index = len(self._entries)
            pack = self._packs.get(row.pack_id, "")
            self._entries.append(Entry(row.id, row.title, pack, row.headline))
            # Words as shown (plain labels) and as written (so "P45" still finds what it names).
            texts = (f"{plain(row.title)} {row.title}", f"{row.measure} {row.treated_label}", pack, row.headline)
            for field, text in zip(FIELDS, texts):
                split = seen.get(text)
                if split is None:
                    split = seen[text] = tuple(set(words(text)))
                for word in split:
                    postings[(field, word)].append(index)

    def build(self, pause: Callable[[], None] = lambda: None, every: int = 2_000) -> SearchIndex:
        bits: dict[str, dict[str, int]] = defaultdict(dict)
        for done, ((field, word), indices) in enumerate(self._postings.items()):
            bits[word][field] = _bits(indices)
            if done % every == every - 1:
                pause()
        return SearchIndex(self._entries, bits)


class SearchIndex:
    """Built once per unlock (in a thread), dropped on lock; holds titles and headlines, never estimates."""

    def __init__(self, entries: Sequence[Entry], bits: dict[str, dict[str, int]]) -> None:
        self.entries = list(entries)
        self._bits = bits
        self.vocabulary = sorted(self._bits)

    @classmethod
    def from_findings(cls, findings: Iterable, pack_titles: dict[str, str]) -> SearchIndex:
        builder = IndexBuilder(pack_titles)
        builder.add(findings)
        return builder.build()

    def __len__(self) -> int:
        return len(self.entries)

    def _starting(self, prefix: str) -> list[str]:
        at = bisect_left(self.vocabulary, prefix)
        out = []
        while at < len(self.vocabulary) and self.vocabulary[at].startswith(prefix):
            out.append(self.vocabulary[at])
            at += 1
        return out

    def _field_bits(self, typed: str) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        """Bits per field where the typed word is a whole word, starts a word, or it or a synonym starts one."""
        exact = {field: bits for field, bits in self._bits.get(typed, {}).items()}
        direct = dict.fromkeys(FIELDS, 0)
        broad = dict.fromkeys(FIELDS, 0)
        alternatives = {typed}
        for group in SYNONYMS:
            if any(word.startswith(typed) for word in group) and len(typed) >= 3 or typed in group:
                alternatives |= group
        for alternative in alternatives:
            for word in self._starting(alternative):
                for field, bits in self._bits.get(word, {}).items():
                    broad[field] |= bits
                    if alternative == typed:
                        direct[field] |= bits
        return {f: exact.get(f, 0) for f in FIELDS}, direct, broad

    def search(self, text: str, limit: int = 50) -> list[Entry]:
        """Findings matching every word of ``text``, best first, at most ``limit``."""
        typed = list(dict.fromkeys(words(text)))
        if not typed:
            return []
        per_word = [self._field_bits(word) for word in typed]
        tiers: list[int] = []
        # Best first: whole words in the title, then words started, then synonyms; then wider fields.
        for fields, which in ((("title",), 0), (("title",), 1), (("title",), 2), (("title", "measure"), 1),
                              (("title", "measure"), 2), (("title", "measure", "pack"), 2), (FIELDS, 2)):
            tier = -1
            for kinds in per_word:
                source = kinds[which]
                got = 0
                for field in fields:
                    got |= source[field]
                tier &= got
                if not tier:
                    break
            tiers.append(tier if tier != -1 else 0)
        found: list[int] = []
        seen = 0
        for tier in tiers:
            if len(found) >= limit:
                break
            found += _first(tier, limit - len(found), seen)
            seen |= tier
        return [self.entries[i] for i in found]
