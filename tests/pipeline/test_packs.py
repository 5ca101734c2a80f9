"""The packs on a real (small) synthetic world: honest, plain, de-identified, and within the policy."""

from __future__ import annotations

import re

import pytest

from insight_packs import language as L
from insight_packs.registry import all_packs
from linkage_core.bundle.reader import open_bundle
from tests.helpers import PASSPHRASE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bundle(built_world):  # noqa: F811
    with open_bundle(built_world.bundle, PASSPHRASE, built_world.trust) as opened:
        yield opened


def _user_text(bundle) -> list[str]:
    texts = []
    for pack in bundle.packs():
        texts += [pack.title, pack.question, pack.why_it_matters, *pack.will, *pack.wont]
    for finding in bundle.findings():
        texts += [finding.title, finding.headline, finding.measure, finding.treated_label,
                  finding.comparison_label or "", *finding.can_say, *finding.cannot_say, *finding.caveats,
                  *[s.label for s in finding.attrition]]
    texts += [g.definition for g in bundle.glossary()] + [e.group for f in bundle.findings()
                                                           for e in bundle.estimates(f.id)]
    return texts


def test_every_pack_publishes_findings(bundle) -> None:
    by_pack = {p.id: bundle.findings(p.id) for p in bundle.packs()}
    assert set(by_pack) == {p.id for p in all_packs()}
    assert all(by_pack.values()), {k: len(v) for k, v in by_pack.items()}
    assert len(by_pack["education_work"]) >= 20


def test_every_published_figure_obeys_the_policy(bundle) -> None:
    assert bundle.audit() == []
    suppressed = [e for f in bundle.findings() for e in bundle.estimates(f.id) if e.suppressed]
    shown = [e for f in bundle.findings() for e in bundle.estimates(f.id) if not e.suppressed]
    assert shown and all(e.treated_n % 5 == 0 for e in shown)
    assert all(e.treated_value is None for e in suppressed)


def test_comparisons_carry_interval_size_and_significance(bundle) -> None:
    for finding in bundle.findings("education_work"):
        top = bundle.estimates(finding.id, "overall")[0]
        if top.suppressed:
            continue
        assert top.treated_n and top.comparison_n and top.difference_low <= top.difference <= top.difference_high
        assert top.p_value is not None and top.q_value is not None and top.q_value >= top.p_value - 1e-9
        assert top.significant is (top.q_value < 0.05)
        assert finding.attrition and finding.balance_ok is not None


def test_every_shown_comparison_row_meets_the_justice_data_lab_rules(bundle) -> None:
    rows = [e for f in bundle.findings() for e in bundle.estimates(f.id) if e.comparison_value is not None]
    assert rows and all(e.treated_n >= 60 for e in rows)
    hidden = [e for f in bundle.findings() for e in bundle.estimates(f.id) if e.suppressed and e.note]
    assert all(e.symbol == "[x]" and e.note.startswith("Not compared") for e in hidden
               if e.suppression_reason.value in ("too_few_to_compare", "not_balanced"))


def test_the_reader_sees_how_many_comparisons_and_what_clear_means(bundle) -> None:
    note = bundle.manifest.comparisons
    verdicts = [e for f in bundle.findings() for e in bundle.estimates(f.id) if e.q_value is not None]
    assert note is not None and note.comparisons == len(verdicts) and note.clear == sum(e.significant for e in verdicts)
    assert any(str(note.comparisons) in line or f"{note.comparisons:,}" in line for line in note.plain)
    exploratory = [e for f in bundle.findings() for e in bundle.estimates(f.id) if e.exploratory]
    assert exploratory and all(e.significant is None for e in exploratory)


def test_every_figure_declares_its_unit_and_is_possible(bundle) -> None:
    from linkage_core.schema import impossible_figures

    estimates = [e for f in bundle.findings() for e in bundle.estimates(f.id)]
    assert all(e.unit for e in estimates if not e.suppressed)
    assert [(e.id, impossible_figures(e)) for e in estimates if impossible_figures(e)] == []
    days = [e for e in estimates if e.unit == "days" and not e.suppressed]
    assert days and all(0 <= e.treated_value <= 365 for e in days)


def test_no_stigmatising_words_anywhere_a_user_reads(bundle) -> None:
    offending = [t for t in _user_text(bundle) if L.STIGMATISING.search(t)]
    assert offending == []


def test_generated_sentences_are_easy_to_read(bundle) -> None:
    generated = []
    for finding in bundle.findings():
        for text in [finding.headline, *finding.can_say, *finding.cannot_say]:
            generated += L.sentences(text)
    assert generated
    hard = [(round(L.reading_ease(s)), s) for s in generated if L.reading_ease(s) < 60]
    assert hard == []


def test_uncertain_findings_say_so_plainly(bundle) -> None:
    unclear = [f for f in bundle.findings("education_work")
               if (e := bundle.estimates(f.id, "overall")[0]) and not e.suppressed and not e.significant]
    assert unclear, "a world with null effects should give some unclear comparisons"
    for finding in unclear:
        text = " ".join(finding.can_say)
        assert "95% interval" in text and "not clear" in finding.headline, text
        assert "cannot tell" in text or "not clear" in text
        assert "unlikely to be" not in text and "would be needed" not in text


def test_headlines_say_whether_a_gap_is_clear_and_children_are_not_told_about_courses(bundle) -> None:
    for finding in bundle.findings():
        top = bundle.estimates(finding.id, "overall")[0]
        if top.comparison_value is not None and not top.suppressed:
            assert finding.headline.endswith(("The gap is clear.", "The gap is not clear.")), finding.headline
    for finding in bundle.findings("children"):
        assert not any("course" in line for line in finding.cannot_say)


def test_no_identifier_reaches_the_analysis_tables(built_world) -> None:  # noqa: F811
    from insight_packs.cohort import Sources, load
    from insight_packs.engine import open_engine
    from sample_db.world import synthesise  # noqa: F401 - the world exists

    engine = open_engine()
    try:
        load(engine, Sources(built_world.world, built_world.link))
        banned = {"first_name", "middle_names", "surname", "date_of_birth", "postcode", "parent_first_name",
                  "parent_surname", "parent_date_of_birth", "parent_postcode", "record_id"}
        for table in ("people", "children", "courses", "spine"):
            columns = set(engine.columns(table)) - ({"record_id"} if table == "spine" else set())
            assert not columns & banned, (table, columns & banned)
        names = {r["first_name"] for r in engine.records("SELECT DISTINCT first_name FROM raw_prison LIMIT 200")
                 if r["first_name"]}
        people = engine.arrow("SELECT * FROM people").to_pylist()
        values = {str(v) for row in people for v in row.values()}
        assert not names & values
    finally:
        engine.close()
    import pyarrow.parquet as pq

    for name in ("spine.parquet", "families.parquet"):
        assert not set(pq.read_schema(built_world.link / name).names) & (banned - {"record_id"})
