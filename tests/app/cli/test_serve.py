"""`quire serve` and `quire connector secret` as a user runs them: the first line
names the address, the connector answers with the archive's secret, it shares
the archive with other commands, and SIGINT/SIGTERM stop it cleanly."""
from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys

import httpx
import pytest

from tests.support import REPO, make_page


def _env() -> dict:
    env = dict(os.environ)
    env.pop("QUIRE_ARCHIVE", None)
    return env


def quire(archive_dir, *args):
    return subprocess.run([sys.executable, str(REPO / "main.py"), "--archive", str(archive_dir), *args],
                          capture_output=True, text=True, env=_env(), timeout=120)


def start_serve(archive_dir, *args) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(REPO / "main.py"), "--archive", str(archive_dir), "serve",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    first = proc.stdout.readline().strip()
    return proc, first


def test_connector_secret_is_made_once_kept_private_and_replaced_with_new(tmp_path):
    arch = tmp_path / "arch"
    first = quire(arch, "connector", "secret")
    assert first.returncode == 0, first.stderr
    secret = first.stdout.strip()
    assert len(secret) >= 40
    assert quire(arch, "connector", "secret").stdout.strip() == secret
    path = arch / "connector-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    fresh = quire(arch, "connector", "secret", "--new").stdout.strip()
    assert fresh != secret and quire(arch, "connector", "secret").stdout.strip() == fresh
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert quire(arch, "connector").returncode == 2  # the action is required


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_shares_the_archive_and_stops_cleanly(tmp_path, how):
    arch = tmp_path / "arch"
    proc, first = start_serve(arch, "--port", "0")
    try:
        assert first.startswith("listening on http://127.0.0.1:"), (first, proc.stderr.read())
        base = first.removeprefix("listening on ")
        assert httpx.get(f"{base}/api/v1/ping").json()["name"] == "Quire"
        secret = quire(arch, "connector", "secret").stdout.strip()
        auth = {"Authorization": f"Bearer {secret}"}
        saved = httpx.post(f"{base}/api/v1/save", headers=auth, timeout=60, json={
            "url": "https://example.com/served", "html": make_page("Served headless"), "tags": ["cli"]})
        assert saved.status_code == 201, saved.text
        aid = saved.json()["id"]
        # another command on the same archive while it serves
        shown = quire(arch, "tag", aid, "+beside")
        assert shown.returncode == 0, shown.stderr
        status = httpx.get(f"{base}/api/v1/status", params={"url": "https://example.com/served"}, headers=auth)
        assert status.json()["tags"] == ["beside", "cli"]
        assert proc.stdout.readline().strip() == f"saved {aid}  Served headless"
    finally:
        proc.send_signal(how)
        code = proc.wait(30)
    assert code == 0, proc.stderr.read()
    listed = quire(arch, "list")
    assert "Served headless" in listed.stdout


def test_serve_on_a_taken_port_says_so_and_binds_nothing_else(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = quire(tmp_path / "arch", "serve", "--port", str(port))
    assert done.returncode == 1
    assert done.stdout == ""
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "port" in done.stderr


def test_serve_refuses_a_port_that_is_not_one(tmp_path):
    done = quire(tmp_path / "arch", "serve", "--port", "70000")
    assert done.returncode == 2
    assert "not a port number" in done.stderr


def start_for_window(archive_dir, port: int) -> subprocess.Popen:
    """`quire serve --for-window` as the window starts it (app/connector/window_child.py)."""
    from app.connector import window_child

    return subprocess.Popen(window_child.serve_command(archive_dir, port), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=window_child.serve_environment())


def test_serve_for_the_window_prints_json_events_and_stops_when_its_stdin_closes(tmp_path):
    """The window's connector: the same first line, then one JSON line per save or tag
    change, each after its index commit (a handle opened before it, as the window's,
    finds the article when told); the end of stdin (the window closed, or died) stops it."""
    import json

    from archive import Archive

    arch = tmp_path / "arch"
    with Archive(arch, seed=False, fetch=False) as window_archive:  # the window's own handle
        assert window_archive.search("kelp") == []
        proc = start_for_window(arch, 0)
        try:
            first = proc.stdout.readline().strip()
            assert first.startswith("listening on http://127.0.0.1:"), (first, proc.stderr.read())
            base = first.removeprefix("listening on ")
            auth = {"Authorization": f"Bearer {quire(arch, 'connector', 'secret').stdout.strip()}"}
            saved = httpx.post(f"{base}/api/v1/save", headers=auth, timeout=60, json={
                "url": "https://example.com/otters", "html": make_page("Otters of the kelp", "Urchins.")})
            assert saved.status_code == 201, saved.text
            aid = saved.json()["id"]
            assert json.loads(proc.stdout.readline()) == {"event": "saved", "id": aid,
                                                          "title": "Otters of the kelp"}
            assert [h.id for h in window_archive.search("kelp")] == [aid]
            tagged = httpx.post(f"{base}/api/v1/tags", headers=auth, timeout=60,
                                json={"id": aid, "add": ["sea"]})
            assert tagged.status_code == 200, tagged.text
            assert json.loads(proc.stdout.readline()) == {"event": "tagged", "id": aid,
                                                          "title": "Otters of the kelp"}
        finally:
            proc.stdin.close()  # no signal: the end of its input stops it
            code = proc.wait(60)
        assert code == 0, proc.stderr.read()
        assert proc.stdout.read() == ""
        assert "stopped" in proc.stderr.read()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base}/api/v1/ping")


def test_serve_for_the_window_on_a_taken_port_says_so_on_both_outputs(tmp_path):
    import json

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start_for_window(tmp_path / "arch", port)
        out, errors = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert [json.loads(line) for line in out.splitlines()] == [{"event": "port_in_use", "port": port}]
    assert f"cannot listen on 127.0.0.1:{port}" in errors
