"""Secondary suppression across separately matched breakdown rows (issue 13).

Each breakdown row of a comparison is matched on its own, so no published sum links it to the overall row.
When nearly everyone found a partner overall, though, the overall row minus the other rows comes within a
few people of a hidden row: that row must not be the only one hidden in its breakdown.
"""

from __future__ import annotations

from linkage_core.disclosure.apply import RawSide, apply, proportion_cell
from linkage_core.schema import DisclosurePolicy, SuppressionReason

POLICY = DisclosurePolicy()


def _rows(overall_unmatched: int, small_events: int = 2, small_n: int = 22) -> list:
    def side(n: int, events: int) -> RawSide:
        return RawSide(n=n, events=events)

    return [
        proportion_cell("f:0", "f", side(400, 120), side(400, 130), unmatched=RawSide(n=overall_unmatched)),
        proportion_cell("f:1", "f", side(300, 90), side(300, 95), breakdown="sentence", group="Short",
                        unmatched=RawSide(n=0)),
        proportion_cell("f:2", "f", side(78, 28), side(78, 33), breakdown="sentence", group="Middle",
                        unmatched=RawSide(n=0)),
        proportion_cell("f:3", "f", side(small_n, small_events), side(small_n, 3), breakdown="sentence",
                        group="Long", unmatched=RawSide(n=0)),
    ]


def test_a_lone_small_hidden_row_gets_a_partner_when_nearly_everyone_was_matched():
    out = {e.id: e for e in apply(_rows(overall_unmatched=1), POLICY)}
    assert out["f:3"].suppressed and out["f:3"].suppression_reason == SuppressionReason.TOO_FEW_PEOPLE
    # The smallest published row of the same breakdown is hidden with it; the overall row stays.
    assert out["f:2"].suppressed and out["f:2"].suppression_reason == SuppressionReason.PROTECTS_ANOTHER_CELL
    assert not out["f:1"].suppressed and not out["f:0"].suppressed


def test_no_partner_needed_when_many_were_left_unmatched_overall():
    # Then the overall row's treated people are not the groups' treated people, and subtraction is far off.
    out = {e.id: e for e in apply(_rows(overall_unmatched=150), POLICY)}
    assert out["f:3"].suppressed
    assert not out["f:2"].suppressed and not out["f:1"].suppressed


def test_a_row_hidden_for_a_reason_other_than_small_counts_needs_no_partner():
    # Hidden with plenty of people with and without the outcome (for example groups not alike): nothing small
    # to give away.
    rows = _rows(overall_unmatched=1, small_events=40, small_n=90)
    rows[3] = rows[3].__class__(**{**rows[3].__dict__, "forced": SuppressionReason.NOT_BALANCED})
    out = {e.id: e for e in apply(rows, POLICY)}
    assert out["f:3"].suppressed and out["f:3"].suppression_reason == SuppressionReason.NOT_BALANCED
    assert not out["f:2"].suppressed
