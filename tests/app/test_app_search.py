"""Search finds what people type: every word, any order, everyday synonyms, best match first."""

from __future__ import annotations

from types import SimpleNamespace

from bold_tui.search_index import SearchIndex


def _finding(i: int, title: str, *, pack: str = "p1", measure: str = "", headline: str = "") -> SimpleNamespace:
    return SimpleNamespace(id=f"f{i}", pack_id=pack, title=title, measure=measure or title, treated_label="",
                           headline=headline or f"Headline {i}")


FINDINGS = [
    _finding(0, "In P45 employment 1 year after release: people who took a vocational course",
             pack="education"),
    _finding(1, "In P45 employment 6 months after release: people who took an English course", pack="education"),
    _finding(2, "Time to a first job after release", pack="work"),
    _finding(3, "Settled accommodation: how many reached it soon after release", pack="leaving"),
    _finding(4, "Persistent absence from school: children with a parent who left prison", pack="children"),
    _finding(5, "Reached the expected standard at school: children aged sixteen", pack="children"),
    _finding(6, "Days on out-of-work benefits in the first year: people who took a maths course",
             pack="education"),
    _finding(7, "Finding 91 of many", pack="work"),
    _finding(8, "Finding 919 of many", pack="work"),
]
PACKS = {"education": "Education and courses in prison, and work", "work": "Work after prison",
         "leaving": "Leaving prison and services", "children": "Children of parents in prison"}


def ids(query: str) -> list[str]:
    return [e.id for e in SearchIndex.from_findings(FINDINGS, PACKS).search(query)]


def test_synonyms_find_what_people_type() -> None:
    assert {"f0", "f1", "f2"} <= set(ids("job"))  # job finds "P45 employment" too
    assert "f3" in ids("housing") and "f3" in ids("home")  # housing, home: accommodation
    assert {"f4", "f5"} <= set(ids("education"))  # education: school


def test_every_word_in_any_order() -> None:
    assert ids("vocational work")[0] == "f0"
    assert ids("work vocational")[0] == "f0"
    assert ids("education job")[:2] == ["f0", "f1"]  # the education pack's employment findings first
    assert ids("vocational housing") == []  # every word must match


def test_a_word_is_matched_from_its_start_not_inside_another() -> None:
    assert "f5" not in ids("teen")  # "sixteen" holds "teen" but does not start with it
    assert ids("sixt") == ["f5"]


def test_best_match_first() -> None:
    assert ids("finding 91")[0] == "f7"  # the whole word before the longer one it starts
    assert ids("first job")[0] == "f2"  # both words in the title before a synonym match


def test_an_empty_or_unmatched_query_finds_nothing() -> None:
    assert ids("") == [] and ids("   ") == [] and ids("zqx") == []
