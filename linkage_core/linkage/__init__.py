"""The linkage stage: agency extracts in, a spine of anonymous person keys out.

``link_world`` standardises identifiers, links each extract to the cohort with Splink, finds duplicates,
links people outside the cohort to each other, and writes ``spine.parquet``, ``families.parquet`` and
``quality.json``. Identifiers stay inside this stage: nothing it writes holds a name, a date of birth
or a postcode.
"""

from __future__ import annotations

from linkage_core.linkage.link import LinkageInputError, LinkResult, link_world
from linkage_core.linkage.quality import evaluate_against_truth, print_quality, quality_rows

__all__ = [
    "LinkResult",
    "LinkageInputError",
    "evaluate_against_truth",
    "link_world",
    "print_quality",
    "quality_rows",
]
