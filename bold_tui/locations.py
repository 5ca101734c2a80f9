"""Every per-user path the app uses, in one place, from ``platformdirs``: nothing here needs admin rights.

``platformdirs`` asks the operating system where a person's folders really are, so a Windows Documents
folder redirected to OneDrive, an XDG ``user-dirs.dirs`` entry or macOS's Application Support are all
found, where hand-written paths missed them. Nothing is created here; a caller creates a folder only when
it writes into it.

Earlier releases kept settings and trusted keys in ``$XDG_CONFIG_HOME/bold`` (or ``~/.config/bold``) on
every system but Windows. On Linux that is still the place; on macOS the new place is Application Support,
so an older folder that already holds settings or keys keeps being used rather than silently forgotten.
``BOLD_CONFIG_DIR`` overrides all of this (tests and portable installs use it).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "bold"


def _platform_config_dir() -> Path:
    # appauthor=False: "%APPDATA%\bold", not "%APPDATA%\bold\bold"; roaming=True: the folder earlier
    # releases used on Windows, and one that follows a person between machines on a managed network.
    return platformdirs.user_config_path(APP, appauthor=False, roaming=True)


def legacy_config_dir() -> Path:
    """Where releases before platformdirs kept settings and keys (the same as today on Linux and Windows)."""
    if os.name == "nt":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / APP
    base = os.environ.get("XDG_CONFIG_HOME")
    return (Path(base) if base else Path.home() / ".config") / APP


def _holds_something(folder: Path) -> bool:
    return (folder / "settings.json").is_file() or (folder / "trusted").is_dir()


def config_dir() -> Path:
    """Settings and the trust store: ``BOLD_CONFIG_DIR``, else the platform's folder, else an older one in use."""
    override = os.environ.get("BOLD_CONFIG_DIR")
    if override:
        return Path(override)
    current = _platform_config_dir()
    legacy = legacy_config_dir()
    if current != legacy and not _holds_something(current) and _holds_something(legacy):
        return legacy
    return current


def trust_dir() -> Path:
    """The publisher keys a person has chosen to trust, one file a key."""
    return config_dir() / "trusted"


def settings_file() -> Path:
    return config_dir() / "settings.json"


def export_dir() -> Path:
    """Where an export is offered first: the person's Documents folder (as the system names it), else here."""
    override = os.environ.get("BOLD_EXPORT_DIR")
    if override:
        return Path(override)
    try:
        documents = platformdirs.user_documents_path()
    except Exception:  # noqa: BLE001 - a broken shell-folder registry entry must not stop an export
        documents = None
    return documents if documents is not None and documents.is_dir() else Path.cwd()

