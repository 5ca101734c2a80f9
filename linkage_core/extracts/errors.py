"""The two ways extracts are refused: bad data (exit 1) and a bad map or arguments (exit 2)."""

from __future__ import annotations

from linkage_core.errors import BoldError, UsageError


class ExtractError(BoldError):
    """An extract cannot be used as it stands: the sentence says which file, what is wrong and what to do."""

    exit_code = 1
    default_message = "An extract could not be read."


class MapError(UsageError):
    """The map file cannot be used: it does not parse, or names a file, column or setting that is not there."""

    default_message = "The map file could not be used."
