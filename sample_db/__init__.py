"""The synthetic world and the demo bundle built from it, so the app runs out of the box.

Importing this package stays light (no numpy, no pipeline libraries): the reader install needs
``DEMO_PASSPHRASE`` and the demo bundle's location, nothing more. The generator lives in
``sample_db.world`` and is imported only where it is used.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The demo bundle's passphrase. It is public on purpose: the demo holds synthetic data only.
DEMO_PASSPHRASE = "synthetic-demo"

DEMO_BUNDLE_NAME = "demo.bold"
DEMO_PUBLISHER_NAME = "BOLD Insights demo publisher"


def data_dir() -> Path:
    return Path(str(resources.files("sample_db") / "data"))


def demo_bundle_path() -> Path:
    return data_dir() / DEMO_BUNDLE_NAME


def demo_public_key_path() -> Path:
    return data_dir() / "demo_publisher.pub"


def demo_digest_path() -> Path:
    """The SHA-256 of the shipped demo file: the demo key vouches for this file and nothing else."""
    return data_dir() / (DEMO_BUNDLE_NAME + ".sha256")
