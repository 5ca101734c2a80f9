"""Per-user paths (XDG base directories), created on first use: nothing here needs admin rights."""

from __future__ import annotations

import os
from pathlib import Path


def _base(env: str, fallback: str) -> Path:
    value = os.environ.get(env)
    return Path(value) if value else Path.home() / fallback


def config_dir() -> Path:
    override = os.environ.get("BOLD_CONFIG_DIR")
    if override:
        return Path(override)
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "bold"
    return _base("XDG_CONFIG_HOME", ".config") / "bold"


def trust_dir() -> Path:
    return config_dir() / "trusted"


def settings_file() -> Path:
    return config_dir() / "settings.json"
