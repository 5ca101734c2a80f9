"""The attack harness over 20+ random seeds: each attack must succeed without protection (so the harness can
catch a leak) and fail, or nearly always fail, with it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "attacks.py"
_spec = importlib.util.spec_from_file_location("bold_attacks", _PATH)
attacks = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = attacks  # dataclasses look their module up by name
_spec.loader.exec_module(attacks)

SEEDS = range(24)


@pytest.fixture(scope="module")
def tallies() -> dict[tuple[str, str], "attacks.Tally"]:
    return {(t.attack, t.protection): t for t in attacks.run(SEEDS)}


@pytest.mark.slow
def test_margins_attack_leaks_without_protection_and_not_with(tallies):
    open_, safe = tallies["margins", "none"], tallies["margins", "rounding + secondary"]
    assert open_.attempts >= 20 and open_.successes > 0
    assert safe.attempts >= 20 and safe.successes == 0


@pytest.mark.slow
def test_lp_attack_leaks_without_secondary_and_not_with(tallies):
    open_, safe = tallies["lp", "none"], tallies["lp", "secondary"]
    assert open_.attempts >= 20 and open_.rate > 0.5
    assert safe.attempts == open_.attempts and safe.successes == 0


@pytest.mark.slow
def test_overlapping_cells_give_a_person_away_unless_perturbed(tallies):
    assert tallies["overlap", "none"].rate > 0.9
    assert tallies["overlap", "rounding"].rate < tallies["overlap", "none"].rate
    assert tallies["overlap", "cell key"].rate <= 0.02


@pytest.mark.slow
def test_membership_of_one_person(tallies):
    assert tallies["membership", "none"].rate == 1.0
    # rounding gives membership away whenever the extra person crosses a rounding boundary (about 1 in 5)
    assert tallies["membership", "rounding"].rate < 0.3
    # the cell key method only at the ptable's outermost adjustments (+-2, 5% each)
    assert tallies["membership", "cell key"].rate < 0.09


@pytest.mark.slow
def test_every_attack_ran_on_enough_seeds(tallies):
    assert len(SEEDS) >= 20
    assert {a for a, _ in tallies} == {"margins", "lp", "overlap", "membership"}
    assert all(t.attempts > 0 for t in tallies.values())
