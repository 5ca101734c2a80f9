"""The judge: ``bold evaluate`` scores every published comparison row against the world's per-person truth.

Quick tests use a hand-made truth table and a stand-in bundle (so the scoring rules are checked exactly,
whatever the packs do); the slow ones use the session's built world. ``benchmarks/truth_recovery.py`` runs
the full sweep of 20+ seeds.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pytest

from insight_packs.evaluate import evaluate, score
from insight_packs.truth import WorldScore, report, summary
from linkage_core.errors import UsageError


@dataclass
class _Estimate:
    id: str
    breakdown: str
    group: str
    difference: float | None
    difference_low: float | None
    difference_high: float | None
    significant: bool | None = None
    kind: str = "proportion"
    comparison_n: int | None = 100
    treated_n: int | None = 100
    suppressed: bool = False


@dataclass
class _Finding:
    id: str
    pack_id: str


@dataclass
class _Bundle:
    """Stands in for an opened bundle: findings and their estimates, nothing else."""

    rows: dict[str, list[_Estimate]] = field(default_factory=dict)

    def findings(self):
        return [_Finding(fid, fid.split(".")[0]) for fid in self.rows]

    def estimates(self, finding_id: str):
        return self.rows[finding_id]


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    """Six people: four treated (two women, two men), two not; the effect is planted for the women only."""
    rows = pd.DataFrame({
        "person_id": [f"P{i}" for i in range(6)], "treatment": "service:housing", "outcome": "reoffending_12m",
        "eligible": True, "treated": [True, True, True, True, False, False],
        "y0": [1.0, 1.0, 0.0, 1.0, 1.0, 0.0], "y1": [0.0, 1.0, 0.0, 1.0, 1.0, 0.0],
        "planted": [-0.2, -0.2, 0.0, 0.0, 0.0, 0.0], "sex": ["F", "F", "M", None, "M", "F"],
    })
    for column in ("treatment", "outcome", "sex"):   # as the world writes them: dictionary columns
        rows[column] = rows[column].astype("category")
    (tmp_path / "_truth").mkdir()
    rows.to_parquet(tmp_path / "_truth" / "potential.parquet")
    return tmp_path


def _bundle(pack: str = "any_new_pack") -> _Bundle:
    fid = f"{pack}.service:housing.reoffending_12m"
    return _Bundle({fid: [
        _Estimate(f"{fid}:0", "overall", "All", -0.30, -0.40, -0.20, True),
        _Estimate(f"{fid}:1", "sex", "F", -0.45, -0.60, -0.30, True),
        _Estimate(f"{fid}:2", "sex", "M", +0.20, +0.10, +0.30, True),        # null row called clear
        _Estimate(f"{fid}:3", "sex", "Not recorded", 0.0, -0.1, 0.1, False),
        _Estimate(f"{fid}:4", "region", "London", 0.0, -0.1, 0.1, False),   # the world has no region here
        _Estimate(f"{fid}:5", "sex", "F", None, None, None, suppressed=True),
    ], "any_new_pack.reach.housing": [_Estimate("x:0", "overall", "All", 0.1, 0.0, 0.2, comparison_n=None)]})


def test_every_known_row_is_scored_with_the_realised_effect_on_its_treated_people(world: Path) -> None:
    rows = {r.id.rsplit(":", 1)[1]: r for r in score(world, _bundle())}
    assert set(rows) == {"0", "1", "2", "3"}   # no truth for region; hidden rows and shares are not scored
    assert rows["0"].truth == pytest.approx(-0.25) and not rows["0"].null
    assert rows["1"].truth == pytest.approx(-0.5) and not rows["1"].null
    assert rows["2"].truth == 0 and rows["2"].null
    assert rows["3"].truth == 0 and rows["3"].null   # a missing label is the packs' "Not recorded"
    assert rows["0"].covered and rows["1"].covered and not rows["2"].covered and rows["3"].covered
    assert rows["2"].clear and not rows["2"].wrong_sign
    # The naive gap compares the row's treated people with its untreated people, as things happened.
    assert rows["0"].naive == pytest.approx(0.5 - 0.5)


def test_no_pack_is_named_in_the_judge(world: Path) -> None:
    for pack in ("leaving_prison", "a_pack_written_next_year"):
        assert len(score(world, _bundle(pack))) == 4
    source = (Path(__file__).resolve().parents[2] / "insight_packs" / "evaluate.py").read_text()
    for pack in ("leaving_prison", "education_work", "children", "employment"):
        assert f'"{pack}' not in source


def test_text_report_counts_clear_nulls_and_ends_with_coverage(world: Path) -> None:
    lines = evaluate(world, _bundle())
    assert lines[-1] == "coverage: 3/4"
    pack = next(line for line in lines if line.startswith("any_new_pack"))
    assert "1/2" in pack   # one of the two null rows called clear
    figures = summary([WorldScore(1, score(world, _bundle()), 6, ["x"])])
    assert figures.clear_nulls == 1 and figures.nulls == 2 and figures.small_rows == 1
    assert any("target >= 93%" in line for line in report(figures))


def test_wrong_sign_clear_verdicts_are_counted(world: Path) -> None:
    bundle = _bundle()
    fid = next(iter(bundle.rows))
    bundle.rows[fid][1] = _Estimate(f"{fid}:1", "sex", "F", +0.3, +0.1, +0.5, True)
    rows = {r.id.rsplit(":", 1)[1]: r for r in score(world, bundle)}
    assert rows["1"].wrong_sign


def test_a_world_without_per_person_truth_is_one_clear_sentence(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="potential.parquet"):
        score(tmp_path, _bundle())


@pytest.mark.slow
def test_built_world_rows_are_scored_and_matching_beats_the_naive_gap(built_world) -> None:  # noqa: F811
    from linkage_core.bundle.reader import open_bundle
    from tests.helpers import PASSPHRASE

    with open_bundle(built_world.bundle, PASSPHRASE, built_world.trust) as bundle:
        rows = score(built_world.world, bundle)
    packs = {r.pack_id for r in rows}
    assert {"education_work", "leaving_prison", "children"} <= packs
    assert any(r.breakdown != "overall" for r in rows) and any(r.null for r in rows)
    assert sum(r.covered for r in rows) >= 0.75 * len(rows)
    courses = [r for r in rows if r.pack_id == "education_work" and r.naive is not None]
    matched = sum(abs(r.difference - r.truth) for r in courses)
    naive = sum(abs(r.naive - r.truth) for r in courses)
    assert matched < naive


@pytest.mark.slow
def test_evaluate_command_text_and_json(built_world) -> None:  # noqa: F811
    from tests.helpers import PASSPHRASE

    pub = built_world.bundle.parent / "publisher.pub"
    pub.write_text(next(iter(built_world.trust)).to_json())
    env = {**os.environ, "BOLD_PASSPHRASE": PASSPHRASE}
    base = [sys.executable, "-m", "bold_tui.cli", "evaluate", str(built_world.world), str(built_world.bundle),
            "--trust", str(pub)]
    text = subprocess.run(base, capture_output=True, text=True, env=env, timeout=300)
    assert text.returncode == 0, text.stderr
    last = text.stdout.strip().splitlines()[-1]
    covered, total = map(int, last.removeprefix("coverage: ").split("/"))
    assert last.startswith("coverage: ") and total >= 50 and covered <= total
    out = subprocess.run(base + ["--format", "json"], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    estimates = json.loads(out.stdout)["estimates"]
    assert len(estimates) == total
    assert all(set(e) == {"id", "truth", "null"} for e in estimates)
    # The ids are the ones `bold show --format json` prints (render.finding_json, in process: quicker).
    from bold_tui import render
    from linkage_core.bundle.reader import open_bundle

    with open_bundle(built_world.bundle, PASSPHRASE, built_world.trust) as bundle:
        shown = {e["id"]: e for f in bundle.findings() for e in render.finding_json(bundle, f)["estimates"]}
    for e in estimates:
        assert e["id"] in shown and not shown[e["id"]]["suppressed"]
        assert shown[e["id"]]["difference"] is not None


def test_chance_floor_is_what_unbiased_rows_would_show(world: Path) -> None:
    # Two worlds whose errors are +d and -d on every row: no bias, so the bias figure is 0 and the floor is
    # sqrt(2/pi) * sd / sqrt(2) with sd = d * sqrt(2).
    rows = score(world, _bundle())
    d = 0.05
    up = [replace(r, difference=r.truth + d) for r in rows]
    down = [replace(r, difference=r.truth - d) for r in rows]
    figures = summary([WorldScore(1, up), WorldScore(2, down)])
    matched, _naive, _n = figures.row_bias["any_new_pack"]
    assert matched == pytest.approx(0.0, abs=1e-12)
    assert figures.chance_floor["any_new_pack"] == pytest.approx(math.sqrt(2 / math.pi) * d, rel=1e-9)
    assert any("chance alone would give about 0.0399" in line for line in report(figures))


def test_a_pack_missing_the_bias_target_is_broken_down_by_finding(world: Path) -> None:
    # Every row 0.5 off in both worlds while the naive gap is off by 0.75 on average: the pack misses the
    # target, and the report names the finding that carries the bias, with its own figures.
    rows = score(world, _bundle())
    off = [replace(r, difference=r.truth + 0.5) for r in rows]
    figures = summary([WorldScore(1, off), WorldScore(2, off)])
    fid = "any_new_pack.service:housing.reoffending_12m"
    matched, naive, floor, n = figures.finding_bias["any_new_pack"][fid]
    assert matched == pytest.approx(0.5) and n == 3 and floor == pytest.approx(0.0)
    assert naive == pytest.approx(0.75) and matched / naive > 1 / 3
    lines = report(figures)
    assert any("any_new_pack misses the bias target" in line for line in lines)
    assert any(line.strip().startswith(fid) and "0.5000 vs 0.7500" in line for line in lines)
    # A pack that meets the target gets no breakdown.
    exact = [replace(r, difference=r.truth) for r in rows]
    assert not any("misses the bias target" in line for line in report(summary([WorldScore(1, exact)])))
