"""`quire install-desktop`: put Quire in the desktop's application menu.

Writes the desktop entry (resources/quire.desktop, its Exec= pointing at the
quire that is running now) and the icon into the user's folders under
$XDG_DATA_HOME (default ~/.local/share), the places the freedesktop.org menu
and icon-theme specifications read for one user. Nothing is written system-wide.
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

import app
from archive.base import atomic
from resources import resource_path

from app.cli.common import EXIT_OK, Command, say

#: resource -> where it goes under the data folder
ICONS = {
    ("icons", "quire.svg"): Path("icons/hicolor/scalable/apps/quire.svg"),
    ("icons", "quire-256.png"): Path("icons/hicolor/256x256/apps/quire.png"),
}


def data_home() -> Path:
    """$XDG_DATA_HOME when set to an absolute path (the spec ignores a relative one),
    else ~/.local/share."""
    env = os.environ.get("XDG_DATA_HOME", "")
    return Path(env) if env and os.path.isabs(env) else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """How to start the Quire that runs now: the `quire` script itself when that is
    what runs (kept unresolved: a pipx link survives upgrades); from a checkout
    (`python main.py`) this Python and that main.py; else this Python running the
    installed launcher (`python -m app`)."""
    script = Path(sys.argv[0])
    if script.name.startswith("quire") and script.suffix != ".py" and script.is_file():
        return [str(script.absolute())]
    python = str(Path(sys.executable).absolute())
    shim = Path(app.__file__).resolve().parent.parent / "main.py"
    if shim.is_file():
        return [python, str(shim)]
    return [python, "-m", "app"]


def _exec_line(argv: list[str]) -> str:
    """An Exec= value as the desktop entry specification asks: an argument with
    spaces or specials in double quotes, with `"`, `` ` ``, `$` and `\\` escaped by a
    backslash; then the value's own string escaping doubles every backslash, and
    % (a field code) is written %%."""
    def quote(arg: str) -> str:
        if arg and all(c.isalnum() or c in "/._-+=:@" for c in arg):
            return arg
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return f'"{escaped}"'
    return " ".join(quote(a) for a in argv).replace("\\", "\\\\").replace("%", "%%")


def desktop_entry(argv: list[str]) -> str:
    """resources/quire.desktop with Exec= (and TryExec=) set to argv."""
    lines = []
    for line in resource_path("quire.desktop").read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={_exec_line(argv)}"
            lines.append("TryExec=" + argv[0].replace("\\", "\\\\"))
        elif line.startswith("TryExec="):
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


def _conf(p: argparse.ArgumentParser) -> None:
    p.add_argument("--print", action="store_true", help="only print the entry, write nothing")


def _run(_nothing, args) -> int:
    argv = launch_command()
    entry = desktop_entry(argv)
    if args.print:
        print(entry, end="")
        return EXIT_OK
    home = data_home()
    target = home / "applications" / "quire.desktop"
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(target, entry)
    say(f"wrote {target} (Exec={shlex.join(argv)})")
    for parts, where in ICONS.items():
        icon = home / where
        icon.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(icon, resource_path(*parts).read_bytes())
        say(f"wrote {icon}")
    return EXIT_OK


INSTALL_DESKTOP = Command("install-desktop", "put Quire in the desktop's application menu "
                          "(entry and icon under $XDG_DATA_HOME, default ~/.local/share)",
                          _conf, _run, needs="nothing")
