"""Which matching recovers the planted effects best? (issue 13, item 3)

Runs the packs' compute step (true counts, before disclosure control) on worlds with known effects, with
three designs of the propensity model, and scores every comparison row whose truth the world knows
(``_truth/effects.json``: overall and by group) against its realised effect on the treated:

* ``quadratic``: logistic model with squares of age, sentence and prior offences; no exact strata
  (the design before issue 13, but matched within each row's group);
* ``spline``: cubic splines, a 12-month sentence step and log prior offences; no exact strata;
* ``spline+exact`` (what the packs use): as ``spline``, matched exactly on sentence band and work before custody;
* ``boosting``: gradient-boosted trees for the score, with the exact strata.

    python -m benchmarks.method_choice --people 3000 --seeds 31 32
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

import numpy as np


def _truth(world: Path) -> dict[tuple[str, str, str], float]:
    out = {}
    for effect in json.loads((world / "_truth" / "effects.json").read_text())["effects"]:
        m = re.match(r"(.+?)->(\w+)(?:\[(\w+)=(.+)\])?$", effect["id"])
        treatment, outcome, breakdown, group = m.groups()
        if treatment == "settled_accommodation":
            treatment = "service:accommodation"
        pack = ("education_work" if treatment.startswith("course:") else "leaving_prison"
                if treatment.startswith("service:") else "children")
        out[(f"{pack}.{treatment}.{outcome}", breakdown or "overall", group or "All")] = effect["realised_att"]
    return out


def _design(name: str):
    """Patch the matching module for one design; returns an undo function."""
    import insight_packs.education_work as edu
    import insight_packs.leaving_prison as lp
    import insight_packs.matching as m

    saved = (m.design_matrix, m.propensity, edu.EXACT_ADULT, lp.EXACT_ADULT)

    def quadratic(frame, numeric, categorical):
        import pandas as pd

        parts = []
        for column in numeric:
            if column in frame:
                v = m._numeric(frame, column)
                v = (v - v.mean()) / (v.std() or 1.0)
                parts += [v.rename(column), (v ** 2).rename(f"{column}^2")]
        for column in categorical:
            if column in frame:
                parts.append(pd.get_dummies(m._category(frame, column), prefix=column, drop_first=True, dtype=float))
        return pd.concat(parts, axis=1).round(9)

    def boosting(x, treated):
        from sklearn.ensemble import HistGradientBoostingClassifier

        model = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_depth=3, random_state=0)
        model.fit(x.to_numpy(), treated)
        return model.predict_proba(x.to_numpy())[:, 1]

    if name == "quadratic":
        m.design_matrix = quadratic
    if name in ("quadratic", "spline"):
        edu.EXACT_ADULT = lp.EXACT_ADULT = ()
    if name == "boosting":
        m.propensity = boosting

    def undo() -> None:
        m.design_matrix, m.propensity, edu.EXACT_ADULT, lp.EXACT_ADULT = saved
    return undo


def score(world: Path, link: Path, design: str) -> dict:
    from insight_packs.cohort import Sources, load
    from insight_packs.engine import open_engine
    from insight_packs.registry import all_packs

    truth = _truth(world)
    undo = _design(design)
    engine = open_engine()
    try:
        load(engine, Sources(world, link, "ab" * 16))
        drafts = [d for p in all_packs() for d in p.compute(engine)]
    finally:
        engine.close()
        undo()
    rows = []
    for draft in drafts:
        for cell in draft.cells:
            key = (draft.id, cell.breakdown, cell.group)
            if key not in truth or cell.difference is None or cell.forced is not None:
                continue
            t = truth[key] * (100 if cell.unit == "percent" else 1)
            rows.append((abs(cell.difference - t), cell.difference_low <= t <= cell.difference_high))
    bias = np.array([r[0] for r in rows])
    return {"rows": len(rows), "mean_abs_error": float(bias.mean()) if len(rows) else None,
            "coverage": float(np.mean([r[1] for r in rows])) if rows else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[31, 32])
    parser.add_argument("--designs", nargs="+", default=["quadratic", "spline", "spline+exact", "boosting"])
    args = parser.parse_args()
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    with tempfile.TemporaryDirectory(prefix="bold-method-") as scratch:
        for seed in args.seeds:
            world = synthesise(args.people, seed, Path(scratch) / f"w{seed}")
            link_world(world, Path(scratch) / f"l{seed}")
            for design in args.designs:
                print(f"seed {seed} {design}: {score(world, Path(scratch) / f'l{seed}', design)}", flush=True)


if __name__ == "__main__":
    main()
