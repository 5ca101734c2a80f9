"""The packs on a real (small) synthetic world: honest, plain, de-identified, and within the policy."""

from __future__ import annotations

import re

import pytest

from insight_packs import language as L
from insight_packs.registry import all_packs
from linkage_core.bundle.reader import open_bundle
from tests.conftest import PASSPHRASE
from tests.pipeline_fixtures import built_world  # noqa: F401 - fixture

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
        assert top.p_value is not None and top.significant is (not top.difference_low <= 0 <= top.difference_high)
        assert finding.attrition and finding.balance_ok is not None


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
        assert "lower by as much as" in text and "higher by as much as" in text, text
        assert re.search(r"about [\d,]+ people would be needed|would be needed to tell|would need to be analysed",
                         text)


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
        names = {r["first_name"] for r in engine.rows("SELECT DISTINCT first_name FROM raw_prison LIMIT 200")
                 if r["first_name"]}
        people = engine.arrow("SELECT * FROM people").to_pylist()
        values = {str(v) for row in people for v in row.values()}
        assert not names & values
    finally:
        engine.close()
    import pyarrow.parquet as pq

    for name in ("spine.parquet", "families.parquet"):
        assert not set(pq.read_schema(built_world.link / name).names) & (banned - {"record_id"})
