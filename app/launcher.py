"""Quire's entry point (`quire`, `python -m app`, `python main.py`): with no
command it opens the window, with a command it runs the command line.

The window and its options (`--screenshot`) belong here, not to app.cli: the
command line never imports Qt, and the GUI is imported only when it opens.

Quire installs three top-level packages with common names: `app`, `archive` and
`resources`. Installed on its own (`pipx install .`, the documented way) nothing
can collide with them; installed into a shared environment, another
distribution's `app` or `archive` could replace ours. So before anything else
the launcher checks that all three are Quire's (each defines QUIRE_PACKAGE) and
come from one installation (one folder), and says so plainly if not.
"""
from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

TOP_LEVEL = ("app", "archive", "resources")


def installation_problem() -> str | None:
    """Why Quire's own top-level packages are not what Python imports, or None."""
    homes: dict[str, Path] = {}
    for name in TOP_LEVEL:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a foreign package may fail in any way
            return f"the package {name!r} cannot be imported ({type(exc).__name__}: {exc})"
        where = Path(getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", [])), "?"))
        if getattr(module, "QUIRE_PACKAGE", None) != "quire":
            return f"the package {name!r} that Python finds ({where}) is not Quire's"
        homes[name] = where.resolve().parent.parent
    if len(set(homes.values())) > 1:
        found = ", ".join(f"{n} from {h}" for n, h in homes.items())
        return f"Quire's packages come from different installations ({found})"
    return None


def check_installation() -> None:
    """Stop with a clear message when another package shadows one of Quire's."""
    problem = installation_problem()
    if problem:
        raise SystemExit(
            f"quire: {problem}.\n"
            "Another program installed a package of the same name into this Python "
            "environment. Install Quire on its own: `pipx install .` from its folder "
            "(see the README), or into a fresh virtual environment.")


def open_window(root: Path, screenshot: Path | None = None) -> int:
    """The GUI, imported only when wanted, so commands never load Qt. Before Qt
    loads, the X11 libraries it needs are checked (app.syslibs): a missing one
    is one clear message with the install command, not Qt's abort."""
    if screenshot is None:
        from app import syslibs

        problem = syslibs.check_window_libraries()
        if problem:
            print(problem, file=sys.stderr)
            return 1
    from app.gui.main import run

    return run(root, screenshot)


def main(argv: Sequence[str] | None = None) -> int:
    check_installation()
    from archive.library.paths import resolve_archive_root

    from app.cli.main import build_parser, parse, run

    parser = build_parser()
    parser.description = "Quire: an offline reading archive. With no command, opens the window."
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="open the window offscreen, show the first article, save a PNG and exit")
    args = parse(parser, sys.argv[1:] if argv is None else argv)
    if args.command is None:
        root = resolve_archive_root(args.archive)
        return open_window(root, Path(args.screenshot) if args.screenshot else None)
    if args.screenshot:
        parser.error("--screenshot renders the window: give it without a command")
    return run(args)
