"""Kept only so old imports still resolve: the pipeline world is now built in ``tests/helpers.py`` and shared by
the session fixture ``built_world`` in ``tests/conftest.py``.

Why the fixture moved: a session fixture imported into a test module (``from tests.pipeline_fixtures import
built_world``) becomes that module's own fixture, so each importing module built the 4,000-person world
again. Defined once in ``conftest.py`` it is built once per session. The name ``built_world`` below is
deliberately *not* a fixture, so a stale import no longer shadows the shared one. Phase 2 of issue 14
deletes those imports and this file.
"""

from __future__ import annotations

from tests.helpers import PEOPLE, SEED, BuiltWorld

#: Not a fixture (see the module docstring): the test's ``built_world`` argument resolves to conftest's.
built_world = None

__all__ = ["PEOPLE", "SEED", "BuiltWorld", "built_world"]
