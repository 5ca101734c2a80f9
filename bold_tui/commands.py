"""What each ``bold`` command does. Each returns an exit code; failures raise ``BoldError``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from typing import TYPE_CHECKING

from linkage_core.bundle.files import inspect
from linkage_core.errors import BoldError, DisclosureViolation, MissingExtra, UsageError

from bold_tui import secrets

if TYPE_CHECKING:
    from linkage_core.bundle.reader import Bundle


def open_bundle(*args, **kwargs) -> Bundle:
    """The reader, imported on first use: the app's first screen does not need the schema models."""
    from linkage_core.bundle.reader import open_bundle as reader_open

    return reader_open(*args, **kwargs)


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# -- the app ------------------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    return _run_app(secrets.bundle_path(None), [], None)


def cmd_open(args: argparse.Namespace) -> int:
    return _run_app(args.file, args.trust, args.keyfile)


def _run_app(path: Path, trust_files: list[Path], key_path: Path | None) -> int:
    trust = secrets.trust_store(trust_files)
    envelope, _ = inspect(path, trust)  # refuse a bad file before the screen opens
    from bold_tui.app import BoldApp

    app = BoldApp(path, trust, demo=secrets.is_demo(envelope, trust),
                  secret=secrets.secret_from_environment(key_path))
    app.run()
    return app.return_code or 0


def cmd_lab(args: argparse.Namespace) -> int:
    from bold_tui.app import BoldApp

    app = BoldApp(None, secrets.trust_store(), lab_only=True)
    app.run()
    return app.return_code or 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise MissingExtra("Trainer mode needs textual-serve: pip install 'bold-insights[serve]'") from None
    Server("bold", host="localhost", port=args.port, title="BOLD Insights").serve()
    return 0


# -- bundles ------------------------------------------------------------------------------------------------
@contextmanager
def _opened(file: Path | None, trust_files: list[Path], key_path: Path | None) -> Iterator[Bundle]:
    path = secrets.bundle_path(file)
    trust = secrets.trust_store(trust_files)
    envelope, _ = inspect(path, trust)
    secret = secrets.secret_for(envelope, trust, key_path, demo_default=True)
    bundle = open_bundle(path, secret, trust)
    try:
        yield bundle
    finally:
        bundle.close()


def cmd_verify(args: argparse.Namespace) -> int:
    trust = secrets.trust_store(args.trust)
    envelope, publisher = inspect(args.file, trust)
    _out(f"Format and signature: good. Signed by {publisher.label} (key {publisher.key_id}).\n")
    secret = secrets.secret_from_environment(args.keyfile)
    if secret is None:
        _out("Not decrypted: set BOLD_PASSPHRASE or give --keyfile to check its contents too.\n")
        return 0
    with open_bundle(args.file, secret, trust) as bundle:
        problems = bundle.audit()
        if problems:
            raise DisclosureViolation(
                f"This bundle holds {len(problems)} figures that break its disclosure rules "
                f"(first: {problems[0]}).")
        _out(f"Contents: schema version {bundle.manifest.schema_version}, {bundle.count('findings')} findings, "
             f"{bundle.count('estimates')} figures, all within the disclosure rules.\n")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from linkage_core.bundle.keys import write_keypair

    private, public = write_keypair(args.out, args.name or args.out.name)
    _out(f"Wrote {private} (private: keep it secret) and {public} (public: share it).\n")
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from linkage_core.bundle.keys import add_to_folder, load_public_key

    from bold_tui.locations import trust_dir

    if args.trust_command == "add":
        key = load_public_key(args.pubfile)
        target = add_to_folder(trust_dir(), key)
        _out(f"Now trusting {key.label} (key {key.key_id}), saved in {target}.\n")
        return 0
    for key in secrets.trust_store():
        _out(f"{key.key_id}  {key.label}\n")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from bold_tui import render

    with _opened(args.file, args.trust, args.keyfile) as bundle:
        _out(render.dumps(render.list_json(bundle)) if args.format == "json" else render.list_text(bundle))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    if not args.all and not args.finding_id:
        raise UsageError("Name a finding to show (see: bold list), or use --all.")
    from bold_tui import render

    with _opened(args.file, args.trust, args.keyfile) as bundle:
        if args.all:
            findings = bundle.findings()
        else:
            try:
                findings = [bundle.finding(args.finding_id)]
            except KeyError:
                raise UsageError(f"There is no finding called '{args.finding_id}'. See: bold list") from None
        if args.format == "json":
            docs = [render.finding_json(bundle, f) for f in findings]
            _out(render.dumps({"findings": docs} if args.all else docs[0]))
        else:
            _out("\n".join(render.finding_text(bundle, f, markdown=args.format == "markdown") for f in findings))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    check = _pipeline(lambda: __import__("linkage_core.disclosure.check", fromlist=["check_bundle"]))
    with _opened(args.file, args.trust, args.keyfile) as bundle:
        report = check.check_bundle(bundle)
        _out("\n".join(check.render_report(report)) + "\n")
        return 0 if report.passed else DisclosureViolation.exit_code


# -- the secure-stage pipeline ------------------------------------------------------------------------------
def _pipeline(load: Callable):
    try:
        return load()
    except ImportError as error:
        missing = getattr(error, "name", None) or "a pipeline library"
        raise MissingExtra(
            f"This command needs the pipeline tools ({missing} is missing). "
            "Install them with: pip install 'bold-insights[pipeline]'") from None


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
    world = _pipeline(lambda: __import__("sample_db.world", fromlist=["synthesise"]))
    with _within_memory(people=args.people), _progress() as progress:
        out = world.synthesise(args.people, args.seed, args.out, progress=progress)
    _out(f"Wrote a synthetic world of {args.people:,} people to {out}.\n")
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
        spark = _pipeline(lambda: __import__("linkage_core.spark_session", fromlist=["require_spark"]))
        spark.require_spark()


def cmd_link(args: argparse.Namespace) -> int:
    linkage = _pipeline(lambda: __import__("linkage_core.linkage", fromlist=["link_world"]))
    _require_world(args.world)
    _engine_ready(args)
    with _within_memory("linking", world=args.world, engine=args.engine), _progress() as progress:
        result = linkage.link_world(args.world, args.out, cohort=args.cohort, progress=progress,
                                    engine=args.engine, spark_master=args.spark_master)
    _out(f"Wrote {args.out / 'spine.parquet'} and {args.out / 'quality.json'}.\n")
    if args.quality:
        linkage.print_quality(result.quality)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    build = _pipeline(lambda: __import__("insight_packs.build", fromlist=["build_bundle"]))
    _require_world(args.world)
    from linkage_core.bundle.keys import load_private_key, load_public_key

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
    with _within_memory("building a bundle from", world=args.world, engine=args.engine), \
            _progress() as progress:
        path = build.build_bundle(args.world, args.out, signer=signer, passphrases=[passphrase] if passphrase else [],
                                  recipients=recipients, title=args.title, progress=progress,
                                  engine_kind=args.engine, spark_master=args.spark_master, link_dir=args.links)
    _out(f"Wrote {path}.\n")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    evaluate = _pipeline(lambda: __import__("insight_packs.evaluate", fromlist=["evaluate"]))
    _require_world(args.world)
    with _opened(args.file, args.trust, args.keyfile) as bundle:
        lines = evaluate.evaluate(args.world, bundle)
    _out("\n".join(lines) + "\n")
    return 0


def _require_world(world: Path) -> None:
    if not world.is_dir():
        raise UsageError(f"{world} is not a folder of extracts.")
    if not any(world.glob("*.parquet")) and not any(world.glob("*.csv")):
        raise UsageError(f"{world} holds no .parquet or .csv extracts.")


__all__ = ["BoldError"]
