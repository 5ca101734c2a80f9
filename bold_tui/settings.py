"""The few choices a person makes in the app, kept between runs in a small JSON file.

Only preferences live here (idle lock, contrast): never a passphrase, a figure or a bundle path, so the file
says nothing about what was read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from bold_tui.locations import settings_file

#: Lock after this many minutes without a key press, so a laptop left open does not show figures.
DEFAULT_IDLE_LOCK_MINUTES = 10.0


@dataclass
class Settings:
    idle_lock_minutes: float = DEFAULT_IDLE_LOCK_MINUTES
    high_contrast: bool = False

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read the file, keeping defaults for anything missing or unreadable: a bad file never stops the app."""
        path = path or settings_file()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict):
            return cls()
        settings = cls()
        for field in fields(cls):
            value = raw.get(field.name)
            if field.name == "idle_lock_minutes" and isinstance(value, (int, float)) and not isinstance(value, bool):
                settings.idle_lock_minutes = max(0.0, float(value))
            elif field.name == "high_contrast" and isinstance(value, bool):
                settings.high_contrast = value
        return settings

    def save(self, path: Path | None = None) -> bool:
        """Write the file; a read-only home folder only means the choice is not remembered."""
        path = path or settings_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        except OSError:
            return False
        return True
