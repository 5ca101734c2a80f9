"""The test that proves the packs honest: matched intervals cover the planted effects; naive ones do not.

CI runs a few seeds at small N; ``benchmarks/truth_recovery.py`` runs the full sweep of 20+ seeds.
"""

from __future__ import annotations

import pytest

from insight_packs.truth import recovery
from linkage_core.bundle.reader import open_bundle
from tests.conftest import PASSPHRASE
from tests.pipeline_fixtures import built_world  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


def test_matched_intervals_cover_the_truth_and_naive_ones_miss_it(built_world) -> None:  # noqa: F811
    with open_bundle(built_world.bundle, PASSPHRASE, built_world.trust) as bundle:
        result = recovery(built_world.world, built_world.link, bundle, seed=0)
    published = [r for r in result.rows if r[2] is not None]
    assert result.total >= 20 and len(published) >= 0.75 * result.total
    covered = sum(low <= truth <= high for _, truth, low, high, _, _ in published)
    assert covered >= 0.85 * len(published), result.rows
    # Without matching, the confounding built into the world pulls estimates away from the truth.
    assert result.naive_covered < covered
    assert result.naive_covered <= 0.6 * result.total


def test_evaluate_command_ends_with_coverage(built_world) -> None:  # noqa: F811
    import subprocess
    import sys

    key = built_world.trust  # the bundle's publisher is trusted through --trust below
    pub = built_world.bundle.parent / "publisher.pub"
    pub.write_text(next(iter(key)).to_json())
    result = subprocess.run([sys.executable, "-m", "bold_tui.cli", "evaluate", str(built_world.world),
                             str(built_world.bundle), "--trust", str(pub)], capture_output=True, text=True,
                            env={**__import__("os").environ, "BOLD_PASSPHRASE": PASSPHRASE}, timeout=300)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("coverage: ")
    covered, total = map(int, last.removeprefix("coverage: ").split()[0].split("/"))
    assert total >= 20 and covered <= total
