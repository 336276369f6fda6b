"""`quire install-desktop`: the menu entry and icon in the user's data folder."""
from __future__ import annotations

import os
import subprocess
import sys

from app.cli.desktop import desktop_entry
from tests.support import REPO


def _install(tmp_path, xdg: str | None):
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    env.pop("XDG_DATA_HOME", None)
    if xdg is not None:
        env["XDG_DATA_HOME"] = xdg
    return subprocess.run([sys.executable, str(REPO / "main.py"), "install-desktop"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)


def test_writes_the_entry_and_icons_under_xdg_data_home(tmp_path):
    done = _install(tmp_path, str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    entry = (tmp_path / "data" / "applications" / "quire.desktop").read_text()
    # run from a checkout: this Python and the checkout's main.py, wherever the menu starts it from
    assert f"\nExec={sys.executable} {REPO / 'main.py'}\n" in entry
    assert f"\nTryExec={sys.executable}\n" in entry
    assert entry.startswith("[Desktop Entry]\n") and "\nIcon=quire\n" in entry
    assert (tmp_path / "data" / "icons/hicolor/scalable/apps/quire.svg").is_file()
    assert (tmp_path / "data" / "icons/hicolor/256x256/apps/quire.png").is_file()
    assert str(tmp_path / "data" / "applications" / "quire.desktop") in done.stdout


def test_without_xdg_data_home_or_with_a_relative_one_it_is_local_share(tmp_path):
    for xdg in (None, "relative/data"):  # the spec says a relative value is ignored
        done = _install(tmp_path, xdg)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "home" / ".local/share/applications/quire.desktop").is_file()
        assert not (tmp_path / "relative").exists()


def test_exec_quotes_paths_as_the_desktop_entry_spec_asks():
    entry = desktop_entry(["/opt/my apps/bin/quire"])
    assert '\nExec="/opt/my apps/bin/quire"\n' in entry
    entry = desktop_entry(['/odd/"$q`\\/100%/quire'])
    # quoted for Exec (\" \$ \` \\), then every backslash doubled by the string escaping
    assert "\n" + r'Exec="/odd/\\"\\$q\\`\\\\/100%%/quire"' + "\n" in entry
