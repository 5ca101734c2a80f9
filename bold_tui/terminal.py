"""Echo off from the first moment of ``bold``: a passphrase typed while Python is still loading (before the
app or a prompt owns the terminal) is never shown, and what was typed ahead is not left for the shell.

POSIX only (``termios``); on Windows the console shows nothing until a program reads, so there is nothing to
do and nothing here runs. Imports nothing heavy: ``cli.main`` calls it first.
"""

from __future__ import annotations

import sys

_saved: tuple[int, list] | None = None


def hold_echo() -> None:
    """Turn echo off on a terminal stdin, remembering how it was."""
    global _saved
    try:
        import termios
    except ImportError:  # Windows
        return
    try:
        fd = sys.stdin.fileno()
        if not sys.stdin.isatty():
            return
        before = termios.tcgetattr(fd)
        quiet = list(before)
        quiet[3] = quiet[3] & ~(termios.ECHO | termios.ECHONL)
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        _saved = (fd, before)
    except (OSError, ValueError, termios.error):
        _saved = None


def release_echo() -> None:
    """Put the terminal back as it was, dropping keys typed but never read (they could be a passphrase)."""
    global _saved
    if _saved is None:
        return
    if sys.platform == "win32":  # never reached there (nothing is saved), but said for the reader-path scan
        return
    import termios

    fd, before = _saved
    _saved = None
    try:
        termios.tcflush(fd, termios.TCIFLUSH)
        termios.tcsetattr(fd, termios.TCSANOW, before)
    except (OSError, termios.error):
        pass
