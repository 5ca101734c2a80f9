"""``python -m sample_db``: the demo is now built in the secure stage, which this package does not import."""

from __future__ import annotations

import sys


def main() -> None:
    sys.stderr.write("The demo bundle is built by: python -m insight_packs.demo_build [--out FILE]\n")
    raise SystemExit(2)


if __name__ == "__main__":
    main()
