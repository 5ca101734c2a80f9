"""Each screen past the first steps: breakdowns, search, provenance, glossary, export, pins, idle lock, texts."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from bold_tui.app import BoldApp
from linkage_core.bundle.keys import TrustStore
from linkage_core.bundle.reader import open_bundle
from tests.helpers import PASSPHRASE
from tests.helpers import make_app, open_highlighted_finding, pilot_test, screen_text, unlock, wait_for

BOLD_TUI = Path(__file__).resolve().parents[2] / "bold_tui"
#: Words that label people by their past; the app uses person-first language only.
LABELS = re.compile(r"\b(ex-?offenders?|offenders?|criminals?|convicts?)\b", re.IGNORECASE)


def on(app: BoldApp, name: str):
    return lambda: type(app.screen).__name__ == name


async def open_first_finding(pilot, app: BoldApp) -> None:
    await unlock(pilot, app)
    await open_highlighted_finding(pilot, app)
    await pilot.pause()


@pilot_test
async def test_breakdowns_cycle_and_suppressed_cells_show_symbols(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_first_finding(pilot, app)
        screen = app.screen
        assert screen.breakdown == "overall"
        await pilot.press("b")
        assert screen.breakdown == "region"
        await pilot.pause()
        text = screen_text(app)
        assert "[c]" in text and "fewer than 10 people" in text
        assert " * " not in text
        await pilot.press("B")
        assert screen.breakdown == "overall"


@pilot_test
async def test_search_opens_a_finding(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        await pilot.press("slash")
        await wait_for(pilot, on(app, "CommandPalette"))
        await pilot.press(*"school")
        await pilot.pause(0.6)
        await pilot.press("enter")
        await wait_for(pilot, on(app, "FindingScreen"))
        assert "school" in app.screen.finding.title.lower()


@pilot_test
async def test_provenance_and_glossary(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        await pilot.press("i")
        await wait_for(pilot, on(app, "ProvenanceScreen"))
        await pilot.pause()
        text = screen_text(app)
        assert "Test publisher" in text and "signature" in text.lower()
        assert "No figure describes fewer than 10 people." in text
        await pilot.press("escape", "g")
        await wait_for(pilot, on(app, "GlossaryScreen"))
        await pilot.pause()
        assert "95% interval" in screen_text(app)


@pilot_test
async def test_export_writes_markdown_with_provenance(bundle_file: Path, trust: TrustStore, tmp_path: Path) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first_finding(pilot, app)
        await pilot.press("e")
        await wait_for(pilot, on(app, "ExportScreen"))
        await pilot.press("down", "down", "enter")  # HTML, CSV, then Markdown: chosen, and on to the path
        assert app.screen.fmt == "md" and app.screen.focused.id == "export-path"
        app.screen.query_one("#export-path").value = str(tmp_path / "finding.md")
        await pilot.press("enter")
        await wait_for(pilot, on(app, "FindingScreen"))
    text = (tmp_path / "finding.md").read_text()
    assert text.startswith("# ") and "Source:" in text and "Signature checked" in text


def test_export_formats(bundle_file: Path, trust: TrustStore, tmp_path: Path) -> None:
    import pandas as pd

    from bold_tui.export import COLUMNS, write_export

    with open_bundle(bundle_file, PASSPHRASE, trust) as bundle:
        finding = next(f for f in bundle.findings() if any(e.suppressed for e in bundle.estimates(f.id)))
        estimates = bundle.estimates(finding.id)
        first = write_export(bundle, finding, tmp_path / "f.csv", "csv")
        second = write_export(bundle, finding, tmp_path / "f.csv", "csv")
        plain = write_export(bundle, finding, tmp_path / "f.txt", "txt")
    assert second.name == "f-2.csv"  # never overwrites
    assert (tmp_path / "f.csv-metadata.json").exists() and (tmp_path / "f-2.csv-metadata.json").exists()
    frame = pd.read_csv(first)  # data only: the notes are in the CSV-W file, so counts stay numbers
    assert list(frame.columns) == [name for name, _ in COLUMNS]
    assert len(frame) == len(estimates)
    assert frame["treated_people"].dtype.kind in "fi" and frame["treated_with_outcome"].dtype.kind in "fi"
    published = [e for e in estimates if not e.suppressed]
    assert frame["treated_with_outcome"].dropna().astype(int).tolist() == [
        e.treated_events for e in published if e.treated_events is not None]
    hidden = frame[frame["hidden_symbol"].notna()]
    assert len(hidden) == sum(e.suppressed for e in estimates) and hidden["treated_value"].isna().all()
    meta = json.loads((tmp_path / "f.csv-metadata.json").read_text())
    assert meta["url"] == "f.csv" and any("Source:" in meta["dc:source"] for _ in [0])
    assert {c["name"] for c in meta["tableSchema"]["columns"]} == {name for name, _ in COLUMNS}
    assert "Source:" in plain.read_text()


@pilot_test
async def test_pin_two_and_compare(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(120, 40)) as pilot:
        await unlock(pilot, app)
        for _ in range(2):  # the next two findings, past any pack's answer row
            await pilot.press("down")
            while app.screen._highlighted_id() is None:
                await pilot.press("down")
            await pilot.press("p")
        assert "(pinned)" in screen_text(app)  # a pinned finding is marked in the list, in words
        await pilot.press("c")
        await wait_for(pilot, on(app, "CompareScreen"))
        await pilot.pause()
        assert len(set(app.pins)) == 2
        assert "Difference" in screen_text(app)


@pilot_test
async def test_idle_lock_drops_the_bundle(bundle_file: Path, trust: TrustStore) -> None:
    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await unlock(pilot, app)
        bundle = app.bundle
        app.settings.idle_lock_minutes = 0.001
        app._lock_if_idle()
        # The lock closes the bundle just after the unlock screen is up: wait for both, not the screen alone.
        await wait_for(pilot, lambda: on(app, "UnlockScreen")() and bundle.closed)
        assert app.bundle is None and bundle.closed


@pilot_test
async def test_high_contrast_is_remembered(bundle_file: Path, trust: TrustStore) -> None:
    from bold_tui.locations import settings_file

    app = make_app(bundle_file, trust)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape", "t")
        await pilot.pause()
        assert app.theme == "bold-high-contrast"
    assert json.loads(settings_file().read_text())["high_contrast"] is True
    again = make_app(bundle_file, trust)
    assert again.theme == "bold-high-contrast"


def test_settings_survive_a_bad_file(tmp_path: Path) -> None:
    from bold_tui.settings import Settings

    bad = tmp_path / "settings.json"
    bad.write_text("{not json")
    assert Settings.load(bad) == Settings()
    bad.write_text(json.dumps({"idle_lock_minutes": 3, "high_contrast": "yes"}))
    assert Settings.load(bad) == Settings(idle_lock_minutes=3.0, high_contrast=False)


def test_no_label_words_in_anything_the_app_shows() -> None:
    """Person-first language: the texts, the screens' strings, and the bundle's own texts."""
    for path in [*BOLD_TUI.glob("texts/*.md"), *BOLD_TUI.glob("screens/*.py"), *BOLD_TUI.glob("widgets/*.py"),
                 BOLD_TUI / "app.py", BOLD_TUI / "labels.py", BOLD_TUI / "export.py"]:
        found = LABELS.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name}: {found}"


def test_bundle_texts_use_person_first_language(content) -> None:
    texts = [p.model_dump_json() for p in content.packs] + [f.model_dump_json() for f in content.findings]
    texts += [g.model_dump_json() for g in content.glossary]
    for text in texts:
        assert not LABELS.findall(text), text[:120]


def test_help_lists_every_key() -> None:
    """Every binding on the app and its screens is named in the help text."""
    from importlib import import_module

    from bold_tui.screens.help import help_text

    help_md = help_text().lower()
    names = {"question_mark": "?", "slash": "/", "escape": "esc", "enter": "enter", "right_square_bracket": "]",
             "left_square_bracket": "[", "ctrl+s": "ctrl+s"}
    classes = [BoldApp]
    for module, name in [("unlock", "UnlockScreen"), ("home", "HomeScreen"), ("finding", "FindingScreen"),
                         ("will_wont", "WillWontScreen"), ("help", "HelpScreen"), ("compare", "CompareScreen"),
                         ("provenance", "ProvenanceScreen"), ("glossary", "GlossaryScreen"),
                         ("lab", "LabScreen"), ("answer", "AnswerScreen"), ("export", "ExportScreen")]:
        classes.append(getattr(import_module(f"bold_tui.screens.{module}"), name))
    for cls in classes:
        for binding in cls.BINDINGS:
            for key in binding.key.split(","):
                shown = names.get(key, key).lower()
                if key in {"left", "right"} or (key.isdigit() and "`1` to `9`" in help_md):
                    continue
                assert f"`{shown}`" in help_md or f"`{shown.replace('ctrl+', 'ctrl+')}`" in help_md, (cls, key)


def test_will_wont_text_has_both_lists_and_the_app_promises() -> None:
    from bold_tui.screens.will_wont import will_wont_text

    text = will_wont_text().lower()
    for phrase in ("bold will", "bold won't", "this app will", "this app won't", "memory", "send anything",
                   "look up"):
        assert phrase in text


def test_forest_plot_fits_any_width(content) -> None:
    from bold_tui.widgets.forest_plot import plot_lines

    estimates = [e for e in content.estimates if e.breakdown == "region"][:4]
    for width in (20, 40, 80, 160):
        lines = plot_lines(estimates, width)
        assert all(line.cell_len <= max(width, 40) for line in lines[1:-1])
        assert any("●" in line.plain for line in lines)
