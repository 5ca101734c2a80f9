"""The answer screen on a bundle the real pipeline built: the pack's question answered in a few keys.

"Which courses go with being in work a year after release?" must be answered from the unlocked home screen
in at most 4 key presses; the rows must be the pack's own comparison findings on that outcome, sorted, with
"clear" or "not clear" in words, people counted, and Enter opening the finding.
"""

from __future__ import annotations

import pytest

from bold_tui.answers import answerable, pack_outcomes
from bold_tui.app import BoldApp
from bold_tui.labels import is_clear
from linkage_core.bundle.reader import open_bundle
from tests.helpers import PASSPHRASE
from tests.helpers import pilot_test, screen_text, unlock, wait_for

#: Every test here reads the pipeline world's bundle (built once per session, minutes): not the fast lane.
pytestmark = pytest.mark.slow

QUESTION_PACK = "education_work"


def _year_outcome(outcomes) -> int:
    """The outcome 'in work a year after release', found by its words, not by a position."""
    for index, outcome in enumerate(outcomes):
        words = outcome.label.lower()
        if "work" in words and ("1 year" in words or "a year" in words) and "benefit" not in words:
            return index
    raise AssertionError([o.label for o in outcomes])


def test_outcomes_hold_every_comparison_once_sorted(built_world) -> None:  # noqa: F811
    with open_bundle(built_world.bundle, PASSPHRASE, built_world.trust) as bundle:
        packs = answerable(bundle)
        assert QUESTION_PACK in [p.id for p in packs]
        for pack in packs:
            outcomes = pack_outcomes(bundle, pack)
            comparisons = [f.id for f in bundle.findings(pack.id) if f.comparison_label]
            listed = [row.finding.id for o in outcomes for row in o.rows]
            assert sorted(listed) == sorted(comparisons)  # every comparison, once
            for outcome in outcomes:
                assert {row.finding.measure for row in outcome.rows} == {outcome.measure}
                shown = [r.estimate.difference for r in outcome.rows
                         if r.estimate is not None and not r.estimate.suppressed and r.estimate.difference is not None]
                assert shown == sorted(shown, reverse=True)  # largest difference first
                for row in outcome.rows:
                    overall = bundle.estimates(row.finding.id, "overall")
                    assert row.estimate == (overall[0] if overall else None)


@pilot_test
async def test_courses_and_work_after_a_year_in_four_keys(built_world) -> None:  # noqa: F811
    app = BoldApp(built_world.bundle, built_world.trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        packs = answerable(app.bundle)
        target = next(p for p in packs if p.id == QUESTION_PACK)
        outcomes = pack_outcomes(app.bundle, target)
        year = _year_outcome(outcomes)
        assert year < 9  # one digit key reaches it
        keys = ["a"] + ["right_square_bracket"] * packs.index(target) + [str(year + 1)]
        assert len(keys) <= 4, keys
        for key in keys:
            await pilot.press(key)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AnswerScreen")
        await pilot.pause(0.2)
        screen = app.screen
        assert screen.pack.id == QUESTION_PACK and screen.outcome_index == year
        text = screen_text(app)
        assert "Which courses" in text
        rows = outcomes[year].rows
        for row in rows:  # every course on screen, with its verdict in words and its people counted
            assert row.label[:20] in text, row.label
            e = row.estimate
            if e is not None and not e.suppressed:
                assert f"{e.difference * 100:+.1f}" in text
                assert f"{e.treated_n + e.comparison_n:,}" in text
        clear = sum(1 for r in rows if r.estimate is not None and not r.estimate.suppressed and is_clear(r.estimate))
        assert f"{clear} of " in text
        assert ("not clear" in text) or clear == len(rows)
        first = screen.query_one("#answer-rows").highlighted_option.id
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "FindingScreen")
        assert app.screen.finding.id == first == rows[0].finding.id


@pilot_test
async def test_outcome_and_pack_keys_cycle(built_world) -> None:  # noqa: F811
    app = BoldApp(built_world.bundle, built_world.trust)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app)
        await pilot.press("a")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AnswerScreen")
        screen = app.screen
        start = screen.pack.id
        await pilot.press("o")
        assert screen.outcome_index == (1 if len(screen.outcomes) > 1 else 0)
        await pilot.press("9")  # a key past the last outcome says so and changes nothing
        assert screen.outcome_index < len(screen.outcomes)
        for _ in range(len(screen.packs)):
            await pilot.press("right_square_bracket")
        assert screen.pack.id == start  # round the packs and back
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HomeScreen")
