"""The secure stage's commands: synthesise, link, build, evaluate, and check a bundle's disclosure control.

They need the ``pipeline`` extra. Its modules are imported inside each command (ordinary imports, for
start-up time); ``cli`` turns a missing library into one sentence naming the extra.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from linkage_core.errors import DisclosureViolation, UsageError

from bold_tui import secrets
from bold_tui.command_io import opened, out


def cmd_check(args: argparse.Namespace) -> int:
    from linkage_core.disclosure import check

    with opened(args.file, args.trust, args.keyfile) as bundle:
        report = check.check_bundle(bundle)
        out("\n".join(check.render_report(report)) + "\n")
        return 0 if report.passed else DisclosureViolation.exit_code


# -- the secure-stage pipeline ------------------------------------------------------------------------------
@contextmanager
def _progress() -> Iterator[Callable[[str, float], None]]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description:<34}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), transient=False, disable=not sys.stderr.isatty()) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, fraction: float) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=1.0)
            bar.update(tasks[stage], completed=max(0.0, min(1.0, fraction)))

        yield update


def cmd_synth(args: argparse.Namespace) -> int:
    if args.people < 1:
        raise UsageError("--people must be at least 1.")
    from linkage_core.safe_output import new_folder
    from sample_db import world
    from sample_db.world.profile import PROFILES

    if args.profile not in PROFILES:
        raise UsageError(f"There is no world profile called {args.profile}; choose one of {', '.join(PROFILES)}.")
    with new_folder(args.out, force=getattr(args, "force", False)) as folder, \
            _within_memory(people=args.people), _progress() as progress:
        world.synthesise(args.people, args.seed, folder, profile=PROFILES[args.profile], progress=progress)
    written = args.out
    out(f"Wrote a synthetic world of {args.people:,} people to {written}.\n")
    return 0


@contextmanager
def _within_memory(what: str = "", *, world: Path | None = None, people: int | None = None,
                   engine: str = "duckdb") -> Iterator[None]:
    """Refuse a run that cannot fit, stop one that is about to run out, and say the peak when done.

    ``what`` begins the refusal for a world ("linking", then the record count); ``people`` checks a world
    about to be made instead.

    A national extract can outgrow the machine; this turns the kernel's silent kill into one sentence
    (``linkage_core.memory``).
    """
    from linkage_core import memory

    machine = memory.machine_memory()
    if engine == "duckdb" and world is not None:
        memory.preflight(world, what, machine)
    if people is not None:
        memory.preflight_synth(people, machine)
    with memory.guard(machine, instead=memory.SYNTH_INSTEAD if people is not None else memory.INSTEAD):
        yield
    peak = memory.peak_rss()
    if peak:
        sys.stderr.write(f"Peak memory {peak / memory.GiB:.1f} GiB; this machine had {machine.describe()} "
                         "at the start.\n")


def _engine_ready(args: argparse.Namespace) -> None:
    """Refuse an impossible engine choice before any work starts, in one sentence."""
    if args.spark_master and args.engine != "spark":
        raise UsageError("--spark-master only applies with --engine spark.")
    if args.engine == "spark":
        from linkage_core import spark_session as spark

        spark.require_spark()


def cmd_link(args: argparse.Namespace) -> int:
    from linkage_core import extracts, linkage
    from linkage_core.safe_output import new_folder, require_empty_folder

    _require_world(args.world)
    _engine_ready(args)
    if args.qa is not None:
        require_empty_folder(args.qa, "--qa")
    with new_folder(args.out, inputs=[args.world], force=getattr(args, "force", False)) as folder, \
            _within_memory("linking", world=args.world, engine=args.engine), \
            extracts.staged(args.world, args.map, cohort=args.cohort, say=out_line) as staged, _progress() as progress:
        result = linkage.link_world(staged.world, folder, cohort=args.cohort, progress=progress,
                                    engine=args.engine, spark_master=args.spark_master, qa_dir=args.qa)
        staged.record_quality(result.quality_path)
    out(f"Wrote {args.out / 'spine.parquet'} and {args.out / 'quality.json'}.\n")
    if args.qa is not None:
        out(f"Wrote QA charts to {args.qa}: they show names and dates, so they stay in the secure environment.\n")
    if args.quality:
        linkage.print_quality(result.quality)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from insight_packs import build
    from linkage_core import extracts
    from linkage_core.bundle.keys import load_private_key, load_public_key
    from linkage_core.safe_output import check_target, new_file, require_empty_folder

    _require_world(args.world)

    inputs = [args.world, args.links, args.publisher_key, *args.recipient]
    check_target(args.out, inputs=inputs, force=getattr(args, "force", False))  # before any slow work
    signer = load_private_key(args.publisher_key)
    recipients = [load_public_key(p) for p in args.recipient]
    passphrase = secrets.secret_from_environment(None)
    if not isinstance(passphrase, str):
        passphrase = None
    if passphrase is None and not recipients:
        raise UsageError("Give BOLD_PASSPHRASE or at least one --recipient, so someone can open the bundle.")
    _engine_ready(args)
    if args.links is not None and not (args.links / "spine.parquet").is_file():
        raise UsageError(f"{args.links} holds no spine.parquet: run bold link with --out {args.links} first.")
    if args.outputs is not None:
        require_empty_folder(args.outputs, "--outputs")
    with new_file(args.out, inputs=inputs, force=getattr(args, "force", False)) as temp, \
            _within_memory("building a bundle from", world=args.world, engine=args.engine), \
            extracts.staged(args.world, args.map, links=args.links, say=out_line) as staged, _progress() as progress:
        build.build_bundle(staged.world, temp, signer=signer, passphrases=[passphrase] if passphrase else [],
                           recipients=recipients, title=args.title, progress=progress,
                           engine_kind=args.engine, spark_master=args.spark_master, link_dir=staged.links,
                           notes=staged.notes, outputs=args.outputs)
    path = args.out
    out(f"Wrote {path}.\n")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from insight_packs import evaluate
    from linkage_core import extracts

    _require_world(args.world)
    extracts.check_map(args.world, args.map)  # evaluate reads only _truth/; a wrong map is still refused
    with opened(args.file, args.trust, args.keyfile) as bundle:
        if getattr(args, "format", "text") == "json":
            import json

            out(json.dumps(evaluate.as_json(evaluate.score(args.world, bundle)), indent=2) + "\n")
            return 0
        lines = evaluate.evaluate(args.world, bundle)
    out("\n".join(lines) + "\n")
    return 0


def out_line(line: str) -> None:
    """The extract checks' report: what was read and what may weaken linkage. It is the command's output, not a
    failure, so it goes to stdout; a refusal stays one sentence on stderr."""
    out(line + "\n")


def _require_world(world: Path) -> None:
    if not world.is_dir():
        raise UsageError(f"{world} is not a folder of extracts.")
    if not any(world.glob("*.parquet")) and not any(world.glob("*.csv")):
        raise UsageError(f"{world} holds no .parquet or .csv extracts.")
