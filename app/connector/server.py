"""The connector's HTTP server: the standard library's ThreadingHTTPServer on
127.0.0.1, and every check a request passes before the API sees it.

Why each check (a web page in the same browser can reach 127.0.0.1 too):

* Host must be the loopback name and our port: a page on evil.example whose DNS
  name is re-pointed at 127.0.0.1 (DNS rebinding) sends ``Host: evil.example``.
* A request with a web page's Origin is refused, and Access-Control-Allow-Origin
  is sent only to an extension's own origin: no page can read an answer.
* Every call but ping needs ``Authorization: Bearer <secret>`` (401 without,
  403 wrong), which a page cannot know.
* Bodies must be JSON (a page's form post is text/plain or form-encoded) and
  at most MAX_BODY bytes (413, said before reading it).
* GET never changes anything.

Each request runs on its own thread, so a status check is answered while a save
runs.
"""
from __future__ import annotations

import hmac
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.connector.api import ApiError, ConnectorAPI
from app.connector.ports import DEFAULT_PORT
from app.connector.secret import SecretFile

log = logging.getLogger("quire.connector")

HOST = "127.0.0.1"
MAX_BODY = 60 * 1024 * 1024
#: Origins of browser extensions: the only ones that may see an answer.
EXTENSION_SCHEMES = ("chrome-extension://", "moz-extension://")
API = "/api/v1/"
_ROUTES = {"ping": ("GET",), "status": ("GET",), "save": ("POST",), "tags": ("POST",)}



class PortInUseError(OSError):
    """The port is taken (another Quire, or another program). Never bound elsewhere."""


def is_extension_origin(origin: str) -> bool:
    origin = origin.strip().lower()
    return origin.startswith(EXTENSION_SCHEMES) and len(origin.split("://", 1)[1].strip("/")) > 0


def allowed_hosts(port: int) -> frozenset[str]:
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # a restart right after a stop binds again (TIME_WAIT)
    #: connections waiting to be accepted: socketserver's 5 reset some of 50 saves
    #: posted at once while the accepting thread waited for the GIL
    request_queue_size = 128

    def __init__(self, address, handler, connector: "ConnectorServer") -> None:
        self.connector = connector
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Quire"
    sys_version = ""
    timeout = 60  # seconds a silent client may hold a connection
    disable_nagle_algorithm = True
    server: _Server

    # -- plumbing ----------------------------------------------------------------------
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, payload: dict | None, *, origin: str | None = None,
              headers: dict[str, str] | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Vary", "Origin")
        if origin and is_extension_origin(origin):
            self.send_header("Access-Control-Allow-Origin", origin)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _fail(self, status: int, message: str, *, origin: str | None = None,
              headers: dict[str, str] | None = None) -> None:
        if self.command in ("POST", "PUT", "PATCH", "DELETE") and not self._body_read:
            self.close_connection = True  # its unread body must not be read as the next request
        self._send(status, {"error": message}, origin=origin, headers=headers)

    # -- methods ----------------------------------------------------------------------
    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        self._body_read = False
        connector = self.server.connector
        if not connector._enter():
            self.close_connection = True
            self._fail(503, "Quire is closing")
            return
        try:
            self._checked()
        except ApiError as exc:
            self._fail(exc.status, exc.message, origin=self.headers.get("Origin"))
        except (ConnectionError, socket.timeout):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a bug answers 500, the server goes on
            log.exception("connector: %s %s failed", self.command, self.path)
            try:
                self._fail(500, f"internal error in Quire: {exc!r}")
            except OSError:
                self.close_connection = True
        finally:
            connector._leave()

    def _checked(self) -> None:
        connector = self.server.connector
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in allowed_hosts(connector.port):
            raise ApiError(403, "refused: the Host header must be 127.0.0.1, localhost or [::1] "
                                "with the connector's port")
        origin = self.headers.get("Origin")
        if origin is not None and not is_extension_origin(origin):
            raise ApiError(403, "refused: requests from web pages are not accepted")
        if self.command == "OPTIONS":  # a preflight from the extension
            self._send(204, None, origin=origin, headers={
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": "Authorization, Content-Type",
                "Access-Control-Max-Age": "600"})
            return
        parts = urlsplit(self.path)
        if not parts.path.startswith(API) or parts.path[len(API):] not in _ROUTES:
            raise ApiError(404, f"no such endpoint {parts.path[:100]!r} (the API is under {API})")
        name = parts.path[len(API):]
        methods = _ROUTES[name]
        if self.command not in methods:
            self._fail(405, f"{parts.path} takes {' or '.join(methods)}, not {self.command}",
                       origin=origin, headers={"Allow": ", ".join(methods)})
            return
        api = connector.api
        if name == "ping":
            self._send(200, api.ping(), origin=origin)
            return
        self._authorize(connector)
        if name == "status":
            query = parse_qs(parts.query, keep_blank_values=True, max_num_fields=20)
            urls = query.get("url") or [None]
            self._send(200, api.status(urls[0]), origin=origin)
            return
        if name == "save":
            status, answer = api.save(self._json_body)  # read once a save slot is free
            self._send(status, answer, origin=origin)
            return
        self._send(200, api.tags(self._json_body()), origin=origin)

    def _authorize(self, connector: "ConnectorServer") -> None:
        header = self.headers.get("Authorization")
        if not header:
            raise ApiError(401, "this call needs the connector's secret (Authorization: Bearer "
                                "<secret>); `quire connector secret` prints it")
        scheme, _, given = header.strip().partition(" ")
        expected = connector.secret.get()
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
            raise ApiError(403, "wrong secret: paste the one `quire connector secret` prints "
                                "(or the settings show) into the extension's options")

    def _json_body(self) -> dict:
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(415, "the body must be JSON (Content-Type: application/json)")
        if self.headers.get("Transfer-Encoding"):
            raise ApiError(411, "send the body with a Content-Length (chunked bodies are not accepted)")
        declared = self.headers.get("Content-Length")
        if declared is None:
            raise ApiError(411, "the request needs a Content-Length")
        if not declared.strip().isdigit():
            raise ApiError(400, "the Content-Length is not a number")
        length = int(declared)
        if length > MAX_BODY:
            raise ApiError(413, f"the body is {length / 1048576:.1f} MB; the connector takes at most "
                                f"{MAX_BODY // 1048576} MB")
        data = self.rfile.read(length)
        self._body_read = True
        if len(data) < length:
            self.close_connection = True
            raise ApiError(400, "the body ended before its Content-Length")
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ApiError(400, f"the body is not valid JSON ({exc})") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the body must be a JSON object")
        return body


class ConnectorServer:
    """The connector listening on 127.0.0.1:port, serving from its own threads.

    `start()` binds (PortInUseError when taken; it never tries another port) and
    serves in a background thread until `stop()`. port=0 picks a free port (tests).
    """

    def __init__(self, api: ConnectorAPI, port: int = DEFAULT_PORT, *, secret: SecretFile | None = None) -> None:
        self.api = api
        self.secret = secret or SecretFile(api.archive.root)
        self._wanted_port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._active = 0  # requests being answered
        self._stopping = False
        self._idle = threading.Condition()

    def _enter(self) -> bool:
        """A request begins; False once stopping (a kept-alive connection's next request)."""
        with self._idle:
            if self._stopping:
                return False
            self._active += 1
            return True

    def _leave(self) -> None:
        with self._idle:
            self._active -= 1
            self._idle.notify_all()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd is not None else self._wanted_port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def bind(self) -> None:
        if self._httpd is not None:
            return
        try:
            self._httpd = _Server((HOST, self._wanted_port), _Handler, self)
        except OSError as exc:
            raise PortInUseError(exc.errno, f"cannot listen on {HOST}:{self._wanted_port}: "
                                 f"{exc.strerror or exc} (another Quire, or another program, "
                                 "may be using it; choose another port)") from exc

    def start(self) -> "ConnectorServer":
        self.bind()
        assert self._httpd is not None
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="quire-connector", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float = 30.0) -> bool:
        """Stop listening, refuse further requests on open connections, wait up to
        `wait` seconds for requests in progress (a save), then close the connector's
        fetcher. False when some request was still running (its save is atomic)."""
        with self._idle:
            self._stopping = True
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            if self._thread is not None:
                httpd.shutdown()
                self._thread.join(5)
                self._thread = None
            httpd.server_close()
        with self._idle:
            finished = self._idle.wait_for(lambda: self._active == 0, timeout=wait)
        self.api.close()
        return finished
