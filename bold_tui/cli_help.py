"""The words of ``bold --help`` and ``bold COMMAND --help``, kept apart from the parser so they read as text.

``apply(parser)`` adds to each sub-command a one-line description and an example, fills in help for any
option that has none, and puts the environment variables and exit codes under ``bold --help``. It never
replaces help an option already has, so a helper adding an option in ``cli.py`` keeps its own words.
"""

from __future__ import annotations

import argparse
import textwrap

TOP_EPILOG = """\
Start here:
  bold                      open the demo bundle (synthetic data; passphrase shown on screen)
  bold open FILE            open a bundle you were given
  bold COMMAND --help       what a command does, its options and an example

Environment variables:
  BOLD_PASSPHRASE   the bundle's passphrase (otherwise you are asked; never give it on the command line)
  BOLD_KEYFILE      a recipient key file to open a bundle with, instead of a passphrase
  BOLD_ASCII        1: draw with plain ASCII characters (for consoles that show ? or boxes); 0: never
  NO_COLOR          any value: no colours (meaning never rests on colour alone)
  SPARK_REMOTE      a Spark Connect address for --engine spark (secure stage only)
  BOLD_DEBUG        1: show a traceback instead of one sentence when something goes wrong

Exit codes:
  0 success   2 usage error   3 wrong passphrase or key   4 not a bundle, truncated, tampered or corrupt
  5 untrusted or unknown publisher   6 disclosure policy violation   7 unsupported format version
  1 anything else
"""

#: command -> (description, example lines)
COMMANDS: dict[str, tuple[str, list[str]]] = {
    "open": ("Open a bundle in the full-screen app. You are asked for its passphrase unless BOLD_PASSPHRASE "
             "or BOLD_KEYFILE is set.", ["bold open findings.bold", "bold open findings.bold --trust team.pub"]),
    "verify": ("Check a bundle's format, integrity and signature without opening it; with BOLD_PASSPHRASE or "
               "--keyfile, also decrypt it and check every figure against its disclosure rules.",
               ["bold verify findings.bold --trust team.pub"]),
    "keygen": ("Make a key pair: PREFIX (private: keep it secret) and PREFIX.pub (public: share it). Used to "
               "sign bundles as a publisher, or to receive bundles sealed for you.",
               ["bold keygen --out keys/team --name 'Reducing Reoffending Team'"]),
    "trust": ("Manage the publisher keys you trust. The app opens only bundles signed by a trusted key (the "
              "demo key is always known).", ["bold trust add team.pub", "bold trust list"]),
    "list": ("List the packs (questions) in a bundle and the findings under each, without the app.",
             ["bold list", "bold list findings.bold --format json"]),
    "show": ("Show one finding, or every finding, as text, Markdown or JSON: for screen readers, scripts and "
             "e-mail.", ["bold show education_work.course:maths.employment_1y",
                         "bold show --all findings.bold --format json"]),
    "check": ("Secure stage: an output checker's report on a bundle, table by table; exits non-zero on any "
              "failure.", ["BOLD_PASSPHRASE=... bold check out/w7.bold --trust keys/team.pub"]),
    "synth": ("Secure stage: write a synthetic world of made-up people, one file per agency extract, for "
              "trying the pipeline.", ["bold synth --people 3000 --seed 11 --out worlds/w11"]),
    "link": ("Secure stage: link every extract's records to the people of the cohort extract; writes a "
             "person spine without identifiers and the linkage quality.",
             ["bold link worlds/w11 --out out/w11 --quality"]),
    "build": ("Secure stage: link, run the packs, apply disclosure control, then seal a signed, encrypted "
              "bundle.", ["BOLD_PASSPHRASE='choose one' bold build worlds/w11 --out out/w11.bold "
                          "--publisher-key keys/team"]),
    "evaluate": ("Secure stage, synthetic worlds only: compare a bundle's estimates with the effects planted "
                 "in the world; the last line is coverage: K/N.",
                 ["BOLD_PASSPHRASE='choose one' bold evaluate worlds/w11 out/w11.bold --trust keys/team.pub"]),
    "lab": ("The anonymisation lab: watch each protection stop a differencing attack, on made-up people. "
            "Reads no bundle.", ["bold lab"]),
    "serve": ("Trainer mode: the app in a browser on this computer, in a larger text size for a projector. "
              "Every page asset (the font too) comes from installed packages; nothing is fetched from the "
              "internet. Needs the serve extra: pip install 'bold-insights[serve]'.",
              ["bold serve", "bold serve findings.bold --font-size 26"]),
}

#: (command, option dest) -> help, for options defined without any.
OPTIONS: dict[tuple[str, str], str] = {
    ("keygen", "out"): "where to write the key pair: PREFIX and PREFIX.pub (never over an existing key)",
    ("trust", "pubfile"): "a publisher's public key file (.pub)",
    ("list", "format"): "text (default) or json",
    ("show", "finding_id"): "the finding's id, as `bold list` shows it",
    ("show", "format"): "text (default), markdown or json",
    ("synth", "people"): "how many people leave prison in the world",
    ("synth", "seed"): "random seed: the same seed makes the same world",
    ("synth", "out"): "folder to write the world to (one file per extract)",
    ("link", "world"): "a folder of extracts, one <dataset>.parquet or .csv each",
    ("link", "out"): "folder for spine.parquet and quality.json",
    ("link", "cohort"): "the extract whose people the others are linked to (default: prison)",
    ("build", "world"): "a folder of extracts, one <dataset>.parquet or .csv each",
    ("build", "out"): "the bundle file to write (never over an existing file)",
    ("build", "publisher_key"): "your private key file, to sign the bundle (from bold keygen)",
    ("build", "recipient"): "also seal the bundle for this recipient's public key (repeatable)",
    ("build", "title"): "the bundle's title, shown in the app",
    ("evaluate", "world"): "the synthetic world the bundle was built from",
    ("serve", "port"): "port to listen on (default 8000)",
}


def apply(parser: argparse.ArgumentParser) -> None:
    """Add descriptions, examples, missing option help, and the top-level notes, to a built parser."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = TOP_EPILOG
    for action in parser._actions:  # argparse keeps sub-parsers only here
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for name, sub in action.choices.items():
            description, examples = COMMANDS.get(name, ("", []))
            if description and not sub.description:
                sub.description = textwrap.fill(description, width=78)
            if examples and not sub.epilog:
                sub.epilog = "Example" + ("s" if len(examples) > 1 else "") + ":\n" + "\n".join(
                    f"  {line}" for line in examples)
            sub.formatter_class = argparse.RawDescriptionHelpFormatter
            for option in sub._actions:
                if option.help is None and (name, option.dest) in OPTIONS:
                    option.help = OPTIONS[(name, option.dest)]
