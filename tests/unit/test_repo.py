"""The README's two commands, CI, and the shipped demo bundle stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sample_db
from linkage_core.bundle.reader import open_bundle
from insight_packs.demo_build import demo_trust
from tests import demo_sources
from tests.helpers import ROOT



def _code_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)]


def test_readme_has_exactly_the_two_setup_commands_and_ci_runs_the_second() -> None:
    blocks = _code_blocks((ROOT / "README.md").read_text())
    assert "pip install . && bold" in blocks
    test_command = "pip install -e '.[pipeline,test]' && pytest"
    assert test_command in blocks
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in [line.strip() for line in ci]


def _dump(bundle) -> dict:
    return {
        "manifest": bundle.manifest.model_dump(mode="json"),
        "packs": [p.model_dump(mode="json") for p in bundle.packs()],
        "findings": [(f.model_dump(mode="json"), [e.model_dump(mode="json") for e in bundle.estimates(f.id)])
                     for f in bundle.findings()],
        "datasets": [d.model_dump(mode="json") for d in bundle.datasets()],
        "quality": [q.model_dump(mode="json") for q in bundle.linkage_quality()],
        "glossary": [g.model_dump(mode="json") for g in bundle.glossary()],
    }


def test_the_shipped_demo_is_the_recorded_one_and_opens() -> None:
    """Fast: the demo on disk is the file recorded beside it, and it opens as a demo with the public passphrase."""
    record = demo_sources.recorded()
    assert record, f"no {demo_sources.RECORD.name}: run python -m tests.demo_sources after building the demo"
    assert record["demo.bold"] == demo_sources.file_digest(sample_db.demo_bundle_path()), \
        "demo.bold changed without its record: run python -m tests.demo_sources"
    with open_bundle(sample_db.demo_bundle_path(), sample_db.DEMO_PASSPHRASE, demo_trust()) as shipped:
        assert shipped.is_demo and shipped.findings()


@pytest.mark.slow
def test_shipped_demo_is_what_the_build_command_produces(tmp_path: Path) -> None:
    """Rebuilt only when the world generator, the pipeline or the packs changed since the demo was recorded."""
    if demo_sources.recorded().get("sources") == demo_sources.sources_digest():
        return  # the demo was built from exactly these sources (and the fast test checks it is that file)
    from insight_packs.demo_build import build_demo

    rebuilt = build_demo(tmp_path / "demo.bold")
    with open_bundle(sample_db.demo_bundle_path(), sample_db.DEMO_PASSPHRASE, demo_trust()) as shipped, \
            open_bundle(rebuilt, sample_db.DEMO_PASSPHRASE, demo_trust(rebuilt)) as fresh:
        assert shipped.is_demo
        assert _dump(shipped) == _dump(fresh), "the sources changed the demo's figures: rebuild the demo"
