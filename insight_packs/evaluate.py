"""``bold evaluate``: does each published 95% interval cover the effect planted in the synthetic world?

This is the test that keeps the packs honest. It reads ``_truth/effects.json`` (which no pipeline step may
read) and the bundle's overall estimates, matched by finding id: ``<pack>.<treatment>.<outcome>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from linkage_core.bundle.reader import Bundle
from linkage_core.errors import UsageError


@dataclass(frozen=True)
class Check:
    effect_id: str
    finding_id: str
    truth: float
    low: float | None
    high: float | None
    naive: float | None = None

    @property
    def published(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def covered(self) -> bool:
        return self.published and self.low <= self.truth <= self.high


#: Where each planted treatment is reported: (pack, the treatment's name in finding ids).
_TREATMENTS = {"settled_accommodation": ("leaving_prison", "service:accommodation")}
#: Outcomes published on another scale than the world records them (attendance as a percentage).
SCALE = {"attendance_rate": 100.0}


def finding_id_for(effect: dict) -> str:
    treatment = effect["treatment"]
    if treatment in _TREATMENTS:
        pack, name = _TREATMENTS[treatment]
    elif treatment.startswith("course:"):
        pack, name = "education_work", treatment
    else:
        pack, name = "children", treatment
    return f"{pack}.{name}.{effect['outcome']}"


def _estimate_for(bundle: Bundle, finding_id: str, subgroup: dict | None):
    try:
        if not subgroup:
            found = bundle.estimates(finding_id, "overall")
        else:
            (breakdown, group), = subgroup.items()
            found = [e for e in bundle.estimates(finding_id, breakdown) if e.group == str(group)]
    except Exception:  # noqa: BLE001 - a missing finding counts as not covered
        return None
    return found[0] if found else None


def load_effects(world: Path) -> list[dict]:
    path = Path(world) / "_truth" / "effects.json"
    if not path.exists():
        raise UsageError(f"{world} has no _truth/effects.json, so there is nothing to compare with.")
    return json.loads(path.read_text())["effects"]


def checks(world: Path, bundle: Bundle) -> list[Check]:
    out = []
    for effect in load_effects(world):
        fid = finding_id_for(effect)
        truth = effect.get("realised_att", effect.get("planted")) * SCALE.get(effect["outcome"], 1.0)
        e = _estimate_for(bundle, fid, effect.get("subgroup"))
        if e is None or e.suppressed:
            out.append(Check(effect["id"], fid, truth, None, None))
        else:
            out.append(Check(effect["id"], fid, truth, e.difference_low, e.difference_high))
    return out


def evaluate(world: Path, bundle: Bundle) -> list[str]:
    results = checks(world, bundle)
    lines = [f"{'effect':<62} {'truth':>8}  {'95% interval':<20} covered"]
    for c in results:
        interval = f"{c.low:+.3f} to {c.high:+.3f}" if c.published else "not published"
        lines.append(f"{c.effect_id:<62} {c.truth:+8.3f}  {interval:<20} {'yes' if c.covered else 'no'}")
    covered = sum(c.covered for c in results)
    lines.append(f"coverage: {covered}/{len(results)}")
    return lines
