"""Quire as a user installs it: build the wheel, install it into a fresh virtual
environment in a temporary folder, and run the installed `quire` from a folder
outside the repository (the window as a screenshot, add, search, --version,
install-desktop, the welcome articles and themes found as package data).

Offline on purpose: the wheel is built with the running environment's setuptools
(--no-build-isolation, a test dependency) and installed with --no-index. The
fresh venv has only Quire; its third-party dependencies are borrowed from the
running environment through a .pth line naming that environment's site-packages
(a line, not `site.addsitedir`, so the .pth files there, the editable install's
finder among them, are not run: nothing of the checkout can leak in).
Slow-ish (~15 s): one build and install for the whole module.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archive import __version__
from tests.support import REPO, make_page

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "app", "archive", "resources")


def _run(cmd, **kw):
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, **kw)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(the wheel, the fresh venv's folder) for the module's tests."""
    base = tmp_path_factory.mktemp("install")
    src = base / "src"  # a copy: the build writes build/ and *.egg-info beside the sources
    src.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(REPO / name, src / name)
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", str(dist)])
    (wheel,) = dist.glob("quire-*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
          "-q", str(wheel)])
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip()
    # The running environment's site-packages may lie inside the checkout (make test's
    # .venv does): it is borrowed all the same. Only its path is added, so its .pth files
    # (the editable install's finder among them) are not run in the fresh venv.
    borrowed = [p for p in [*site.getsitepackages(), site.getusersitepackages()] if Path(p).is_dir()]
    (Path(purelib) / "quire-test-dependencies.pth").write_text("\n".join(borrowed) + "\n")
    return wheel, venv


@pytest.fixture
def user(tmp_path):
    """A folder outside the repository to run from, and an environment whose user
    folders are all in tmp_path (nothing of the real user is read or written)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "QUIRE_ARCHIVE", "PYTHONHOME")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    where = tmp_path / "elsewhere"
    where.mkdir()
    return where, env


def test_the_wheel_holds_every_package_and_the_resources(built):
    wheel, _venv = built
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {str(p.parent.relative_to(REPO)) for top in ("app", "archive", "resources")
                for p in (REPO / top).rglob("__init__.py")}
    assert packages, "no packages found in the checkout"
    for package in packages:
        assert f"{package}/__init__.py" in names, f"{package} is missing from the wheel"
    data = {str(p.relative_to(REPO)) for p in (REPO / "resources").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc")}
    assert data and data <= names, sorted(data - names)
    assert "main.py" not in names  # no top-level `main` module: the entry point is app.launcher


def test_installed_quire_runs_from_elsewhere(built, user):
    _wheel, venv = built
    where, env = user
    quire = str(venv / "bin" / "quire")
    python = str(venv / "bin" / "python")
    run = lambda *args: _run([*args], cwd=where, env=env)  # noqa: E731

    assert run(quire, "--version").stdout.strip() == f"quire {__version__}"
    homes = json.loads(run(python, "-c", "import json, app, archive, resources; "
                                         "print(json.dumps([m.__file__ for m in (app, archive, resources)]))").stdout)
    for home in homes:
        assert Path(home).is_relative_to(venv), f"{home} is not the installed copy"

    arch = where / "arch"
    shot = where / "out.png"
    run(quire, "--archive", str(arch), "--screenshot", str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    listed = json.loads(run(quire, "--archive", str(arch), "list", "--json").stdout)
    welcome = sorted((REPO / "resources" / "welcome").glob("*.html"))
    assert len(listed) == len(welcome) >= 1
    assert all(a["tags"] == ["quire"] for a in listed)

    page = where / "herons.html"
    page.write_text(make_page("Herons of the estuary", "Grey herons wade in the estuary shallows."), "utf-8")
    aid = run(quire, "--archive", str(arch), "add", str(page)).stdout.split()[0]
    hits = json.loads(run(quire, "--archive", str(arch), "search", "estuary", "--json").stdout)
    assert [h["id"] for h in hits] == [aid]

    themes = run(python, "-c", "from app.gui.themes import THEMES_DIR, THEME_NAMES; "
                               "print(all((THEMES_DIR / f'{n}.css').is_file() for n in THEME_NAMES), THEMES_DIR)")
    ok, themes_dir = themes.stdout.split()
    assert ok == "True" and Path(themes_dir).is_relative_to(venv)


def test_install_desktop_points_at_the_installed_quire(built, user):
    _wheel, venv = built
    where, env = user
    run = lambda *args: _run([*args], cwd=where, env=env)  # noqa: E731
    run(str(venv / "bin" / "quire"), "install-desktop")
    data = Path(env["XDG_DATA_HOME"])
    entry = (data / "applications" / "quire.desktop").read_text()
    assert f"\nExec={venv / 'bin' / 'quire'}\n" in entry and "\nIcon=quire\n" in entry
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / "quire.svg").read_bytes().startswith(b"<")
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "quire.png").is_file()


def test_a_foreign_package_of_the_same_name_is_named_not_run(built, user, tmp_path):
    _wheel, venv = built
    where, env = user
    foreign = tmp_path / "foreign"
    (foreign / "archive").mkdir(parents=True)
    (foreign / "archive" / "__init__.py").write_text('"""Somebody else\'s archive package."""\n')
    done = subprocess.run([str(venv / "bin" / "quire"), "--version"], cwd=where, capture_output=True,
                          text=True, timeout=60, env={**env, "PYTHONPATH": str(foreign)})
    assert done.returncode == 1
    assert "the package 'archive'" in done.stderr and "is not Quire's" in done.stderr
    assert "pipx install ." in done.stderr
