"""Every file a command writes goes through here: nothing a user already has is replaced or lost.

The rules (``../shared/cli-contract.md``, "Files a command writes"):

- an existing file, or a folder that is not empty, is refused unless the command was given ``--force``;
- a private key is never replaced, ``--force`` or not;
- a path that *is* one of the command's inputs, or holds them, is always refused (writing there would destroy
  what the run reads); a path inside an input folder needs ``--force``;
- output is written under a temporary name in the same folder and renamed into place only when complete, so
  a failure (an error, Ctrl+C, a stop for memory) leaves no partial file: the temporary one is removed.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from linkage_core.errors import UsageError

_PRIVATE_MARKERS = (b'"bold-private-key"', b"PRIVATE KEY-----", b"OPENSSH PRIVATE KEY")


def looks_like_private_key(path: Path) -> bool:
    """A BOLD private key file (or a PEM/OpenSSH one): never replaced by any command."""
    try:
        if not path.is_file() or path.stat().st_size > 1024 * 1024:
            return False
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError:
        return False
    return any(marker in head for marker in _PRIVATE_MARKERS)


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(path)).resolve()


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def check_target(path: Path, *, inputs: Iterable[Path | None] = (), force: bool = False,
                 folder: bool = False) -> None:
    """Refuse ``path`` as an output if writing it could destroy something; one sentence, exit code 2."""
    path = Path(path)
    if not path.name or str(path) in ("", "."):
        raise UsageError("--out needs a name to write to.")
    target = _resolved(path)
    for given in inputs:
        if given is None:
            continue
        source = _resolved(Path(given))
        if _inside(source, target):
            raise UsageError(f"{path} is (or holds) one of this command's inputs ({given}); "
                             "write somewhere else so nothing it reads is overwritten.")
        if _inside(target, source) and not force:
            raise UsageError(f"{path} is inside this command's input {given}; write somewhere else, "
                             "or add --force to write there anyway.")
    if looks_like_private_key(path):
        raise UsageError(f"{path} is a private key; no command replaces a private key, even with --force.")
    if path.is_symlink() or path.exists():
        if path.is_dir() and not path.is_symlink():
            if not folder:
                raise UsageError(f"{path} is a folder; give a file name to write to.")
            if any(path.iterdir()) and not force:
                raise UsageError(f"{path} already holds files; choose a new folder, or add --force to "
                                 "replace what this command writes there.")
        elif not force:
            raise UsageError(f"{path} already exists; choose another name, or add --force to replace it.")


def require_empty_folder(path: Path, option: str) -> None:
    """Folders such as ``--qa`` and ``--outputs`` are never merged into: only a new or empty one is taken.

    One check for every such option, so each refuses with the same sentence before any slow work starts.
    """
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(f"{path} already exists and is not an empty folder; give {option} a new folder.")


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")


def _make_parent(path: Path) -> list[Path]:
    """Create the missing parent folders, returning them (deepest first) so a failure can remove them."""
    made = []
    parent = path.parent
    while not parent.exists():
        made.append(parent)
        parent = parent.parent
    for folder in reversed(made):
        folder.mkdir()
    return made


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            break


def _commit(temp: Path, path: Path, force: bool) -> None:
    """Rename into place. Without ``force`` a link-then-unlink refuses, atomically, a file that appeared since."""
    if looks_like_private_key(path):
        raise UsageError(f"{path} is a private key; no command replaces a private key, even with --force.")
    if force:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)
    except FileExistsError:
        raise UsageError(f"{path} already exists; choose another name, or add --force to replace it.") from None
    except OSError:  # a file system without hard links
        if path.exists():
            raise UsageError(f"{path} already exists; choose another name, or add --force to replace it.") from None
        os.replace(temp, path)
        return
    os.unlink(temp)


@contextmanager
def new_files(paths: list[Path], *, inputs: Iterable[Path | None] = (), force: bool = False,
              private: bool = False) -> Iterator[tuple[Path, ...]]:
    """Temporary paths to write ``paths`` to; each is renamed into place once every one is written.

    With ``private`` the first is created owner-only (0600) before anything is written to it.
    """
    paths = [Path(p) for p in paths]
    inputs = list(inputs)
    for path in paths:
        check_target(path, inputs=inputs, force=force)
    made: list[Path] = []
    for path in paths:
        made += _make_parent(path)
    temps = [_temp_name(p) for p in paths]
    committed: list[Path] = []
    try:
        if private:
            os.close(os.open(temps[0], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        yield tuple(temps)
        for temp, path in zip(temps, paths):
            if not temp.exists():
                raise UsageError(f"Nothing was written to {path}.")
            _commit(temp, path, force)
            committed.append(path)
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        for path in committed:
            path.unlink(missing_ok=True)
        _remove_empty(made)
        raise


@contextmanager
def new_file(path: Path, *, inputs: Iterable[Path | None] = (), force: bool = False) -> Iterator[Path]:
    """A temporary path in ``path``'s folder; renamed to ``path`` when the block ends without error."""
    with new_files([path], inputs=inputs, force=force) as (temp,):
        yield temp


@contextmanager
def new_folder(path: Path, *, inputs: Iterable[Path | None] = (), force: bool = False) -> Iterator[Path]:
    """A temporary folder beside ``path``; when the block ends without error its contents become ``path``
    (with ``force``, replacing only the entries of the same name in an existing folder)."""
    path = Path(path)
    check_target(path, inputs=inputs, force=force, folder=True)
    made = _make_parent(path)
    temp = _temp_name(path)
    temp.mkdir()
    try:
        yield temp
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
        if not path.exists():
            os.rename(temp, path)
            return
        if not force:
            raise UsageError(f"{path} already exists; choose another name, or add --force to replace it.")
        if not path.is_dir():
            path.unlink()
            os.rename(temp, path)
            return
        for entry in sorted(temp.iterdir()):
            target = path / entry.name
            if looks_like_private_key(target):
                raise UsageError(f"{target} is a private key; no command replaces a private key, even with --force.")
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(entry, target)
        temp.rmdir()
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        _remove_empty(made)
        raise
