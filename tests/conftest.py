"""Shared fixtures, each built once per session: test keys, a sample bundle, and the pipeline world.

Every fixture more than one test file needs lives here, never in a test module: a session fixture imported
into a module is re-created for that module. Plain helpers live in ``tests/helpers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkage_core.bundle.keys import PrivateKey, TrustStore
from tests.helpers import FAST_KDF, PASSPHRASE, BuiltWorld, build_world



#: The groups that take longest, measured (``pytest --durations``): handed to the two workers first, so the
#: many short files fill in around them and both workers finish together. Only the order changes.
START_FIRST = ("built_world", "tests/pipeline/test_spark_linkage.py", "tests/pipeline/test_linkage.py",
               "tests/pipeline/test_spark.py",
               "tests/pipeline/test_bundle_attacks.py")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what the fast lane must leave out, and group tests for the two workers (``--dist loadgroup``).

    - A test that needs the pipeline world (``built_world``) is slow, whatever its own marks say: the fast lane
      (``pytest -m "not slow"``) never builds the 4,000-person world.
    - Every file is one group (so its module fixtures are built once, as with ``--dist loadfile``), except that
      all the files using ``built_world`` form one group together: a session fixture is built once per
      *worker*, so spread over two workers the world would be built twice.
    - Groups are queued longest first (``START_FIRST``, then files by their number of slow tests).
    """
    world_files = {item.path for item in items if "built_world" in getattr(item, "fixturenames", ())}
    root = config.rootpath

    def group(item: pytest.Item) -> str:
        if item.path in world_files:
            return "built_world"
        try:
            return item.path.relative_to(root).as_posix()
        except ValueError:
            return str(item.path)

    slow_in: dict[str, int] = {}
    for item in items:
        if "built_world" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        name = group(item)
        item.add_marker(pytest.mark.xdist_group(name))
        slow_in[name] = slow_in.get(name, 0) + (item.get_closest_marker("slow") is not None)

    def rank(name: str) -> tuple[int, int]:
        return (START_FIRST.index(name) if name in START_FIRST else len(START_FIRST), -slow_in[name])

    items.sort(key=lambda item: rank(group(item)))  # stable: each file's own order is kept


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's trust store or settings, or inherits a secret."""
    monkeypatch.setenv("BOLD_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("BOLD_PASSPHRASE", raising=False)
    monkeypatch.delenv("BOLD_KEYFILE", raising=False)


@pytest.fixture(scope="session")
def publisher() -> PrivateKey:
    return PrivateKey.generate("Test publisher")


@pytest.fixture(scope="session")
def trust(publisher: PrivateKey) -> TrustStore:
    return TrustStore([publisher.public])


@pytest.fixture(scope="session")
def content():
    from tests.sample_content import build_demo_content

    return build_demo_content()


@pytest.fixture(scope="session")
def bundle_file(tmp_path_factory: pytest.TempPathFactory, publisher: PrivateKey, content) -> Path:
    from linkage_core.bundle.writer import write_bundle

    path = tmp_path_factory.mktemp("bundles") / "test.bold"
    return write_bundle(content, path, signer=publisher, passphrases=[PASSPHRASE], kdf=FAST_KDF)


@pytest.fixture(scope="session")
def built_world(tmp_path_factory: pytest.TempPathFactory) -> BuiltWorld:
    """A 4,000-person world synthesised, linked and built into a bundle: once per session, for every file."""
    return build_world(tmp_path_factory.mktemp("pipeline"))
