"""The words and units the reader sees around each figure, from the cell's own fields."""

from __future__ import annotations

from types import SimpleNamespace

from bold_tui import render
from bold_tui.widgets.estimates_table import estimates_renderable
from linkage_core.schema import Estimate


def _finding(**extra):
    base = dict(id="f", unit="share", measure="Found a job within a year", comparison_label=None,
                treated_label="People released")
    return SimpleNamespace(**(base | extra))


def test_a_cells_own_unit_wins_over_the_findings() -> None:
    """One finding can hold a share and an average of days: the days must not be shown as a percentage."""
    days = Estimate(id="d", finding_id="f", kind="mean", unit="days", range_high=365.0, treated_n=120,
                    treated_value=90.0, treated_low=88.3, treated_high=91.6)
    share = Estimate(id="s", finding_id="f", treated_n=200, treated_events=120, treated_value=0.6,
                     treated_low=0.53, treated_high=0.67)
    assert render.figure(days, "treated", _finding()) == "90.0 days (88.3 to 91.6)"
    assert render.figure(share, "treated", _finding()) == "60.0% (53.0% to 67.0%)"


def test_points_are_explained_only_beside_a_gap_between_percentages() -> None:
    days = Estimate(id="d", finding_id="f", kind="mean", unit="days", range_high=365.0, treated_n=120,
                    treated_value=90.0)
    share = Estimate(id="s", finding_id="f", treated_n=200, treated_events=120, treated_value=0.6)
    bundle = _bundle(0.05)
    assert render.POINTS_NOTE not in render.clear_notes(bundle, [days])
    assert render.POINTS_NOTE in render.clear_notes(bundle, [days, share])
    assert "even after allowing for every comparison" in render.clear_notes(bundle, [days])[0]


def _bundle(rate: float | None):
    from linkage_core.schema import Comparisons

    chance = None if rate is None else Comparisons(method="Benjamini-Hochberg", comparisons=400, clear=12,
                                                    false_discovery_rate=rate)
    return SimpleNamespace(manifest=SimpleNamespace(comparisons=chance))


def test_clear_is_explained_at_the_bundles_own_false_discovery_rate() -> None:
    """A bundle built at 1 in 10 must not be explained as 1 in 20; one built before the adjustment must not
    claim an adjustment it never had."""
    from linkage_core.glossary import chance_share, glossary

    days = Estimate(id="d", finding_id="f", kind="mean", unit="days", range_high=365.0, treated_n=120,
                    treated_value=90.0)
    assert "about 1 in 10 or fewer" in render.clear_notes(_bundle(0.1), [days])[0]
    assert "about 1 in 20 or fewer" in render.clear_notes(_bundle(0.05), [days])[0]
    unadjusted = render.clear_notes(_bundle(None), [days])[0]
    assert "not adjusted" in unadjusted and "1 in" not in unadjusted
    assert chance_share(0.025) == "about 1 in 40" and chance_share(0.03) == "about 3%"
    clear = {g.term: g.definition for g in glossary(None, 0.01)}["Clear difference"]
    assert "about 1 in 100 or fewer" in clear and "{rate}" not in clear


def test_a_table_mixing_units_names_none_in_its_heading() -> None:
    from rich.console import Console

    days = Estimate(id="d", finding_id="f", kind="mean", unit="days", range_high=365.0, treated_n=120,
                    treated_value=90.0)
    share = Estimate(id="s", finding_id="f", treated_n=200, treated_events=120, treated_value=0.6)
    console = Console(width=80, record=True)
    console.print(estimates_renderable(_finding(), [share, days]))
    text = console.export_text()
    assert "Figure (95% interval)" in text and "90.0 days" in text
