"""Real extracts: the map file, validation before any work, and the one reading of an extract that linkage
and the packs share (``read.prepare_world``); spines linked outside BOLD (``links``)."""

from linkage_core.extracts.errors import ExtractError, MapError
from linkage_core.extracts.mapping import WorldMap, load_map
from linkage_core.extracts.read import PreparedWorld, prepare_world

__all__ = ["ExtractError", "MapError", "PreparedWorld", "WorldMap", "load_map", "prepare_world"]

from linkage_core.extracts.stage import Staged, staged  # noqa: E402

__all__ += ["Staged", "staged"]


def check_map(world, map_file) -> None:
    """Refuse a map that does not parse or names extracts the world does not hold (``bold evaluate``)."""
    from pathlib import Path

    from linkage_core.extracts.files import find_extracts

    if map_file is not None:
        find_extracts(Path(world), load_map(map_file))


__all__ += ["check_map"]
