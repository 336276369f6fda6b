"""Every refusal of the connector, over real HTTP against the running server:
the secret, the Host header (DNS rebinding), web origins and CORS, JSON-only
capped bodies, GET without side effects, and fetches on a caller's behalf."""
from __future__ import annotations

import os
import socket
import stat

import httpx
import pytest

from app.connector import ConnectorAPI, ConnectorServer, PortInUseError, new_secret
from app.connector.secret import secret_path
from app.connector.server import MAX_BODY
from tests.support import make_page

PAGE = make_page("Herons at the connector")


def article_count(archive) -> int:
    return len(archive.articles())


def leftovers(archive) -> list[str]:
    return sorted(p.name for p in (archive.root / "articles").iterdir())


def raw_request(port: int, data: bytes) -> bytes:
    """Send bytes as they are (httpx would fix a wrong length) and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


# -- the secret -----------------------------------------------------------------------
@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/v1/status?url=https://example.com/a", None),
    ("POST", "/api/v1/save", {"url": "https://example.com/a", "html": PAGE}),
    ("POST", "/api/v1/tags", {"id": "abc", "add": ["x"]}),
])
def test_every_call_but_ping_needs_the_secret(connector, method, path, body):
    without = connector.anonymous.request(method, path, json=body)
    assert without.status_code == 401
    assert "secret" in without.json()["error"]
    wrong = connector.anonymous.request(method, path, json=body,
                                        headers={"Authorization": "Bearer not-the-secret"})
    assert wrong.status_code == 403
    assert "wrong secret" in wrong.json()["error"]
    other_scheme = connector.anonymous.request(method, path, json=body,
                                               headers={"Authorization": f"Basic {connector.secret}"})
    assert other_scheme.status_code == 403
    assert article_count(connector.archive) == 0


def test_ping_needs_no_secret_and_says_only_name_and_version(connector):
    answer = connector.anonymous.get("/api/v1/ping")
    assert answer.status_code == 200
    assert answer.json().keys() == {"name", "version"}
    assert answer.json()["name"] == "Quire"


def test_secret_file_is_private_created_once_and_a_new_one_takes_effect_at_once(connector):
    path = secret_path(connector.archive.root)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().strip() == connector.secret
    fresh = new_secret(connector.archive.root)
    assert fresh != connector.secret
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    url = "/api/v1/status?url=https://example.com/a"
    assert connector.client.get(url).status_code == 403  # the old one no longer works
    assert connector.anonymous.get(url, headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


# -- Host (DNS rebinding) ---------------------------------------------------------------
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1",
                                  "127.0.0.1", "localhost.evil.example:{port}", "0.0.0.0:{port}", ""])
def test_a_host_other_than_loopback_and_our_port_is_refused(connector, host):
    host = host.format(port=connector.port)
    for client in (connector.client, connector.anonymous):
        answer = client.get("/api/v1/ping", headers={"Host": host})
        assert answer.status_code == 403
        assert "Host" in answer.json()["error"]
    saved = connector.client.post("/api/v1/save", json={"url": "https://example.com/r", "html": PAGE},
                                  headers={"Host": host})
    assert saved.status_code == 403
    assert article_count(connector.archive) == 0


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_the_loopback_names_with_our_port_are_accepted(connector, host):
    answer = connector.client.get("/api/v1/ping", headers={"Host": host.format(port=connector.port)})
    assert answer.status_code == 200


# -- Origin and CORS ---------------------------------------------------------------------
@pytest.mark.parametrize("origin", ["https://evil.example", "http://evil.example", "http://127.0.0.1:8000",
                                    "null", "file://", "chrome-extension://"])
def test_a_web_origin_is_refused_and_never_gets_cors(connector, origin):
    for method, path, body in (("GET", "/api/v1/ping", None),
                               ("GET", "/api/v1/status?url=https://example.com/a", None),
                               ("POST", "/api/v1/save", {"url": "https://example.com/o", "html": PAGE}),
                               ("OPTIONS", "/api/v1/save", None)):
        answer = connector.client.request(method, path, json=body, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"})
        assert answer.status_code == 403, (method, path)
        assert "access-control-allow-origin" not in answer.headers
        assert "access-control-allow-headers" not in answer.headers
    assert article_count(connector.archive) == 0


@pytest.mark.parametrize("origin", ["chrome-extension://abcdefghijklmnopabcdefghijklmnop",
                                    "moz-extension://2c127fa4-62c7-7e4f-90e5-472b45eecfdc"])
def test_the_extensions_own_origin_is_allowed(connector, origin):
    pre = connector.anonymous.options("/api/v1/save", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-origin"] == origin
    assert "Authorization" in pre.headers["access-control-allow-headers"]
    answer = connector.client.get("/api/v1/status?url=https://example.com/a", headers={"Origin": origin})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == origin


# -- bodies ------------------------------------------------------------------------------
@pytest.mark.parametrize("ctype,content", [
    ("text/plain", '{"url": "https://example.com/a"}'),
    ("application/x-www-form-urlencoded", "url=https%3A%2F%2Fexample.com%2Fa"),
    ("multipart/form-data; boundary=x", "--x--"),
    (None, '{"url": "https://example.com/a"}'),
])
def test_only_json_bodies_are_taken(connector, ctype, content):
    headers = {"Content-Type": ctype} if ctype else {}
    answer = connector.client.post("/api/v1/save", content=content.encode(), headers=headers)
    assert answer.status_code == 415
    assert "JSON" in answer.json()["error"]
    assert article_count(connector.archive) == 0


def test_a_body_over_the_cap_gets_a_clear_413_before_it_is_read(connector):
    head = (f"POST /api/v1/save HTTP/1.1\r\nHost: 127.0.0.1:{connector.port}\r\n"
            f"Authorization: Bearer {connector.secret}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {MAX_BODY + 1}\r\n\r\n").encode()
    answer = raw_request(connector.port, head + b'{"url": "https://example.com/big", "html": "')
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"413", answer[:300]
    assert b"60 MB" in rest
    assert article_count(connector.archive) == 0


def test_a_body_under_the_cap_but_without_length_is_refused(connector):
    head = (f"POST /api/v1/save HTTP/1.1\r\nHost: 127.0.0.1:{connector.port}\r\n"
            f"Authorization: Bearer {connector.secret}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n").encode()
    answer = raw_request(connector.port, head)
    assert answer.split()[1] == b"411"


@pytest.mark.parametrize("content,message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe{}", "not valid JSON"),
    (b"[1, 2]", "JSON object"),
    (b'"a string"', "JSON object"),
])
def test_malformed_json_gets_400_with_a_message(connector, content, message):
    answer = connector.client.post("/api/v1/save", content=content, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert message in answer.json()["error"]


@pytest.mark.parametrize("body,message", [
    ({}, "'url' is required"),
    ({"url": 42}, "'url' must be a string"),
    ({"url": "https://example.com/a", "html": ["<p>"]}, "'html' must be a string"),
    ({"url": "https://example.com/a", "html": PAGE, "tags": "news"}, "'tags' must be a list of strings"),
    ({"url": "https://example.com/a", "html": PAGE, "tags": [1]}, "'tags' must be a list of strings"),
    ({"url": "https://example.com/a", "html": PAGE, "tags": ["x" * 201]}, "too long"),
    ({"url": "https://example.com/a", "html": PAGE, "tags": ["t"] * 201}, "at most 200"),
    ({"url": "https://example.com/a", "html": PAGE, "title": {"x": 1}}, "'title' must be a string"),
    ({"url": "https://example.com/a", "html": PAGE, "title": "t" * 5000}, "'title' is too long"),
    ({"url": "https://example.com/a", "html": PAGE, "selection": "s" * 100_001}, "'selection' is too long"),
    ({"url": "https://example.com/" + "a" * 9000, "html": PAGE}, "too long"),
    ({"url": "file:///etc/passwd"}, "only http and https"),
    ({"url": "javascript:alert(1)", "html": PAGE}, "only http and https"),
    ({"url": "/relative/page", "html": PAGE}, "not an absolute URL"),
])
def test_wrong_types_and_oversized_fields_get_400_and_save_nothing(connector, body, message):
    answer = connector.client.post("/api/v1/save", json=body)
    assert answer.status_code == 400, answer.text
    assert message in answer.json()["error"]
    assert article_count(connector.archive) == 0
    assert leftovers(connector.archive) == []


@pytest.mark.parametrize("body,message", [
    ({}, "'id' is required"),
    ({"id": 5, "add": ["x"]}, "'id' must be a string"),
    ({"id": "abc", "add": "x"}, "'add' must be a list of strings"),
    ({"id": "abc", "remove": [None]}, "'remove' must be a list of strings"),
])
def test_tags_checks_its_fields(connector, body, message):
    answer = connector.client.post("/api/v1/tags", json=body)
    assert answer.status_code == 400
    assert message in answer.json()["error"]


def test_status_without_an_address_is_400(connector):
    assert connector.client.get("/api/v1/status").status_code == 400
    assert "only http and https" in connector.client.get("/api/v1/status?url=file:///etc").json()["error"]


# -- GET has no side effects ------------------------------------------------------------
def test_get_never_saves_or_tags(connector):
    before = sorted(p.name for p in connector.archive.root.iterdir())
    for path in ("/api/v1/save?url=https://example.com/g", "/api/v1/tags?id=x&add=y"):
        answer = connector.client.get(path)
        assert answer.status_code == 405
        assert answer.headers["allow"] == "POST"
    assert connector.client.get("/api/v1/status?url=https://example.com/g").json() == {"saved": False}
    assert article_count(connector.archive) == 0
    assert sorted(p.name for p in connector.archive.root.iterdir()) == before
    assert connector.changes == []


def test_unknown_paths_and_methods(connector):
    assert connector.client.get("/").status_code == 404
    assert connector.client.get("/api/v2/ping").status_code == 404
    assert connector.client.post("/api/v1/ping", json={}).status_code == 405
    assert connector.client.delete("/api/v1/save").status_code == 405


# -- fetches on a caller's behalf ----------------------------------------------------------
def test_the_shipped_connector_fetches_nothing_local_or_private(strict_connector, httpserver):
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    for url in (httpserver.url_for("/page"), f"http://localhost:{httpserver.port}/page",
                "http://10.1.2.3/page", "http://192.168.1.1/", "http://[::1]/x", "http://169.254.169.254/latest",
                "http://0.0.0.0/", "http://intranet/page"):
        answer = strict_connector.client.post("/api/v1/save", json={"url": url})
        assert answer.status_code == 400, (url, answer.text)
        assert "not a public web address" in answer.json()["error"]
    assert httpserver.log == []
    assert article_count(strict_connector.archive) == 0


def test_the_shipped_connector_saves_a_rendered_page_without_fetching_its_local_pictures(
        strict_connector, httpserver):
    httpserver.expect_request("/pic.png").respond_with_data(b"\x89PNG\r\n\x1a\n", content_type="image/png")
    page = PAGE.replace("<p>A study", f'<p><img src="{httpserver.url_for("/pic.png")}" alt="pic"> A study')
    answer = strict_connector.client.post("/api/v1/save", json={"url": "https://example.com/story", "html": page})
    assert answer.status_code == 201, answer.text
    assert httpserver.log == []  # the picture's address is local: never asked
    assert answer.json()["picture_problems"]
    assert not any((strict_connector.archive.article_dir(answer.json()["id"]) / "images").glob("*.png"))


def test_a_failed_save_leaves_nothing_behind(connector, httpserver):
    httpserver.expect_request("/paper.pdf").respond_with_data(b"%PDF-1.4\n" + b"x" * 2000,
                                                              content_type="application/pdf")
    answer = connector.client.post("/api/v1/save", json={"url": httpserver.url_for("/paper.pdf")})
    assert answer.status_code == 422
    assert "is not an article" in answer.json()["error"] and "PDF" in answer.json()["error"]
    assert article_count(connector.archive) == 0
    assert leftovers(connector.archive) == []
    assert connector.changes == []


# -- the port ------------------------------------------------------------------------------
def test_a_taken_port_is_reported_and_nothing_else_is_bound(archive):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = ConnectorServer(ConnectorAPI(archive), port=port)
        with pytest.raises(PortInUseError, match=f"127.0.0.1:{port}"):
            server.start()
        assert server.port == port
        server.stop()


def test_it_listens_on_127_0_0_1_only(connector):
    assert connector.server._httpd.server_address[0] == "127.0.0.1"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://[::1]:{connector.port}/api/v1/ping", timeout=5)


def test_a_stopped_connector_answers_nothing_more_on_an_open_connection(connector):
    assert connector.client.get("/api/v1/ping").status_code == 200  # the connection stays open
    assert connector.server.stop() is True
    try:
        answer = connector.client.get("/api/v1/status?url=https://example.com/a")
    except httpx.TransportError:
        return  # the connection was gone already
    assert answer.status_code == 503


def test_the_connector_core_loads_no_qt():
    import subprocess
    import sys

    from tests.support import REPO

    code = ("import sys, app.connector, app.connector.api, app.connector.server, app.connector.secret, "
            "app.connector.browser, app.cli.connector; print('PySide6' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
