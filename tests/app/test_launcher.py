"""The entry point: no command opens the window (here: a screenshot), a command
runs the command line; every command is registered once, in app.cli.main.COMMANDS."""
from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys

import app.cli
from app.cli.common import Command
from app.cli.main import COMMANDS
from tests.support import REPO


def _run(*args, **env):
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    full_env.pop("QUIRE_ARCHIVE", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=full_env,
                          timeout=120, cwd=REPO)


def test_every_command_module_is_in_the_table():
    defined = []
    for info in pkgutil.iter_modules(app.cli.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"app.cli.{info.name}")
        defined += [v for v in vars(module).values() if isinstance(v, Command)]
    assert sorted(c.name for c in defined) == sorted(c.name for c in COMMANDS)
    assert len({c.name for c in COMMANDS}) == len(COMMANDS)


def test_no_command_opens_the_window_and_screenshots_it(tmp_path):
    out = tmp_path / "shot.png"
    done = _run("main.py", "--archive", str(tmp_path / "arch"), "--screenshot", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert any((tmp_path / "arch" / "articles").iterdir())  # the welcome articles were seeded


def test_screenshot_with_a_command_is_a_usage_error(tmp_path):
    done = _run("main.py", "--archive", str(tmp_path / "arch"), "--screenshot", "x.png", "list")
    assert done.returncode == 2
    assert "--screenshot" in done.stderr


def test_the_cli_alone_needs_a_command_and_never_loads_qt(tmp_path):
    done = _run("-m", "app.cli", "--archive", str(tmp_path / "arch"))
    assert done.returncode == 2 and "give a command" in done.stderr
    code = ("import sys; from app.cli.main import main; main(['--archive', sys.argv[1], 'tags']); "
            "print('PySide6' in sys.modules)")
    done = _run("-c", code, str(tmp_path / "arch"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_a_foreign_top_level_package_is_refused_with_a_clear_message(tmp_path):
    foreign = tmp_path / "foreign"
    (foreign / "app").mkdir(parents=True)
    (foreign / "app" / "__init__.py").write_text("")
    (foreign / "app" / "launcher.py").write_text((REPO / "app" / "launcher.py").read_text())
    code = "import sys; from app.launcher import installation_problem; print(installation_problem())"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(foreign), str(REPO)])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"the package 'app' that Python finds ({foreign / 'app' / '__init__.py'}) is not Quire's"
    done = _run("-c", "from app.launcher import installation_problem; print(installation_problem())")
    assert done.stdout.strip() == "None"


def test_version(tmp_path):
    from archive import __version__

    done = _run("main.py", "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"quire {__version__}"


def test_building_the_parser_leaves_the_store_and_numpy_out():
    """Every command builds the whole parser before it runs: a command module's
    configure() that imports the archive store (the connector's did, for its
    default port) costs every `quire …` about 0.4 s before it starts."""
    code = ("import sys; from app.cli.main import build_parser; build_parser(); "
            "print(sorted(m for m in ('archive.library.store', 'numpy', 'whoosh') if m in sys.modules))")
    done = _run("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_building_the_parser_leaves_the_connector_server_out():
    """`serve --port`'s help names the default port: reading it must not import the
    connector's server, API and save pipeline (http.server, multiprocessing, the
    preparing pool), which every `quire …` would pay for (measured: ~39 M of the
    144 M more instructions a `quire list` ran after the re-homing)."""
    code = ("import sys; from app.cli.main import build_parser; build_parser(); "
            "print(sorted(m for m in ('app.connector.server', 'app.connector.api', 'http.server', "
            "'multiprocessing') if m in sys.modules))")
    done = _run("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
