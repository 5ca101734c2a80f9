"""The reader's commands: the app, bundles, keys and trust. All a reader install (no pipeline extra) needs.

Each returns an exit code; failures raise ``BoldError``. Heavy modules are imported inside the command that
needs them, for start-up time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from linkage_core.bundle.files import inspect
from linkage_core.errors import DisclosureViolation, MissingExtra, UsageError

from bold_tui import secrets
from bold_tui.command_io import open_bundle, opened, out


# -- the app ------------------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    return _run_app(secrets.bundle_path(None), [], None)


def cmd_open(args: argparse.Namespace) -> int:
    return _run_app(args.file, args.trust, args.keyfile)


def _run_app(path: Path, trust_files: list[Path], key_path: Path | None) -> int:
    trust = secrets.trust_store(trust_files)
    _, publisher = inspect(path, trust)  # refuse a bad file before the screen opens
    from bold_tui.app import BoldApp

    # Handed straight to the app (no local name keeps it alive here while the app runs).
    app = BoldApp(path, trust, demo=publisher.demo, secret=secrets.secret_from_environment(key_path))
    app.run()
    if app.bold_error is not None:
        raise app.bold_error
    return app.return_code or 0


def cmd_lab(args: argparse.Namespace) -> int:
    from bold_tui.app import BoldApp

    app = BoldApp(None, secrets.trust_store(), lab_only=True)
    app.run()
    return app.return_code or 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Trainer mode: the app in a browser on this computer; every page asset comes from installed packages."""
    file = getattr(args, "file", None)
    if file is not None:
        inspect(file, secrets.trust_store(args.trust))  # refuse a bad file before serving it to a room
    from bold_tui.serve import make_server

    try:
        server = make_server(file, trust=args.trust, keyfile=args.keyfile, host=args.host, port=args.port,
                             font_size=args.font_size)
    except ImportError:
        raise MissingExtra("Trainer mode needs the serve extra: pip install 'bold-insights[serve]' "
                           "(from a clone: pip install '.[serve]').") from None
    out(f"Trainer mode: open http://{args.host}:{args.port} in a browser on this computer. Ctrl+C stops it.\n")
    server.serve()
    return 0



# -- bundles ------------------------------------------------------------------------------------------------
def cmd_verify(args: argparse.Namespace) -> int:
    trust = secrets.trust_store(args.trust)
    envelope, publisher = inspect(args.file, trust)
    out(f"Format and signature: good. Signed by {publisher.label} (key {publisher.key_id}).\n")
    secret = secrets.secret_from_environment(args.keyfile)
    if secret is None:
        out("Not decrypted: set BOLD_PASSPHRASE or give --keyfile to check its contents too.\n")
        return 0
    with open_bundle(args.file, secret, trust) as bundle:
        problems = bundle.audit()  # against the bundle's rules raised to the reader's own minimum
        if problems:
            raise DisclosureViolation(
                f"This bundle holds {len(problems)} figures that break the disclosure rules (its own, or this "
                f"reader's minimum: threshold {bundle.policy.threshold}) (first: {problems[0]}).")
        out(f"Contents: schema version {bundle.manifest.schema_version}, {bundle.count('findings')} findings, "
             f"{bundle.count('estimates')} figures, all within the disclosure rules (threshold "
             f"{bundle.policy.threshold}, counts rounded to {bundle.policy.rounding_base}"
             f"{' or adjusted by the cell key method' if bundle.policy.cell_key_perturbation else ''}).\n")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from linkage_core.bundle.keys import write_keypair

    if not str(args.out).strip() or not args.out.name:
        raise UsageError("--out needs a file name for the key, such as --out keys/publisher.")
    private, public = write_keypair(args.out, args.name or args.out.name, force=args.force)
    out(f"Wrote {private} (private: keep it secret) and {public} (public: share it).\n")
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    from linkage_core.bundle.keys import add_to_folder, load_public_key

    from bold_tui.locations import trust_dir

    if args.trust_command == "add":
        name = (args.name or "").strip() or f"key from {args.pubfile.name}"
        key = load_public_key(args.pubfile, name)
        if secrets.trust_store(warn=False).is_demo_key(key):
            raise UsageError("That is the demo key: it is already known, for the shipped demo bundle only, "
                             "and cannot be trusted for anything else.")
        target = add_to_folder(trust_dir(), key, name)
        out(f"Now trusting key {key.key_id} as '{name}', saved in {target}.\n")
        return 0
    for key in secrets.trust_store():
        scope = "  (only for the shipped demo bundle)" if key.demo else ""
        out(f"{key.key_id}  {key.label}{scope}\n")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from bold_tui import render

    with opened(args.file, args.trust, args.keyfile) as bundle:
        out(render.dumps(render.list_json(bundle)) if args.format == "json" else render.list_text(bundle))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    if args.all and args.finding_id is not None:
        # With --all there is no finding id: the one positional argument, wherever it came, is the bundle.
        if args.file is not None:
            raise UsageError("With --all, give only the bundle FILE (no finding id).")
        args.file, args.finding_id = Path(args.finding_id), None
    if not args.all and not args.finding_id:
        raise UsageError("Name a finding to show (see: bold list), or use --all.")
    from bold_tui import render

    with opened(args.file, args.trust, args.keyfile) as bundle:
        if args.all:
            findings = bundle.findings()
        else:
            try:
                findings = [bundle.finding(args.finding_id)]
            except KeyError:
                raise UsageError(f"There is no finding called '{args.finding_id}'. See: bold list") from None
        if args.format == "json":
            docs = [render.finding_json(bundle, f) for f in findings]
            out(render.dumps({"findings": docs} if args.all else docs[0]))
        else:
            out("\n".join(render.finding_text(bundle, f, markdown=args.format == "markdown") for f in findings))
    return 0
