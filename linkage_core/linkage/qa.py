"""QA an analyst can read, in the secure stage: Splink's own charts and every model's settings.

``bold link --qa DIR`` asks for them. For each model the folder gets its settings (the trained model as
Splink's JSON, reloadable with ``Linker(..., settings=path)``), the match weights and m/u charts, the
unlinkable records chart, the match weight histogram, a waterfall of sample pairs and a cluster view of a
sample of clusters (all as offline HTML: the chart library is inlined, nothing is fetched). The waterfall
and cluster view show the records themselves, names and dates of birth included, so the folder's README
says they must stay in the secure environment. Nothing written here is read by ``bold build``: the bundle
is made from the spine and the findings alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

README = """QA charts from `bold link` (Splink's own)
==========================================

THESE FILES SHOW PEOPLE'S NAMES, DATES OF BIRTH AND POSTCODES. They exist so that an analyst can check
why records were joined. They must never leave the secure environment: do not copy, email, print or
publish them, and do not put them in an outputs folder for output checking. Nothing here goes into a
bundle; delete the folder when the QA is done.

One folder per model (each extract linked to the cohort, duplicates inside the cohort, records outside the
cohort linked to each other):

- `settings.json`: the trained model (Splink settings with m and u values), reloadable in Splink.
- `blocking.json`: the blocking rules chosen for this model and the comparisons each made per record.
- `threshold.json`: the threshold chosen and why, with the estimated precision and recall at each one tried.
- `match_weights.html`: how much each level of each comparison moves the odds of a match.
- `m_u_parameters.html`: the m and u probabilities behind those weights.
- `unlinkables.html`: records that could not reach a link even when compared with themselves.
- `match_weight_histogram.html`: how the scored pairs spread between sure non-matches and sure matches.
- `waterfall.html`: sample pairs, comparison by comparison (shows names and dates).
- `clusters.html`: a sample of clusters and the links inside them (shows names and dates).
"""

#: Pairs drawn for the waterfall, clusters for the cluster view: enough to see, few enough to read.
WATERFALL_PAIRS = 12
CLUSTER_SAMPLE = 12


def start(qa_dir: Path) -> Path:
    """Create the folder with its README; refuses a folder that already holds files (nothing is replaced).

    The refusal is ``safe_output.require_empty_folder``'s, the one check and sentence every such option uses
    (a ``UsageError``, so the contract's exit code 2)."""
    from linkage_core.safe_output import require_empty_folder

    qa_dir = Path(qa_dir)
    require_empty_folder(qa_dir, "--qa")
    qa_dir.mkdir(parents=True, exist_ok=True)
    (qa_dir / "README.md").write_text(README, encoding="utf-8")
    return qa_dir


def _slug(name: str) -> str:
    return re.sub("[^a-z0-9]+", "_", name.lower()).strip("_") or "model"


def _save(chart: Any, path: Path) -> None:
    path.write_text(chart.to_html(inline=True), encoding="utf-8")


def write_model(qa_dir: Path, name: str, linker: Any, inputs: Any, preds: Any, account: dict[str, Any]) -> None:
    """Everything for one trained model. A chart Splink cannot draw on this data is noted, not fatal."""
    from splink import Linker

    folder = Path(qa_dir) / _slug(name)
    folder.mkdir(parents=True, exist_ok=True)
    notes: dict[str, str] = {}
    model = linker.misc.save_model_to_json(str(folder / "settings.json"), overwrite=True)
    (folder / "blocking.json").write_text(json.dumps(account.get("blocking", {}), indent=2))
    (folder / "threshold.json").write_text(json.dumps(
        {"chosen": account.get("threshold"), "tried": account.get("thresholds_tried")}, indent=2))
    charts = {
        "match_weights.html": lambda: linker.visualisations.match_weights_chart(),
        "m_u_parameters.html": lambda: linker.visualisations.m_u_parameters_chart(),
        "unlinkables.html": lambda: linker.evaluation.unlinkables_chart(name_of_data_in_title=name),
        "match_weight_histogram.html": lambda: linker.visualisations.match_weights_histogram(preds),
    }
    for file, draw in charts.items():
        try:
            _save(draw(), folder / file)
        except Exception as error:  # noqa: BLE001 - one chart failing must not lose the others
            notes[file] = f"not drawn: {error}"
    # The waterfall and cluster view need each pair's values and levels: a second copy of the trained model
    # that keeps them, scoring the same pairs again at an even chance or better.
    try:
        shown = dict(model)
        shown["retain_matching_columns"] = True
        shown["retain_intermediate_calculation_columns"] = True
        viewer = Linker(inputs, shown, log_level=None)
        kept = viewer.inference.predict(threshold_match_probability=0.5, warning_mode="never")
        records = kept.as_record_list(limit=WATERFALL_PAIRS) if hasattr(kept, "as_record_list") else \
            kept.as_pandas_dataframe(limit=WATERFALL_PAIRS).to_dict("records")
        if records:
            _save(viewer.visualisations.waterfall_chart(records), folder / "waterfall.html")
            clusters = viewer.clustering.cluster_pairwise_predictions_at_threshold(kept, 0.5)
            viewer.visualisations.cluster_studio_dashboard(kept, clusters, str(folder / "clusters.html"),
                                                          sample_size=CLUSTER_SAMPLE, overwrite=True)
        else:
            notes["waterfall.html"] = notes["clusters.html"] = "no pair reached an even chance of a match"
    except Exception as error:  # noqa: BLE001
        notes["waterfall.html / clusters.html"] = f"not drawn: {error}"
    if notes:
        (folder / "not_drawn.json").write_text(json.dumps(notes, indent=2))
