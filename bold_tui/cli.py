"""The ``bold`` command, as ``../shared/cli-contract.md`` gives it.

Start-up stays fast: heavy modules (Textual, the pipeline) are imported only by the command that needs them.
Every failure prints one plain sentence on stderr with the contract's exit code, never a traceback
(set ``BOLD_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from bold_tui import __version__

EXIT_OK = 0
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one sentence and exit code 2, and never repeats a value typed after an
    option it does not know (it may be a secret: ``--passphrase hunter2``)."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            unknown = [a.split("=", 1)[0] for a in message.split(":", 1)[1].split() if a.startswith("-")]
            message = ("unrecognized option " + ", ".join(unknown)) if unknown else "unexpected extra arguments"
        sys.stderr.write(f"bold: {message[0].upper()}{message[1:]}. See: {self.prog} --help\n")
        raise SystemExit(EXIT_USAGE)


def _count(text: str) -> int:
    """A whole number of at least 0 (``--seed``), as argparse's type, so ``-1`` is a usage error (exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not '{text[:20]}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError("expected a whole number of 0 or more")
    return value


def _force_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true",
                   help="replace an existing output (never a private key, never the command's own inputs)")


def _bundle_arg(p: argparse.ArgumentParser, optional: bool = True) -> None:
    if optional:
        p.add_argument("file", nargs="?", type=Path, help="a .bold bundle (default: the demo bundle)")
    else:
        p.add_argument("file", type=Path, help="a .bold bundle")
    p.add_argument("--trust", action="append", type=Path, default=[], metavar="PUBFILE",
                   help="trust this publisher key for this run (repeatable)")
    p.add_argument("--keyfile", type=Path, default=None,
                   help="open with a recipient key file instead of a passphrase (or set BOLD_KEYFILE)")


def _engine_args(p: argparse.ArgumentParser) -> None:
    """Where the linkage and the packs run; the model and the queries are the same on both."""
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                   help="duckdb (this computer, the default) or spark (needs the spark extra and Java 17)")
    p.add_argument("--spark-master", default=None, metavar="URL",
                   help="a Spark cluster to run on, such as spark://host:7077 (default: local, or SPARK_REMOTE)")


def _map_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--map", type=Path, default=None, metavar="FILE",
                   help="a TOML map naming each extract's columns, date layouts and codes (docs/mapping.md)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bold", description="BOLD Insights: aggregate findings about people leaving prison.")
    parser.add_argument("--version", action="version", version=f"bold {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("open", help="open a bundle in the app")
    _bundle_arg(p, optional=False)

    p = sub.add_parser("verify", help="check a bundle's format, integrity and signature")
    _bundle_arg(p, optional=False)

    p = sub.add_parser("keygen", help="make a key pair: PREFIX (private) and PREFIX.pub")
    p.add_argument("--out", type=Path, required=True, metavar="PREFIX")
    p.add_argument("--name", default=None, help="who the key belongs to (default: the file name)")
    _force_arg(p)

    p = sub.add_parser("trust", help="manage the publisher keys you trust")
    trust_sub = p.add_subparsers(dest="trust_command", parser_class=_Parser, required=True, metavar="ACTION")
    add = trust_sub.add_parser("add", help="trust a publisher's public key")
    add.add_argument("pubfile", type=Path)
    add.add_argument("--name", default=None, help="your name for this publisher, shown whenever it signs")
    trust_sub.add_parser("list", help="list trusted publisher keys")

    p = sub.add_parser("list", help="list packs and their findings")
    _bundle_arg(p)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("show", help="show a finding, or every finding, without the full-screen app")
    p.add_argument("finding_id", nargs="?", default=None)
    _bundle_arg(p)
    p.add_argument("--all", action="store_true", help="every finding")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text")

    p = sub.add_parser("check", help="output-checking report, table by table")
    _bundle_arg(p, optional=False)

    p = sub.add_parser("synth", help="write a synthetic world")
    p.add_argument("--people", type=int, required=True)
    p.add_argument("--seed", type=_count, default=1)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--profile", default="standard",
                   help="how messy the identifiers are: standard, duplicates (many records per person) or harsh")
    _force_arg(p)

    p = sub.add_parser("link", help="link a world's extracts into a person spine")
    p.add_argument("world", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--cohort", default="prison")
    p.add_argument("--quality", action="store_true", help="print the linkage quality tables")
    _map_arg(p)
    p.add_argument("--qa", type=Path, metavar="DIR",
                   help="also write Splink's QA charts and every model's settings here (they show names and "
                        "dates: secure environment only)")
    _force_arg(p)
    _engine_args(p)

    p = sub.add_parser("build", help="world -> link -> packs -> disclosure control -> signed bundle")
    p.add_argument("world", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--publisher-key", type=Path, required=True)
    p.add_argument("--recipient", action="append", type=Path, default=[], metavar="PUBFILE")
    p.add_argument("--title", default=None)
    p.add_argument("--links", type=Path, default=None, metavar="DIR",
                   help="use the spine `bold link` already wrote to DIR instead of linking again")
    _map_arg(p)
    p.add_argument("--outputs", type=Path, default=None, metavar="DIR",
                   help="also write an ACRO-style outputs folder (true counts) for an output checker")
    _force_arg(p)
    _engine_args(p)

    p = sub.add_parser("evaluate", help="compare a bundle's estimates with a world's planted effects")
    p.add_argument("world", type=Path)
    _map_arg(p)
    _bundle_arg(p, optional=False)
    p.add_argument("--format", choices=("text", "json"), default="text")

    sub.add_parser("lab", help="the anonymisation lab (synthetic data only)")

    p = sub.add_parser("serve", help="run the app in a browser on this computer only (for training rooms)")
    _bundle_arg(p)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="localhost",
                   help="address to listen on (default localhost: only this computer can connect)")
    p.add_argument("--font-size", type=int, default=22, metavar="PX",
                   help="text size on the page, for a projector (default 22; the browser's usual is 16)")

    from bold_tui import cli_help

    cli_help.apply(parser)
    return parser


def main(argv: list[str] | None = None) -> None:
    from bold_tui import terminal

    terminal.hold_echo()  # first: a passphrase typed while Python loads is never shown
    try:
        _main(argv)
    finally:
        terminal.release_echo()


def _main(argv: list[str] | None) -> None:
    given = sys.argv[1:] if argv is None else argv
    if any(a == "--passphrase" or a.startswith("--passphrase=") for a in given):
        sys.stderr.write("bold: A passphrase is never given on the command line (others can see it there); "
                         "set BOLD_PASSPHRASE or type it when asked.\n")
        raise SystemExit(EXIT_USAGE)
    parser = build_parser()
    args = parser.parse_args(argv)
    from linkage_core.errors import BoldError

    try:
        code = _dispatch(args)
    except BoldError as error:
        sys.stderr.write(f"bold: {error}\n")
        code = error.exit_code
    except KeyboardInterrupt:
        # A pipeline stop (memory, SIGTERM) that surfaced as a bare interrupt still gets its own sentence.
        memory = sys.modules.get("linkage_core.memory")
        stop = memory.pending_stop() if memory is not None else None
        sys.stderr.write(f"bold: {stop}\n" if stop else "bold: Stopped.\n")
        code = stop.exit_code if stop else 130
    except Exception as error:  # noqa: BLE001 - the contract: one sentence, never a traceback
        if os.environ.get("BOLD_DEBUG"):
            raise
        sys.stderr.write(f"bold: Something went wrong ({type(error).__name__}: {error}).\n")
        code = 1
    raise SystemExit(code)


#: Commands of the secure stage: they need the ``pipeline`` extra and never run in the app.
PIPELINE_COMMANDS = frozenset({"check", "synth", "link", "build", "evaluate"})
_OUR_PACKAGES = frozenset({"bold_tui", "linkage_core", "insight_packs", "sample_db"})


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "demo"
    if command not in PIPELINE_COMMANDS:
        from bold_tui import reader_commands

        return getattr(reader_commands, f"cmd_{command}")(args) or EXIT_OK
    from bold_tui import pipeline_commands
    from linkage_core.errors import MissingExtra

    try:
        return getattr(pipeline_commands, f"cmd_{command}")(args) or EXIT_OK
    except ImportError as error:
        missing = (error.name or "").split(".")[0]
        if not missing or missing in _OUR_PACKAGES:
            raise
        raise MissingExtra(
            f"This command needs the pipeline tools ({missing} is missing). "
            "Install them with: pip install 'bold-insights[pipeline]'") from None


if __name__ == "__main__":
    main()
