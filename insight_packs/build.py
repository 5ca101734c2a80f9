"""``bold build``: world → link → packs → disclosure control → signed, encrypted bundle.

Each stage hands the next only what it needs: linkage hands over a spine of anonymous keys, the packs
hand over drafts with true counts, and only published figures reach the writer (which checks them again).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path

from insight_packs import language as L
from insight_packs.cohort import Sources, load
from insight_packs.engine import open_engine
from insight_packs.publish import FALSE_DISCOVERY_RATE, publish_bundle
from insight_packs.registry import all_packs
from linkage_core import __version__
from linkage_core.bundle.envelope import KdfParams
from linkage_core.bundle.keys import PrivateKey, PublicKey
from linkage_core.bundle.writer import write_bundle
from linkage_core.datasets import description, organisation
from linkage_core.disclosure.apply import round_to_base
from linkage_core.glossary import glossary
from linkage_core.schema import BundleContent, DatasetProvenance, DisclosurePolicy, Manifest, NotComputed, Period

Progress = Callable[[str, float], None]

#: BOLD's publishing policy: the defaults (10 people, base 5, secondary suppression, dominance), with counts
#: rounded up or down by the cell key method so that bundles from data differing by one person give
#: nothing away (``linkage_core.disclosure.apply``).
PUBLISHING_POLICY = DisclosurePolicy(cell_key_perturbation=True)


def _quiet(_stage: str, _fraction: float) -> None:
    return None


def build_content(world: Path, link_dir: Path, *, policy: DisclosurePolicy | None = None, title: str | None = None,
                  publisher: str = "BOLD Insights", synthetic: bool | None = None, engine_kind: str = "duckdb",
                  progress: Progress = _quiet, created: datetime | None = None,
                  spark_master: str | None = None, key_secret: str | None = None, notes: list[str] = (),
                  outputs: Path | None = None) -> BundleContent:
    """Everything a bundle holds, built from a linked world. ``link_dir`` must hold the linkage outputs.

    ``key_secret`` (32+ hex digits, see ``PrivateKey.record_key_secret``) gives each person their record
    key; the policy's cell key method needs it. ``notes`` go into the manifest's provenance notes;
    ``outputs`` names a folder for an output checker (``linkage_core.disclosure.outputs``).
    """
    from linkage_core.linkage import quality_rows
    import json

    policy = policy or PUBLISHING_POLICY
    if policy.cell_key_perturbation and not key_secret:
        raise ValueError("the cell key method needs the record-key secret (key_secret)")
    quality_path = link_dir / "quality.json"
    quality_doc = json.loads(quality_path.read_text()) if quality_path.exists() else {"datasets": {}}
    quality = quality_rows(quality_doc)
    engine = open_engine(engine_kind, spark_master=spark_master)
    try:
        progress("Preparing de-identified tables", 0.0)
        datasets = load(engine, Sources(world, link_dir, key_secret or "0" * 32))
        drafts = []
        packs, not_computed, every_pack = [], [], all_packs()
        for i, pack in enumerate(every_pack):
            progress(f"Pack: {pack.title}", i / len(every_pack))
            computed, skipped = run_pack(pack, engine, datasets)
            drafts += computed
            packs += [pack] if skipped is None or skipped.computed else []  # a skipped pack is listed, not shown
            not_computed += [skipped] if skipped else []
        progress("Packs", 1.0)
        period_row = engine.records("SELECT MIN(released) AS start, MAX(released) AS finish FROM people")[0]
        counts = {d: engine.records(f"SELECT COUNT(*) AS n FROM raw_{d}")[0]["n"] for d in datasets}
    finally:
        engine.close()
    progress("Disclosure control", 0.0)
    findings, estimates, comparisons = publish_bundle(drafts, policy, quality)
    if outputs is not None:
        from linkage_core.disclosure.outputs import write_outputs

        write_outputs(outputs, drafts, estimates, policy)
    progress("Disclosure control", 1.0)
    rates = quality_doc.get("datasets", {})
    provenance = [
        DatasetProvenance(
            dataset=d, organisation=organisation(d), description=description(d),
            records=round_to_base(int(counts[d]), policy.rounding_base) if counts[d] >= policy.threshold else None,
            linked_share=(rates.get(d) or {}).get("match_rate"),
            fields=sorted({f for p in packs for use in p.datasets if use.dataset == d for f in use.fields}),
        )
        for d in datasets
    ]
    is_synthetic = synthetic if synthetic is not None else (world / "_truth").is_dir()
    manifest = Manifest(
        title=title or ("BOLD Insights (synthetic demo data)" if is_synthetic else "BOLD Insights"),
        publisher=publisher,
        period=Period(start=period_row["start"] or date(2000, 1, 1), end=period_row["finish"] or date(2000, 1, 1)),
        datasets_linked=datasets, policy=policy, software_version=__version__,
        created=created or datetime.now(timezone.utc), synthetic=is_synthetic,
        notes=(["Synthetic demo data: no real person is in it."] if is_synthetic else []) + list(notes),
        not_computed=not_computed, comparisons=comparisons,
    )
    return BundleContent(manifest=manifest, packs=[p.to_model() for p in packs], findings=findings,
                         estimates=estimates, datasets=provenance, linkage_quality=quality,
                         glossary=glossary(L.rounding_words(policy), FALSE_DISCOVERY_RATE))


def run_pack(pack, engine, datasets: list[str]) -> tuple[list, NotComputed | None]:
    """A pack's drafts, and a note when extracts it names were not given (partial data).

    A pack with every extract it names runs as ever, errors and all. One missing an extract is tried: packs
    leave out what they cannot compute, so it may still give findings; if it cannot run at all it is skipped
    and the bundle says why, in a sentence (``Manifest.not_computed``).
    """
    missing = sorted({use.dataset for use in pack.datasets} - set(datasets))
    if not missing:
        return pack.compute(engine), None
    names = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
    try:
        drafts = pack.compute(engine)
    except Exception:  # noqa: BLE001 - a pack missing its extracts fails on whichever column it reads first
        drafts = []
    if not drafts:
        return [], NotComputed(pack_id=pack.id, title=pack.title, missing=missing,
                               reason=f"Not computed: it needs the {names} extract{'s' if len(missing) > 1 else ''}, "
                                      "which {} not given.".format("were" if len(missing) > 1 else "was"))
    return drafts, NotComputed(pack_id=pack.id, title=pack.title, missing=missing, computed=True,
                               reason=f"Computed without the {names} extract{'s' if len(missing) > 1 else ''}: "
                                      "findings that need it are left out.")


def build_bundle(world: Path, out: Path, *, signer: PrivateKey, passphrases: list[str] = (),
                 recipients: list[PublicKey] = (), title: str | None = None, progress: Progress = _quiet,
                 engine_kind: str = "duckdb", link_dir: Path | None = None, kdf: KdfParams = KdfParams(),
                 created: datetime | None = None, spark_master: str | None = None, notes: list[str] = (),
                 outputs: Path | None = None) -> Path:
    """The whole secure-stage pipeline. ``engine_kind`` (``duckdb`` or ``spark``) chooses where both the
    linkage and the packs run; the model, the queries and the answers are the same on either."""
    from linkage_core.linkage import link_world

    world = Path(world)
    with tempfile.TemporaryDirectory(prefix="bold-build-") as scratch:
        links = Path(link_dir) if link_dir else Path(scratch) / "link"
        if not (links / "spine.parquet").exists():
            link_world(world, links, progress=progress, engine=engine_kind, spark_master=spark_master)
        content = build_content(world, links, title=title, publisher=signer.public.name, progress=progress,
                                engine_kind=engine_kind, created=created, spark_master=spark_master,
                                key_secret=signer.record_key_secret(), notes=list(notes), outputs=outputs)
    progress("Sealing and signing the bundle", 0.0)
    path = write_bundle(content, out, signer=signer, passphrases=list(passphrases), recipients=list(recipients),
                        kdf=kdf)
    progress("Sealing and signing the bundle", 1.0)
    return path
