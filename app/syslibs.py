"""The system libraries Qt's X11 window needs, checked before the window opens.

PySide6's wheel brings Qt but not the X11 libraries its xcb platform plugin is
linked against. On a fresh desktop some are missing (libxcb-cursor0 since Qt 6.5,
libxcb-icccm4, libxcb-keysyms1…) and Qt aborts with "Could not load the Qt
platform plugin "xcb"…" — one library at a time (issue 19). Here every library
the plugin needs is looked for at once (ctypes: the dynamic loader's own search,
so LD_LIBRARY_PATH counts) and, when some are missing, `quire` / `make run`
stops with one message naming the exact install command for Debian/Ubuntu,
Fedora and Arch. Qt-free: it runs before Qt is imported.

The list is the NEEDED entries of PySide6's plugins/platforms/libqxcb.so and
libQt6XcbQpa.so, plus what QtGui and QtDBus load (EGL, fontconfig, freetype, D-Bus).
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Iterable, Mapping

#: soname -> (Debian/Ubuntu package, Fedora package, Arch package)
XCB_LIBRARIES: dict[str, tuple[str, str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
}


def uses_xcb(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt will open the window through X11 (xcb): on Linux, with an X
    display, unless QT_QPA_PLATFORM or a Wayland session says otherwise."""
    env = os.environ if env is None else env
    if not (platform or sys.platform).startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").strip().lower()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    if env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        return False  # Qt 6 takes Wayland there
    return bool(env.get("DISPLAY"))


def loadable(soname: str) -> bool:
    """Whether the dynamic loader finds and loads `soname` (Qt would load it anyway)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(names: Iterable[str] = XCB_LIBRARIES,
                      found: Callable[[str], bool] | None = None) -> list[str]:
    """The sonames among `names` the system cannot load (`found` defaults to
    loadable), in the table's order."""
    found = found or loadable
    return [name for name in names if not found(name)]


def install_message(missing: list[str]) -> str:
    """One message: what is missing and the exact command that installs it on
    Debian/Ubuntu, Fedora and Arch (each package once, in the table's order)."""
    def packages(column: int) -> str:
        seen: list[str] = []
        for name in missing:
            package = XCB_LIBRARIES.get(name, (name, name, name))[column]
            if package not in seen:
                seen.append(package)
        return " ".join(seen)

    return (
        "quire: the window cannot open: Qt's X11 platform needs system libraries that "
        f"are not installed ({', '.join(missing)}).\n"
        "Install them, then start Quire again:\n"
        f"  Debian, Ubuntu:  sudo apt-get install {packages(0)}\n"
        f"  Fedora:          sudo dnf install {packages(1)}\n"
        f"  Arch:            sudo pacman -S --needed {packages(2)}\n"
        "(The command line works without them: `quire --help`.)"
    )


def check_window_libraries(env: Mapping[str, str] | None = None,
                           found: Callable[[str], bool] | None = None) -> str | None:
    """The install message when the window would open through X11 and some of
    its libraries are missing; None when it can open (or does not use X11)."""
    if not uses_xcb(env):
        return None
    missing = missing_libraries(found=found)
    return install_message(missing) if missing else None
