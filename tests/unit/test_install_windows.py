"""The reader runs on Windows: no POSIX-only call on its path is left without a guard.

The reader's path is every project module the ``bold`` command and the app can import (statically, lazy
imports inside functions included), except through the secure-stage commands. Each is scanned for calls
that exist or work only on POSIX systems; each one found must sit under a platform check, after an early
return on one, or inside a ``try`` that catches the error Windows raises. ``docs/install-offline.md`` lists
what was found and what guards it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bold_tui", "linkage_core", "insight_packs", "sample_db")

#: Where the reader starts: the command, its reader commands, and the app with every screen and widget.
READER_ROOTS = ("bold_tui.cli", "bold_tui.reader_commands", "bold_tui.app")
#: The secure stage's commands: imported by the CLI only for pipeline commands, never by the reader.
PIPELINE_ONLY = frozenset({"bold_tui.pipeline_commands"})

#: Modules Windows does not have.
POSIX_MODULES = frozenset({"fcntl", "termios", "tty", "pty", "resource", "pwd", "grp", "posix", "syslog", "crypt",
                           "spwd", "curses", "readline", "nis", "ossaudiodev", "posixpath_only"})
#: Attributes that are missing on Windows, or that do nothing there (chmod sets only the read-only bit).
POSIX_ATTRIBUTES = {
    "os": {"getuid", "geteuid", "getgid", "getegid", "getgroups", "setuid", "seteuid", "setgid", "getresuid",
           "fork", "forkpty", "setsid", "setpgid", "getpgid", "killpg", "sysconf", "statvfs", "fstatvfs",
           "chown", "lchown", "fchown", "fchmod", "lchmod", "chmod", "getloadavg", "uname", "sync", "mkfifo",
           "mknod", "pipe2", "openpty", "ttyname", "ctermid", "nice", "WNOHANG", "O_NOFOLLOW", "O_NOCTTY",
           "O_NONBLOCK", "initgroups", "sched_getaffinity", "register_at_fork", "wait3", "wait4", "getpwuid"},
    "signal": {"SIGALRM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGKILL", "SIGPIPE", "SIGCHLD", "SIGQUIT",
               "SIGWINCH", "SIGCONT", "SIGSTOP", "SIGTSTP", "alarm", "setitimer", "getitimer", "pause",
               "siginterrupt", "pthread_kill", "pthread_sigmask", "sigwait", "ITIMER_REAL"},
    "shutil": {"chown"},
    "time": {"tzset"},
}
#: Methods with no Windows meaning whatever object they are called on (Path.chmod; asyncio on Windows has no
#: add_signal_handler).
POSIX_METHODS = frozenset({"chmod", "lchmod", "add_signal_handler"})
#: Paths that exist only on POSIX systems.
POSIX_PATHS = ("/proc", "/dev/", "/sys/", "/etc/", "/tmp", "/var/", "/usr/", "/home/", "/run/")

#: A test that decides the platform, or whether the call exists.
PLATFORM_TESTS = ("os.name", "sys.platform", "platform.system", "hasattr(", "WINDOWS", "POSIX", "IS_WIN")
#: What Windows raises for a missing module or attribute, or a call that fails there.
WINDOWS_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError", "OSError",
                            "NotImplementedError", "Exception", "BaseException", "PermissionError"})


@dataclass(frozen=True)
class Use:
    module: str
    line: int
    what: str
    guard: str | None  # None: unguarded

    def __str__(self) -> str:
        return f"{self.module}:{self.line} {self.what} ({self.guard or 'UNGUARDED'})"


def module_files() -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
    return files


def imported_modules(name: str, tree: ast.AST, known: dict[str, Path]) -> set[str]:
    """Project modules this module imports anywhere in its body (lazy imports in functions included)."""
    found = set()
    package = name if known[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            parts = target.split(".")
            for end in range(1, len(parts) + 1):  # importing a.b.c imports a and a.b too
                candidate = ".".join(parts[:end])
                if candidate in known:
                    found.add(candidate)
    return found


def reader_modules() -> dict[str, Path]:
    known = module_files()
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in known.items()}
    reached: set[str] = set()
    queue = [*READER_ROOTS, *(n for n in known if n.startswith(("bold_tui.screens", "bold_tui.widgets")))]
    while queue:
        name = queue.pop()
        if name in reached or name in PIPELINE_ONLY:
            continue
        reached.add(name)
        queue.extend(imported_modules(name, trees[name], known) - reached)
    return {name: known[name] for name in sorted(reached)}


# -- finding POSIX-only uses and their guards ---------------------------------------------------------------

def _posix_use(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        names = [a.name.split(".")[0] for a in node.names if a.name.split(".")[0] in POSIX_MODULES]
        return f"import {names[0]}" if names else None
    if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] in POSIX_MODULES:
        return f"from {node.module} import ..."
    if isinstance(node, ast.ImportFrom) and node.module in POSIX_ATTRIBUTES:
        bad = [a.name for a in node.names if a.name in POSIX_ATTRIBUTES[node.module]]
        return f"from {node.module} import {bad[0]}" if bad else None
    if isinstance(node, ast.Attribute):
        owner = ast.unparse(node.value)
        if node.attr in POSIX_ATTRIBUTES.get(owner, ()):
            return f"{owner}.{node.attr}"
        if node.attr in POSIX_METHODS and owner not in POSIX_ATTRIBUTES:
            return f"{owner}.{node.attr}()"
    if isinstance(node, ast.Call) and _text_without_encoding(node):
        return f"{ast.unparse(node.func)}() without encoding= (Windows reads cp1252)"
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(POSIX_PATHS):
        return f"path {node.value!r}"
    return None


def _text_without_encoding(call: ast.Call) -> bool:
    """Text read or written in the locale's encoding: UTF-8 on Linux, a code page on Windows before 3.15."""
    if any(k.arg == "encoding" for k in call.keywords):
        return False
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    if name in ("read_text", "write_text"):
        return True
    if name in ("open", "fdopen"):
        mode_index = 1  # open(path, mode), path.open(mode), os.fdopen(fd, mode)
        if isinstance(call.func, ast.Attribute) and ast.unparse(call.func.value) not in ("os", "io", "builtins"):
            mode_index = 0
        modes = [k.value for k in call.keywords if k.arg == "mode"]
        if len(call.args) > mode_index:
            modes.append(call.args[mode_index])
        if ast.unparse(call.func) == "os.open":
            return False
        mode = modes[0].value if modes and isinstance(modes[0], ast.Constant) else "r"
        return isinstance(mode, str) and "b" not in mode
    return False


def _is_platform_test(test: ast.AST) -> bool:
    text = ast.unparse(test)
    return any(marker in text for marker in PLATFORM_TESTS)


def _catches_windows_errors(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = [ast.unparse(e) for e in (handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type])]
    return any(name.rpartition(".")[2] in WINDOWS_ERRORS for name in names)


def _exits(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.If) and _is_platform_test(statement.test) and bool(statement.body) and \
        isinstance(statement.body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break))


def _guard(node: ast.AST, parents: dict[ast.AST, ast.AST], silent: bool = False) -> str | None:
    """What keeps Windows from reaching ``node``; ``silent``: a call Windows accepts and ignores, so only a
    platform test guards it (catching an error does nothing when none is raised)."""
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, (ast.If, ast.IfExp, ast.While)) and child is not parent.test \
                and _is_platform_test(parent.test):
            return f"under `{ast.unparse(parent.test)}`"
        if isinstance(parent, ast.BoolOp):
            earlier = parent.values[: parent.values.index(child)] if child in parent.values else []
            if any(_is_platform_test(v) for v in earlier):
                return "after a platform test in the same condition"
        if isinstance(parent, ast.Try) and child in parent.body and not silent:
            caught = [h for h in parent.handlers if _catches_windows_errors(h)]
            if caught:
                return f"in a try that catches {ast.unparse(caught[0].type) if caught[0].type else 'everything'}"
        for field in ("body", "orelse", "finalbody"):
            siblings = getattr(parent, field, None)
            if isinstance(siblings, list) and child in siblings:
                exits = [s for s in siblings[: siblings.index(child)] if _exits(s)]
                if exits:
                    return f"after `if {ast.unparse(exits[0].test)}: {type(exits[0].body[-1]).__name__.lower()}`"
        child, parent = parent, parents.get(parent)
    return None


def posix_uses(module: str, source: str) -> list[Use]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    uses = []
    for node in ast.walk(tree):
        what = _posix_use(node)
        if what is None:
            continue
        # A docstring that mentions /proc is not a call.
        parent = parents.get(node)
        if isinstance(node, ast.Constant) and isinstance(parent, ast.Expr):
            continue
        silent = "chmod" in what
        uses.append(Use(module, getattr(node, "lineno", 0), what, _guard(node, parents, silent)))
    return sorted(uses, key=lambda u: u.line)


def reader_posix_uses() -> list[Use]:
    return [use for name, path in reader_modules().items()
            for use in posix_uses(name, path.read_text(encoding="utf-8"))]


# -- the tests ----------------------------------------------------------------------------------------------

def test_the_reader_path_is_the_reader_and_not_the_pipeline() -> None:
    modules = reader_modules()
    for expected in ("bold_tui.cli", "bold_tui.app", "bold_tui.secrets", "bold_tui.locations",
                     "linkage_core.bundle.reader", "sample_db"):
        assert expected in modules, expected
    # The memory guard is the secure stage's: the reader never needs it, so never needs psutil either.
    assert "linkage_core.memory" not in modules
    assert "bold_tui.pipeline_commands" not in modules


def test_no_posix_only_call_on_the_reader_path_is_unguarded() -> None:
    unguarded = [str(use) for use in reader_posix_uses() if use.guard is None]
    assert not unguarded, "POSIX-only calls on the reader's path with no guard:\n" + "\n".join(unguarded)


@pytest.mark.parametrize("source", [
    "import fcntl\n",
    "import termios, sys\nold = termios.tcgetattr(sys.stdin)\n",
    "import os\nuid = os.getuid()\n",
    "import os\nos.chmod('key', 0o600)\n",
    "from pathlib import Path\nPath('key').chmod(0o600)\n",
    "import signal\nsignal.signal(signal.SIGALRM, print)\n",
    "from pathlib import Path\ntext = Path('/proc/meminfo').read_text()\n",
    "import resource\n",
    "import asyncio\nasyncio.get_event_loop().add_signal_handler(2, print)\n",
    "from pathlib import Path\ntext = Path('help.md').read_text()\n",
    "with open('notes.txt', 'w') as handle:\n    handle.write('x')\n",
    "import os\ntry:\n    uid = os.getuid()\nexcept ValueError:\n    uid = 0\n",  # the wrong error
    "import os\ntry:\n    os.chmod('key', 0o600)\nexcept OSError:\n    pass\n",  # Windows ignores it: no error
    "import sys\nif sys.stdin.isatty():\n    import termios\n",  # not a platform test
])
def test_the_scan_flags_an_unguarded_posix_call(source: str) -> None:
    uses = posix_uses("example", source)
    assert uses and any(use.guard is None for use in uses), uses


@pytest.mark.parametrize("source", [
    "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None\n",
    "import os\nif os.name == 'posix':\n    uid = os.getuid()\n",
    "import sys\ndef f():\n    if sys.platform == 'win32':\n        return\n    import termios\n    return termios\n",
    "import os\nok = os.name != 'nt' and os.getuid() == 0\n",
    "import os\nuid = os.getuid() if hasattr(os, 'getuid') else 0\n",
    "import signal\nALARM = getattr(signal, 'SIGALRM', None)\n",
    "import os\nif os.name == 'posix':\n    os.chmod('key', 0o600)\n",
    '"""Reads /proc/meminfo where it exists."""\n',
    "from pathlib import Path\ntext = Path('help.md').read_text(encoding='utf-8')\n",
    "with open('key', 'rb') as handle:\n    data = handle.read()\n",
    "import os\nfd = os.open('key', os.O_RDONLY)\n",
])
def test_the_scan_accepts_a_guarded_posix_call(source: str) -> None:
    assert all(use.guard is not None for use in posix_uses("example", source))


#: Run in a fresh interpreter: the libraries the reader uses load as they would (they choose their own
#: backend from sys.platform), then what Windows lacks is taken away, and the reader's commands must still work.
_WITHOUT_POSIX = """
import os, signal, sys
import cryptography.hazmat.primitives.ciphers.aead, platformdirs, pydantic, rich.console  # noqa: F401
for name in {modules!r}:
    sys.modules[name] = None
for owner, names in {attributes!r}.items():
    module = sys.modules[owner]
    for name in names:
        if hasattr(module, name):
            delattr(module, name)
import sample_db
from bold_tui.cli import main
commands = [["verify", str(sample_db.demo_bundle_path())], ["list"], ["show", "--all"], ["trust", "list"],
            ["keygen", "--out", sys.argv[1] + "/reader-key"], ["trust", "add", sys.argv[1] + "/reader-key.pub"]]
for argv in commands:
    try:
        main(argv)
    except SystemExit as stop:
        if stop.code:
            sys.exit(f"{{argv[0]}} exited {{stop.code}}")
"""


def test_reader_commands_run_without_what_windows_lacks(tmp_path: Path) -> None:
    """A stand-in for Windows (there is none here): the reader's commands with POSIX-only modules and calls gone."""
    import os
    import subprocess
    import sys

    script = _WITHOUT_POSIX.format(modules=sorted(POSIX_MODULES - {"posix"}),
                                   attributes={k: sorted(v) for k, v in POSIX_ATTRIBUTES.items()})
    env = {**os.environ, "BOLD_CONFIG_DIR": str(tmp_path / "config"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Something went wrong" not in result.stderr
    assert list((tmp_path / "config" / "trusted").glob("*.pub"))
