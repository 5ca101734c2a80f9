"""Drive the real ``bold`` command in tmux at a given size and print each screen (a manual check, not a test).

Usage: python tests/tmux_drive.py [WIDTHxHEIGHT] KEYS...   where each KEYS item is sent, then the screen
printed; ``text:...`` types text, anything else is a tmux key name (Enter, Escape, C-l, ...).
Example: python tests/tmux_drive.py 80x24 text:synthetic-demo Enter Enter w Escape '?' q
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    size = argv[0] if argv and "x" in argv[0] and argv[0].split("x")[0].isdigit() else "80x24"
    keys = argv[1:] if argv and argv[0] == size else argv
    width, height = size.split("x")
    session = f"bold-drive-{os.getpid()}"
    command = os.environ.get("BOLD_COMMAND", "bold")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", width, "-y", height,
                    f"env TERM=xterm-256color {command}; sleep 3"], check=True)
    try:
        time.sleep(2.5)
        show(session, "start")
        for key in keys:
            if key.startswith("text:"):
                subprocess.run(["tmux", "send-keys", "-t", session, "-l", key[5:]], check=True)
            else:
                subprocess.run(["tmux", "send-keys", "-t", session, key], check=True)
            time.sleep(float(os.environ.get("BOLD_DRIVE_PAUSE", "1.2")))
            show(session, key)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    return 0


def show(session: str, label: str) -> None:
    screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
    print(f"===== after {label} =====")
    print(screen.rstrip("\n"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
