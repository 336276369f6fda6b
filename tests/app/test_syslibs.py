"""`make run` on a desktop without Qt's X11 libraries (issue 19): before Qt
loads, the libraries its xcb platform plugin needs are looked for, and a
missing one is one message naming the install command, not Qt's abort."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import syslibs
from tests.support import REPO


def test_the_message_names_the_exact_install_commands():
    message = syslibs.install_message(
        ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-randr.so.0", "libxcb-shape.so.0"])
    lines = message.splitlines()
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4" in lines[0]
    assert "  Debian, Ubuntu:  sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-randr0 " \
           "libxcb-shape0" in lines
    assert "  Fedora:          sudo dnf install xcb-util-cursor xcb-util-wm libxcb" in lines
    assert "  Arch:            sudo pacman -S --needed xcb-util-cursor xcb-util-wm libxcb" in lines


@pytest.mark.parametrize("env, xcb", [
    ({"DISPLAY": ":0"}, True),
    ({}, False),  # no display at all: nothing to check
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, False),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, False),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "x11"}, True),
])
def test_only_an_x11_window_is_checked(env, xcb):
    assert syslibs.uses_xcb(env, platform="linux") is xcb
    assert syslibs.uses_xcb({"DISPLAY": ":0"}, platform="darwin") is False


def test_the_loader_decides_what_is_missing():
    assert syslibs.missing_libraries(["libc.so.6", "libquire-nonexistent.so.7"]) == [
        "libquire-nonexistent.so.7"]
    everything_but = lambda name: name not in {"libxcb-keysyms.so.1", "libEGL.so.1"}  # noqa: E731
    assert syslibs.missing_libraries(found=everything_but) == ["libxcb-keysyms.so.1", "libEGL.so.1"]
    assert syslibs.check_window_libraries({"DISPLAY": ":0"}, found=lambda _n: True) is None
    assert "libxcb-keysyms1" in syslibs.check_window_libraries({"DISPLAY": ":0"}, found=everything_but)


def test_the_table_covers_every_library_the_installed_xcb_plugin_needs():
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    readelf = shutil.which("readelf") or shutil.which("objdump")
    if not plugin.exists() or readelf is None:
        pytest.skip("no libqxcb.so here, or no readelf/objdump to read what it needs")
    qpa = plugin.parents[2] / "lib" / "libQt6XcbQpa.so.6"
    needed: set[str] = set()
    for path in (plugin, qpa):
        flags = ["-d"] if readelf.endswith("readelf") else ["-p"]
        out = subprocess.run([readelf, *flags, str(path)], capture_output=True, text=True).stdout
        needed |= {line.split("[")[-1].rstrip("]").strip() if "[" in line else line.split()[-1]
                   for line in out.splitlines() if "NEEDED" in line}
    system = {n for n in needed if not n.startswith(("libQt6", "libicu"))}
    basic = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libpthread.so.0",
             "libdl.so.2", "librt.so.1", "libz.so.1", "libgthread-2.0.so.0"}
    assert system - basic - set(syslibs.XCB_LIBRARIES) == set()


def test_starting_the_window_without_them_says_what_to_install(tmp_path):
    """The real entry point, with the loader told libxcb-cursor is missing: one
    message and status 1, and Qt is never loaded."""
    code = (
        "import sys\n"
        "from app import syslibs\n"
        "syslibs.loadable = lambda name: name != 'libxcb-cursor.so.0'\n"
        "from app.launcher import main\n"
        f"status = main(['--archive', {str(tmp_path / 'arch')!r}])\n"
        "assert 'PySide6.QtWidgets' not in sys.modules and 'PySide6.QtGui' not in sys.modules\n"
        "sys.exit(status)\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env["DISPLAY"] = ":97"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert "sudo apt-get install libxcb-cursor0" in out.stderr
    assert "sudo dnf install xcb-util-cursor" in out.stderr
    assert "qt.qpa" not in out.stderr and "Traceback" not in out.stderr
