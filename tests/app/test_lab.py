"""The anonymisation lab: the attack works with no protection and fails with it, the lab runs on the
pipeline's own cell key, ptable and rounding, its attacker agrees with the pipeline's, and the screen can be
driven with the keyboard alone at 80x24."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from bold_tui import lab_story
from bold_tui.screens.lab import SYNTHETIC_MARKER, LabScreen
from linkage_core.disclosure import lab
from linkage_core.disclosure.lab import NORTH, SOUTH, TOTAL, Protections
from tests.helpers import ROOT, flat, pilot_test, screen_text

LABELS = re.compile(r"\b(ex-?offenders?|offenders?|criminals?|convicts?)\b", re.IGNORECASE)
ALL_SETTINGS = [Protections(*flags) for flags in itertools.product([False, True], repeat=4)]
SAM = next(p for p in lab.POPULATION if p.name == lab.TARGET)


def story(protections: Protections) -> lab_story.Story:
    """The attack as the screen tells it."""
    return lab_story.tell(lab.attack(protections))


# -- the attack -------------------------------------------------------------------------------------------

def test_with_every_protection_off_the_attack_finds_sam_and_what_the_tables_say_about_sam() -> None:
    result = lab.attack(Protections())
    told = story(Protections())
    assert result.succeeded and result.recovered is not None
    assert result.recovered.person == "Sam" and result.recovered.town == SAM.town == NORTH
    assert (result.recovered.did_course, result.recovered.in_work) == (SAM.did_course, SAM.in_work)
    assert result.gap["people"] == lab.Range(1, 1)
    assert "Attack worked" in told.summary and "Sam did the course and is not in work" in told.summary
    assert "Attack worked" in told.steps[-2].text


def test_threshold_rounding_and_secondary_suppression_together_defeat_it() -> None:
    result = lab.attack(Protections(threshold=True, rounding=True, secondary=True))
    told = story(result.protections)
    assert not result.succeeded and result.recovered is None
    t2 = result.tables[1]
    assert t2.row(NORTH).hidden and t2.row(SOUTH).hidden and not t2.row(TOTAL).hidden
    assert result.gap["people"].width >= lab.REQUIRED_DOUBT
    assert re.search(r"Attack failed: the figures could be anything from \d+ to \d+", told.summary)
    assert "Attack failed" in told.steps[-2].text


def test_the_cell_key_alone_defeats_differencing_without_hiding_anything() -> None:
    result = lab.attack(Protections(cell_key=True))
    assert not result.succeeded
    assert not any(t.hidden_rows for t in result.tables)
    assert all(r.width > 0 for r in result.gap.values())
    truth = lab.true_counts()
    shown = {(t.id, row.label, m): row.value(m) for t in result.tables for row in t.rows for m in lab.MEASURES}
    assert any(shown[(t, r, m)] != truth[(t, r)][m] for t, r, m in shown), "the cell key changed no count"


@pytest.mark.parametrize("protections", ALL_SETTINGS, ids=str)
def test_which_switches_stop_the_attack(protections: Protections) -> None:
    """Rounding or the cell key blur the gap; secondary suppression hides it, but only with the threshold."""
    stopped = protections.rounding or protections.cell_key or (protections.threshold and protections.secondary)
    result = lab.attack(protections)
    told = story(protections)
    assert result.succeeded is not stopped
    if stopped:
        assert "could be anything from" in told.summary
    assert result == lab.attack(protections) and told == story(protections)  # same switches, same everything
    assert [s.title for s in told.steps] == [s.title for s in story(Protections()).steps[:-2]] + [
        told.steps[-2].title, "Why"]


def test_the_threshold_alone_hides_nothing_because_every_published_row_is_big() -> None:
    """What the narration claims: the small group exists only in the gap between the tables."""
    truth = lab.true_counts()
    assert all(truth[entry]["people"] >= lab.THRESHOLD for entry in lab.PUBLISHED)
    assert truth[("gap", NORTH)]["people"] == 1
    assert lab.publish(Protections(threshold=True)).tables == lab.publish(Protections()).tables
    assert lab.publish(Protections(secondary=True)).tables == lab.publish(Protections()).tables


def test_the_population_is_small_made_up_and_has_sam_alone_in_the_gap() -> None:
    assert 40 <= len(lab.POPULATION) <= 60
    assert len({p.name for p in lab.POPULATION}) == len(lab.POPULATION)
    assert {p.town for p in lab.POPULATION} == {NORTH, SOUTH}
    assert [p.name for p in lab.POPULATION if p.town == NORTH and p.under_25] == ["Sam"]


def test_the_narration_is_plain_person_first_and_short() -> None:
    texts = [s.title + ". " + s.text for p in ALL_SETTINGS for s in story(p).steps]
    texts += [story(p).summary for p in ALL_SETTINGS] + [i.does for i in lab_story.PROTECTIONS]
    for text in texts:
        assert text.strip()
        assert not LABELS.findall(text), text
        for sentence in re.split(r"(?<=[.?!])\s+", text):
            assert len(sentence.split()) <= 28, sentence
    for source in (ROOT / "linkage_core" / "disclosure" / "lab.py", ROOT / "bold_tui" / "lab_story.py"):
        assert not LABELS.findall(source.read_text(encoding="utf-8")), source


def test_the_lab_needs_only_the_standard_library() -> None:
    """The reader install has no numpy or scipy, and the domain never loads the UI (the cell key, ptable and
    rounding the lab uses are the pipeline's own, from ``perturbation``, so that module is light too)."""
    code = ("import sys, linkage_core.disclosure.lab as m; m.attack(m.Protections.all_on()); "
            "print('\\n'.join(sys.modules))")
    # -S: no site-packages at all, so the import itself proves nothing outside the standard library is needed
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    third_party = {name.split(".")[0] for name in out.stdout.split()} - set(sys.stdlib_module_names)
    assert third_party <= {"linkage_core", "__main__"}, third_party


# -- the lab's rules agree with the pipeline's ------------------------------------------------------------

def test_the_lab_publishes_with_the_pipelines_own_rules() -> None:
    """Not a copy that must be kept in step: the very objects the pipeline's ``cellkey`` and ``apply()`` use."""
    pytest.importorskip("numpy")
    from linkage_core.disclosure import apply, cellkey, perturbation

    assert cellkey.PTable is perturbation.PTable and cellkey.ptable_for is perturbation.ptable_for
    assert lab.ptable(False) == cellkey.ptable_for(1, lab.THRESHOLD) == cellkey.default_ptable(lab.THRESHOLD)
    assert lab.ptable(True) == cellkey.ptable_for(lab.ROUNDING_BASE, lab.THRESHOLD)
    assert all(lab.round_to_base(c) == apply.round_to_base(c, 5) for c in range(200))
    names = [p.name for p in lab.POPULATION]
    keys = cellkey.record_keys(names, lab.LAB_KEY_SECRET)
    assert [round(k * 2**32) for k in keys] == [lab.record_key(n) for n in names]
    for entry in lab.PUBLISHED:
        people = lab.members(entry)
        chosen = [k for k, p in zip(keys, lab.POPULATION) if p in people]
        assert lab.cell_key(people) == cellkey.cell_key(chosen)


def test_the_cell_key_and_ptable_give_the_published_figures_the_lab_shows() -> None:
    """Pinned: with the cell key on, table 1's Northtown is its true count moved by the pipeline's ptable."""
    truth = lab.true_counts()
    for rounding in (False, True):
        pub = lab.publish(Protections(cell_key=True, rounding=rounding))
        table = lab.ptable(rounding)
        for table_id, label in lab.PUBLISHED:
            entry = (table_id, label)
            key = lab.cell_key(lab.members(entry))
            assert pub.table(table_id).row(label).people == table.perturb(truth[entry]["people"], key)


def _lp_ranges(values: dict, hidden: set) -> dict:
    """The pipeline's attacker (a linear programme) on the lab's table, for comparison."""
    from linkage_core.disclosure.secondary import Line, attacker_bounds

    entries = list(lab._COEF)
    index = {e: i for i, e in enumerate(entries)}
    lines = [Line(tuple(index[e] for e in line[:-1]), index[line[-1]]) for line in lab.LINES]
    unknown = {index[e] for e in hidden | set(lab.UNPUBLISHED)}
    array = [values[e] for e in entries]
    out = {}
    for e in entries:
        low, high = attacker_bounds(array, lines, unknown, index[e])
        out[e] = lab.Range(round(low), round(high))
    return out


@pytest.mark.parametrize("hidden", [
    set(), {("t2", NORTH)}, {("t2", NORTH), ("t2", SOUTH)}, {("t1", NORTH), ("t1", SOUTH)},
    {("t2", NORTH), ("t1", SOUTH)}, {("t2", NORTH), ("t2", TOTAL)}, {("t1", NORTH), ("t2", SOUTH), ("t2", TOTAL)},
], ids=lambda h: "+".join(f"{t}:{r}" for t, r in sorted(h)) or "nothing")
def test_the_lab_attacker_finds_the_same_bounds_as_the_linear_programme(hidden: set) -> None:
    pytest.importorskip("scipy")
    truth = lab.true_counts()
    for measure in lab.MEASURES:
        values = {e: truth[e][measure] for e in truth}
        known = {e: frozenset({values[e]}) for e in lab.PUBLISHED if e not in hidden}
        assert lab.attacker_ranges(known) == _lp_ranges(values, hidden), measure


def test_what_secondary_suppression_hides_protects_sams_group_against_the_linear_programme() -> None:
    pytest.importorskip("scipy")
    pub = lab.publish(Protections(threshold=True, secondary=True))
    hidden = set(pub.primary | pub.secondary)
    assert hidden == {("t2", NORTH), ("t2", SOUTH)}
    truth = lab.true_counts()
    for measure in lab.MEASURES:
        bounds = _lp_ranges({e: truth[e][measure] for e in truth}, hidden)[("gap", NORTH)]
        assert bounds.width >= lab.REQUIRED_DOUBT, measure


def test_rounding_with_the_cell_key_is_how_bundles_are_published() -> None:
    result = lab.attack(Protections(rounding=True, cell_key=True))
    assert result.recovered is None
    text = " ".join(step.text for step in story(result.protections).steps)
    assert "rounded up or down to a multiple of 5" in text and "BOLD's bundles are published this way" in text
    for table in result.publication.tables:
        assert all(v is None or v % 5 == 0 for row in table.rows for v in (row.people, row.course, row.work))


def test_rounding_and_the_cell_key_say_how_they_work_together() -> None:
    both = Protections(rounding=True, cell_key=True)
    assert "up or down" in lab_story.protection_does(both, "rounding")
    assert "picks up or down" in lab_story.protection_does(both, "cell_key")
    assert lab_story.protection_does(Protections(rounding=True), "rounding") == "round every count to the nearest 5"
    assert all(len(lab_story.protection_does(both, n)) <= 48 for n in lab.PROTECTION_NAMES)  # fits 80 columns


def test_switch_notes_say_when_a_protection_does_nothing() -> None:
    assert lab_story.protection_note(Protections(secondary=True), "secondary") == "needs the threshold"
    # with the cell key, rounding still works: the key picks up or down
    assert not lab_story.protection_note(Protections(rounding=True, cell_key=True), "rounding")
    assert not lab_story.protection_note(Protections(rounding=True, cell_key=True), "cell_key")
    assert not lab_story.protection_note(Protections.all_on(), "secondary")
    assert Protections().toggled("cell_key") == Protections(cell_key=True)
    with pytest.raises(ValueError):
        Protections().toggled("shredder")  # type: ignore[arg-type]


# -- the screen ---------------------------------------------------------------------------------------------

class Home(Screen[None]):
    def compose(self):
        yield Static("Home screen", id="home")


class LabHost(App[None]):
    """A minimal app: a home screen with the lab over it (or the lab alone, as ``bold lab`` opens it)."""

    def __init__(self, over_home: bool = True) -> None:
        super().__init__()
        self.over_home = over_home

    def on_mount(self) -> None:
        if self.over_home:
            self.push_screen(Home())
        self.push_screen(LabScreen())


def switch_states(text: str) -> dict[str, str]:
    found = re.findall(r"^ ([1-4]) .{21} (ON|OFF) ", text, flags=re.M)
    return dict(found)


@pilot_test
async def test_stepping_through_the_attack_with_everything_off_then_switching_protections_on() -> None:
    app = LabHost()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert SYNTHETIC_MARKER in text
        assert switch_states(text) == {"1": "OFF", "2": "OFF", "3": "OFF", "4": "OFF"}
        assert "Table 1: everyone" in text and "Table 2: aged 25 and over" in text
        assert "Step 1 of 7" in text and "made-up people" in text
        await pilot.press("space", "n", "right")
        text = screen_text(app)
        assert "Step 4 of 7" in text and "Northtown in table 2: 22 people" in text
        assert "▶ Northtown" in text
        await pilot.press("space")
        assert "23 − 22 = 1" in screen_text(app)
        await pilot.press("space")
        text = flat(screen_text(app))
        assert "Attack worked" in text and "Sam did the course and is not in work" in text
        await pilot.press("space", "space")  # past the end stays on the last step
        text = screen_text(app)
        assert "Step 7 of 7" in text and "No protection was on" in text

        await pilot.press("1", "2", "3")
        await pilot.pause()
        text = screen_text(app)
        assert switch_states(text) == {"1": "ON", "2": "ON", "3": "ON", "4": "OFF"}
        assert "[c]" in text and "[c] hidden to protect" in text
        assert "Attack failed: the figures could be anything from" in text
        assert "Attack worked" not in text
        await pilot.press("left")
        assert "Step 6 of 7" in screen_text(app)
        await pilot.press("b", "b")
        text = screen_text(app)
        assert "Step 4 of 7" in text and "Northtown is hidden in table 2" in text

        await pilot.press("1", "2", "3", "4")
        text = screen_text(app)
        assert switch_states(text) == {"1": "OFF", "2": "OFF", "3": "OFF", "4": "ON"}
        assert "[c]" not in text and "nudged by a small fixed amount" in text
        await pilot.press("r")
        assert "Step 1 of 7" in screen_text(app)
        await pilot.press("a")
        assert set(switch_states(screen_text(app)).values()) == {"ON"}
        assert "does nothing" not in screen_text(app)  # with the cell key, rounding picks up or down
        await pilot.press("a")
        assert set(switch_states(screen_text(app)).values()) == {"OFF"}

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, Home)


@pytest.mark.slow
@pilot_test
async def test_every_setting_fits_80_by_24_at_the_last_step() -> None:
    """The longest narration is at the last step; with any switches it must show whole, footer included."""
    app = LabHost(over_home=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*["space"] * 6)
        for flags in itertools.product([False, True], repeat=4):
            for number, (name, want) in enumerate(zip(lab.PROTECTION_NAMES, flags), start=1):
                if getattr(app.screen.protections, name) != want:
                    await pilot.press(str(number))
            await pilot.pause()
            text = screen_text(app)
            assert switch_states(text) == {str(i): "ON" if f else "OFF" for i, f in enumerate(flags, start=1)}
            assert "Step 7 of 7" in text and "r to start again" in text, flags
            assert ("Attack worked" in text) is lab.attack(Protections(*flags)).succeeded
            assert "space next step" in text.splitlines()[-1]
        await pilot.press("escape")  # the lab on its own: nothing to go back to, so it stays
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)


@pilot_test
async def test_a_tiny_terminal_does_not_crash() -> None:
    app = LabHost(over_home=False)
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.press("1", "space", "space", "space", "4")
        await pilot.pause()
        assert "Synthetic" in screen_text(app)
