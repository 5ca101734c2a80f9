"""A bundle bigger than one page per pack: home reads pages as the cursor moves, search stays bounded.

The speed itself is measured by ``benchmarks/app_speed.py`` on 100,000 findings; these tests pin down what
the paging and the bounded search must still show: every finding, in order, and the same matches.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bold_tui.search import LIMIT, matches
from bold_tui.widgets.pack_list import MORE_PREFIX, PAGE, PackList
from linkage_core.bundle.keys import PrivateKey, TrustStore
from linkage_core.bundle.reader import open_bundle
from tests.helpers import FAST_KDF, PASSPHRASE
from tests.helpers import make_app, pilot_test, unlock, wait_for

#: Findings per pack in the big test bundle: more than two pages in the first pack.
PER_PACK = 2 * PAGE + 30


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory: pytest.TempPathFactory, publisher: PrivateKey, content) -> Path:
    from linkage_core.bundle.writer import write_bundle

    template = {f.pack_id: f for f in content.findings}
    packs = [p.id for p in content.packs]
    findings = []
    for i in range(PER_PACK * len(packs)):
        pack = packs[i % len(packs)]
        # Orders run backwards against the ids, so a page must follow "order", not the table's order.
        findings.append(template[pack].model_copy(update={
            "id": f"big.{i:04d}", "order": -i, "title": f"Finding {i} of the big bundle",
            "headline": f"Headline {i}: 100% off [sale]" if i == 7 else f"Headline {i}"}))
    big = content.model_copy(update={"findings": findings, "estimates": []})
    path = tmp_path_factory.mktemp("big") / "big.bold"
    return write_bundle(big, path, signer=publisher, passphrases=[PASSPHRASE], kdf=FAST_KDF)


@pytest.mark.slow
def test_pages_follow_the_whole_list_in_order(big_bundle: Path, trust: TrustStore) -> None:
    with open_bundle(big_bundle, PASSPHRASE, trust) as bundle:
        for pack in bundle.packs():
            everything = bundle.findings(pack.id)
            assert bundle.count_findings(pack.id) == len(everything)
            pages = [f for offset in range(0, len(everything), 70)
                     for f in bundle.findings(pack.id, limit=70, offset=offset)]
            assert [f.id for f in pages] == [f.id for f in everything]
        assert bundle.count_findings() == bundle.count("findings")
        assert [f.id for f in bundle.findings(limit=5)] == [f.id for f in bundle.findings()[:5]]
        assert bundle.findings(limit=0) == []


@pytest.mark.slow
def test_match_findings_is_the_fuzzy_rule_bounded(big_bundle: Path, trust: TrustStore) -> None:
    with open_bundle(big_bundle, PASSPHRASE, trust) as bundle:
        everything = bundle.findings()
        for query in ["finding 12", "fnd 12 big", "headline 7", "100%", "[sale]", "_", "zzz"]:
            found = bundle.match_findings(query, limit=10_000)
            assert {f.id for f in found} == {f.id for f in everything if matches(query, f)}, query
        assert len(bundle.match_findings("finding", limit=LIMIT)) == LIMIT


@pytest.mark.slow
@pilot_test
async def test_home_reads_the_next_page_as_the_cursor_moves_on(big_bundle: Path, trust: TrustStore) -> None:
    app = make_app(big_bundle, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        packs = app.screen.query_one(PackList)
        first, second = [p.id for p in app.bundle.packs()[:2]]
        assert len([o for o in packs.options if o.id and o.id.startswith("big.")]) == PAGE  # one page only
        assert f"{PER_PACK - PAGE:,} more" in str(packs.get_option(f"{MORE_PREFIX}{first}").prompt._text)
        assert f"{PER_PACK:,} more" in str(packs.get_option(f"{MORE_PREFIX}{second}").prompt._text)
        wanted = [f.id for f in app.bundle.findings(first)]
        assert app.screen._highlighted_id() is None  # the pack's answer row comes first
        await pilot.press("down")
        seen = [app.screen._highlighted_id()]
        for _ in range(PAGE + 5):
            await pilot.press("down")
            seen.append(app.screen._highlighted_id())
        assert seen == wanted[:PAGE + 6]
        await pilot.pause()
        detail = str(app.screen.query_one("#home-detail").content)
        assert detail.startswith(app.bundle.finding(seen[-1]).headline)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FindingScreen")
        assert app.screen.finding.id == seen[-1]
        await pilot.press("escape", "end")  # the last pack is read when the cursor gets there
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
        last = app.bundle.packs()[-1].id
        assert app.screen._highlighted_id() == app.bundle.findings(last, limit=1)[0].id


@pytest.mark.slow
@pilot_test
async def test_typing_narrows_to_the_same_matches_as_a_fresh_search(big_bundle: Path, trust: TrustStore) -> None:
    app = make_app(big_bundle, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        await pilot.press("slash")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"finding 91 of")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FindingScreen")
        assert app.screen.finding.title == "Finding 91 of the big bundle"
