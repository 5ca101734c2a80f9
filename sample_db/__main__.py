"""``python -m sample_db build [--out FILE]``: rebuild the demo bundle shipped with the package."""

from __future__ import annotations

import argparse
from pathlib import Path

from sample_db.demo import build_demo


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sample_db", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="rebuild the demo bundle")
    build.add_argument("--out", type=Path, default=None, help="where to write it (default: the shipped file)")
    args = parser.parse_args()
    path = build_demo(args.out)
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
