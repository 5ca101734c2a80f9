"""Trainer mode (``bold serve [FILE]``): the app in a browser on this computer, for a projector in a room.

textual-serve runs the app once per browser tab and streams it to the page. Its own page fetches a web font
from the internet, which would break "the app sends nothing anywhere" the moment a training room is online;
this module serves textual-serve's page from ``serve_assets/app_index.html`` instead, with the font (which
textual-serve ships) loaded from this computer. Only ``localhost`` is listened on by default, and the page
starts in a larger text size for a projector (``--font-size``, or ``?fontsize=N`` in the address).
"""

from __future__ import annotations

import shlex
import sys
import tempfile
from importlib import resources
from pathlib import Path

#: Text size on the page: the xterm default is 16 px; 22 reads from the back of a training room.
PROJECTOR_FONT_SIZE = 22


def page_template(font_size: int) -> str:
    """The page, with its default text size set (a ``?fontsize=`` in the address still wins)."""
    text = resources.files("bold_tui").joinpath("serve_assets/app_index.html").read_text(encoding="utf-8")
    return text.replace("__BOLD_FONT_SIZE__", str(int(font_size)))


def app_command(file: Path | None, trust: list[Path], keyfile: Path | None) -> str:
    """The command each browser tab runs: this Python, this package, the chosen bundle."""
    parts = [sys.executable, "-m", "bold_tui.cli"]
    if file is not None:
        parts += ["open", str(Path(file).resolve())]
        for pub in trust:
            parts += ["--trust", str(Path(pub).resolve())]
        if keyfile is not None:
            parts += ["--keyfile", str(Path(keyfile).resolve())]
    return " ".join(shlex.quote(p) for p in parts)


def make_server(file: Path | None, *, trust: list[Path] = (), keyfile: Path | None = None,
                host: str = "localhost", port: int = 8000, font_size: int = PROJECTOR_FONT_SIZE):
    """A textual-serve ``Server`` whose page is ours. Raises ImportError without the ``serve`` extra."""
    from textual_serve.server import Server

    folder = Path(tempfile.mkdtemp(prefix="bold-serve-"))  # the page only: no figure is ever written here
    (folder / "app_index.html").write_text(page_template(font_size), encoding="utf-8")
    return Server(app_command(file, list(trust), keyfile), host=host, port=port,
                  title="BOLD Insights (trainer mode)", templates_path=folder)
