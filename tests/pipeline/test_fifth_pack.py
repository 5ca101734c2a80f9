"""The "add a pack" recipe in docs/architecture.md, proved: a fifth pack is one module, found in the packs'
folder, computed, published under disclosure control and read back from a sealed bundle.

The module below is written to a temporary folder added to ``insight_packs``'s search path, so the test
touches nothing in the source tree; dropping the same text into ``insight_packs/`` is all a real pack needs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import insight_packs
from insight_packs.registry import all_packs, declares_pack, pack_modules

NAME = "benefit_claims"

#: The whole fifth pack: a question in plain words, the data it uses, its limits, and one computation.
FIFTH_PACK = '''"""Use case 5 (a worked example): claiming benefits in the first 12 weeks after leaving prison."""

from insight_packs import compute as C
from insight_packs.base import COMMON_WONT, PackSpec, use
from insight_packs.drafts import FindingDraft, Phrasing

BREAKDOWNS = ("region", "age_band")


def _compute(pack: PackSpec, engine) -> list[FindingDraft]:
    frame = engine.arrow(
        "SELECT person_key, record_key, days_to_benefit_claim, region, age_band FROM people ORDER BY row_order"
    ).to_pandas()
    frame["claimed_12w"] = (frame.days_to_benefit_claim.notna() & (frame.days_to_benefit_claim <= 84)).astype(int)
    keys = C.record_keys(frame)
    return [FindingDraft(
        id="benefit_claims.claimed_12w", pack_id=pack.id, title="Claiming benefits within 12 weeks of release",
        measure="Universal Credit claim within 12 weeks", treated_label="People released", comparison_label=None,
        phrasing=Phrasing("people released", None, "claimed Universal Credit within 12 weeks"),
        cells=C.share_cells(frame, "claimed_12w", ("overall",) + BREAKDOWNS),
        method="Share with a Wilson score interval", datasets=("prison", "dwp"),
        attrition=[C.step("People released in the period", keys, count=len(frame))],
        covered="It covers people released in the period whose prison record was found.")]


PACK = PackSpec(
    id="benefit_claims",
    title="Money after prison",
    question="How many people claim benefits within 12 weeks of leaving prison?",
    why_it_matters="Without money in the first weeks, people struggle to keep a home or get to appointments.",
    datasets=(
        use("prison", "Prison service (MoJ / HMPPS)", "region, age", "release date"),
        use("dwp", "Department for Work and Pensions", "benefit claim date"),
    ),
    will=("It shows how many people claimed, by region and age.",),
    wont=COMMON_WONT + ("It will not say why anyone did or did not claim.",),
    order=5,
    breakdowns=("overall",) + BREAKDOWNS,
    computer=_compute,
)
'''

#: A helper module beside it: the registry must never import it (importing it would fail the test).
HELPER = '''"""Not a pack: shared code a pack might use. Importing it is a mistake the registry must not make."""
raise RuntimeError("the registry imported a module that declares no pack")
'''


@pytest.fixture
def fifth_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "more_packs"
    folder.mkdir()
    (folder / f"{NAME}.py").write_text(FIFTH_PACK, encoding="utf-8")
    (folder / "shared_helpers.py").write_text(HELPER, encoding="utf-8")
    monkeypatch.setattr(insight_packs, "__path__", [*insight_packs.__path__, str(folder)])
    yield folder
    sys.modules.pop(f"insight_packs.{NAME}", None)
    if hasattr(insight_packs, NAME):
        delattr(insight_packs, NAME)


def test_the_registry_finds_a_new_pack_module_and_never_imports_a_helper(fifth_pack: Path) -> None:
    assert f"insight_packs.{NAME}" in pack_modules()
    assert "insight_packs.shared_helpers" not in pack_modules()
    packs = all_packs()
    assert len(packs) == 5 and packs[-1].id == NAME  # order=5 puts it after the four
    assert "insight_packs.shared_helpers" not in sys.modules


def test_the_marker_is_a_top_level_pack_assignment() -> None:
    assert declares_pack("PACK = PackSpec(id='x')") and declares_pack("PACK: PackSpec = make()")
    assert not declares_pack("def f():\n    PACK = 1\n")  # only at the top level
    assert not declares_pack("# PACK = nothing, a comment\nPACKS = []\n")


def test_the_four_packs_are_found_without_a_list() -> None:
    assert {p.id for p in all_packs()} == {"leaving_prison", "education_work", "children", "employment"}


@pytest.mark.slow
def test_a_fifth_pack_is_published_and_read_back_from_a_bundle(fifth_pack: Path, built_world, tmp_path: Path
                                                               ) -> None:
    """End to end on the shared 4,000-person world: computed, disclosure-controlled, sealed, opened."""
    from insight_packs.build import build_content
    from linkage_core.bundle.keys import PrivateKey, TrustStore
    from linkage_core.bundle.reader import open_bundle
    from linkage_core.bundle.writer import write_bundle
    from tests.helpers import FAST_KDF, PASSPHRASE

    key = PrivateKey.generate("Fifth pack publisher")
    content = build_content(built_world.world, built_world.link, key_secret=key.record_key_secret())
    path = write_bundle(content, tmp_path / "five.bold", signer=key, passphrases=[PASSPHRASE], kdf=FAST_KDF)
    with open_bundle(path, PASSPHRASE, TrustStore([key.public])) as bundle:
        assert [p.id for p in bundle.packs()][-1] == NAME
        finding = next(f for f in bundle.findings() if f.pack_id == NAME)
        estimates = bundle.estimates(finding.id)
        assert {e.breakdown for e in estimates} >= {"overall", "region", "age_band"}
        shown = [e for e in estimates if not e.suppressed]
        assert shown, "every figure of the fifth pack was hidden"
        # the publishing policy reached it like any other pack: counts rounded to 5, none under 10 people
        policy = bundle.manifest.policy
        assert all(e.treated_n % policy.rounding_base == 0 and e.treated_n >= policy.threshold for e in shown)
