"""Truth recovery sweep (issue 13): fresh worlds, every pack, every published comparison row.

For each seed: write a world, link it, build a bundle, and score every published comparison row against the
world's per-person truth (``bold evaluate``'s rows). Reports coverage of the 95% intervals (overall and per
pack), "clear" verdicts on null rows and with the wrong sign, shown comparison rows with fewer than 60
treated people, and the mean absolute bias of the matched estimates against the naive difference, per pack.

Run (one process; heavy): python benchmarks/truth_recovery.py [--seeds 20] [--first-seed 1301] [--people 6000]
[--true-links] (a perfect spine from the truth instead of linking: the packs' method alone)
[--keep DIR] (keep each world and its links) [--reuse DIR] (score those kept worlds and links again)
[--no-near-families] (as if linkage had not marked children of unknown family status: the design before)
Each world's scored rows are appended to --out (JSON lines) as it finishes, so a sweep cut short still
leaves its figures: ``--report-only`` prints the figures from that file.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from insight_packs.evaluate import Scored
from insight_packs.truth import WorldScore, report, summary


def _run_seed(seed: int, people: int, key, trust, perfect_links: bool = False,
              keep: Path | None = None, reuse: Path | None = None, near_families: bool = True) -> WorldScore:
    """One world scored. ``reuse``: take the world and links kept by an earlier ``--keep`` run instead of
    writing and linking again (the same worlds and links, so two designs compare on equal terms);
    ``near_families`` false: build as if linkage had not marked children of unknown family status."""
    from insight_packs.build import build_bundle
    from insight_packs.truth import score_world, true_links
    from linkage_core.bundle.envelope import KdfParams
    from linkage_core.bundle.reader import open_bundle
    from linkage_core.linkage import link_world
    from sample_db.world import synthesise

    with tempfile.TemporaryDirectory(prefix="bold-truth-") as folder:
        root = Path(folder)
        if reuse is not None:
            import shutil

            world = reuse / str(seed) / "world"
            shutil.copytree(reuse / str(seed) / "link", root / "link")
        else:
            world = synthesise(people, seed, root / "world")
        possible = root / "link" / "families_possible.parquet"
        if reuse is not None:
            pass  # linked already
        elif perfect_links:
            true_links(world, root / "link")
        else:
            link_world(world, root / "link")  # writes families_possible.parquet too
        if not near_families and possible.exists():
            possible.unlink()
        path = build_bundle(world, root / "b.bold", signer=key, passphrases=["x"], link_dir=root / "link",
                            kdf=KdfParams(1024, 1, 1))
        with open_bundle(path, "x", trust) as bundle:
            scored = score_world(world, bundle, seed)
        if keep is not None and reuse is None:  # world and links, to compare designs on the same worlds later
            import shutil

            for part in ("world", "link"):
                shutil.copytree(root / part, keep / str(seed) / part, dirs_exist_ok=True)
        return scored


def _save(out: Path, result: WorldScore, people: int, seconds: float) -> None:
    record = {"seed": result.seed, "people": people, "seconds": round(seconds, 1),
              "shown_comparisons": result.shown_comparisons, "small_rows": result.small_rows,
              "rows": [r.__dict__ for r in result.rows]}
    with out.open("a") as f:
        f.write(json.dumps(record) + "\n")


def _load(out: Path) -> tuple[list[WorldScore], list[int], int]:
    scores, seeds, people = [], [], 0
    for line in out.read_text().splitlines():
        record = json.loads(line)
        rows = [Scored(**r) for r in record["rows"]]
        scores.append(WorldScore(record["seed"], rows, record["shown_comparisons"], record["small_rows"]))
        seeds.append(record["seed"])
        people = record["people"]
    return scores, seeds, people


def immortal_time(seeds: list[int], people: int) -> list[str]:
    """The old design's bias, from the worlds' truth alone (no pack): services with no planted effect,
    take-up made independent of every covariate, so only timing can open a gap. From release ("within 4
    weeks vs not", outcome within 365 days of release) against the day-28 landmark."""
    import numpy as np

    from sample_db.world import WorldRates, build_world
    from sample_db.world.families import NEVER

    old, landmark = [], []
    for seed in seeds:
        world = build_world(people, seed, rates=WorldRates(service_confounding=0.0))
        o = world.outcomes
        eligible = (o.reoffence_day > 28) & (o.recall_day > 28)
        late = (o.reoffence_day >= 29) & (o.reoffence_day <= 393) & (o.reoffence_day != NEVER)
        for service in ("benefits_support", "gp_registration", "employment_support"):
            day = world.services.day[service]
            soon = (day >= 0) & (day <= 28)
            old.append(o.reoffended[soon].mean() - o.reoffended[~soon].mean())
            landmark.append(late[eligible & soon].mean() - late[eligible & ~soon].mean())
    se = lambda v: np.std(v, ddof=1) / np.sqrt(len(v))  # noqa: E731
    return [f"immortal time ({len(seeds)} worlds x 3 null services, take-up at random given covariates): "
            f"from release the gap is {np.mean(old):+.4f} (SE {se(old):.4f}); at the day-28 landmark "
            f"{np.mean(landmark):+.4f} (SE {se(landmark):.4f}); truth 0"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=1301)
    parser.add_argument("--people", type=int, default=6000)
    parser.add_argument("--out", type=Path, default=Path("truth_recovery.jsonl"))
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--keep", type=Path, help="copy each world and its links into this folder")
    parser.add_argument("--reuse", type=Path, help="score the worlds and links an earlier --keep run kept")
    parser.add_argument("--no-near-families", action="store_true",
                        help="ignore linkage's children of unknown family status (the design before them)")
    parser.add_argument("--true-links", action="store_true",
                        help="link from the world's truth (judges the packs' method alone, and is faster)")
    args = parser.parse_args()
    if not args.report_only:
        from linkage_core.bundle.keys import PrivateKey, TrustStore

        key = PrivateKey.generate("Sweep")
        trust = TrustStore([key.public])
        started = time.perf_counter()
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            t0 = time.perf_counter()
            if args.reuse is not None and not (args.reuse / str(seed) / "link").exists():
                continue
            result = _run_seed(seed, args.people, key, trust, args.true_links, args.keep, args.reuse,
                               not args.no_near_families)
            _save(args.out, result, args.people, time.perf_counter() - t0)
            covered = sum(r.covered for r in result.rows)
            print(f"seed {seed}: {covered}/{len(result.rows)} rows covered, {len(result.small_rows)} shown rows "
                  f"under 60 treated, {time.perf_counter() - t0:.0f} s", flush=True)
        print(f"{args.seeds} seeds in {time.perf_counter() - started:.0f} s")
    scores, seeds, people = _load(args.out)
    print(f"{len(seeds)} worlds of {people:,} people; seeds {', '.join(map(str, seeds))}")
    print("\n".join(report(summary(scores))))
    print("\n".join(immortal_time(seeds, people)))


if __name__ == "__main__":
    main()
