"""Fetch web pages the way a browser would, within hard limits.

Why not a plain ``httpx.get``: a read-it-later app fetches whatever the user
pastes, so every fetch must end, and end with a message a person can act on.
That needs

* a deadline for the whole response (redirects included), not only per-read
  timeouts: a server trickling one byte a second would pass those forever;
* a size cap applied to the *inflated* body while it streams, so a small
  gzip bomb stops at the cap instead of filling memory (httpx's own decoder
  inflates each network chunk without a bound, so we inflate ourselves);
* redirects followed by hand, so loops and hops to ``file:`` get named;
* a check that the answer is an HTML page at all (by header *and* by
  sniffing the first bytes, because both lie).

The work runs on one private asyncio loop thread: ``asyncio.timeout`` gives
an exact deadline, and many fetches share it cheaply (``fetch_many``, image
downloads from several threads).  Callers only see blocking methods.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import http
import re
import socket
import threading
import weakref
import zlib
from dataclasses import dataclass, field
from collections.abc import Coroutine, Iterable, Iterator
from typing import Any, TypeVar
from urllib.parse import urljoin

import httpx

from archive.capture.charset import decode_html
from archive.base.errors import FetchError, NotAnArticleError, QuireError
from archive.capture.hosts import refuse_private
from archive.capture.urls import check_scheme

T = TypeVar("T")

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
DEFAULT_ACCEPT_LANGUAGE = "en-US,en;q=0.9,*;q=0.5"
HTML_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#: AVIF and HEIC are refused on purpose: CDNs that negotiate the format would
#: send them, and the reader (Qt's image plugins) cannot show them.
IMAGE_ACCEPT = ("image/webp,image/png,image/jpeg,image/gif,image/svg+xml,image/*;q=0.8,"
                "image/avif;q=0,image/heic;q=0,*/*;q=0.5")
#: Only encodings we can inflate with a bound (see _Inflater).
ACCEPT_ENCODING = "gzip, deflate"

MB = 1024 * 1024
_REDIRECT_CODES = {301, 302, 303, 307, 308}
_SNIFF_BYTES = 1024
_HTML_TYPES = {"text/html", "application/xhtml+xml"}

#: Magic numbers of things that are certainly not web pages, whatever the
#: Content-Type says.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"\x1f\x8b", "a gzip file"),
    (b"OggS", "an Ogg media file"),
    (b"ID3", "an MP3 file"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|title|meta|base|link|script|style"
    rb"|div|p|h1|h2|article|main|section|table|iframe|font|br|a|b|center|noscript)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ANYWHERE = re.compile(rb"<(?:html|body|head|title)[\s>]", re.IGNORECASE)


@dataclass
class FetchResult:
    """One completed response.

    ``body`` is the payload as received after HTTP decompression (never
    charset-decoded: source.html.gz keeps it byte for byte); ``text`` and
    ``encoding`` are what :func:`archive.capture.charset.decode_html` made of it
    (empty/None for :meth:`Fetcher.fetch_bytes`).
    """

    url: str  # final URL, after redirects
    requested_url: str
    status: int
    content_type: str  # media type only, lower-case ("text/html"); "" when missing
    body: bytes
    text: str = ""
    encoding: str | None = None  # Python codec name used for `text`
    declared_charset: str | None = None  # charset= from the Content-Type header
    headers: dict[str, str] = field(default_factory=dict)


def describe_non_html(content_type: str, head: bytes) -> str | None:
    """Why a response is not a web page, or None if it is one.

    The header is believed unless the first bytes contradict it: binary
    magic always wins; markup wins over text/plain, octet-stream, a missing
    header and similar mislabels; JSON wins over a text/html label.
    """
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n\x0c")
    for magic, what in _MAGIC:
        if stripped.startswith(magic):
            return what
    if stripped[:4] == b"RIFF" and stripped[8:12] == b"WEBP":
        return "a WebP image"
    if stripped[4:8] == b"ftyp":
        return "a video or image file (MP4/HEIF/AVIF)"
    looks_html = bool(_HTML_START.match(stripped) or _HTML_ANYWHERE.search(stripped))
    looks_json = stripped[:1] in (b"{", b"[") and b"<" not in stripped[:200]
    if content_type in _HTML_TYPES:
        return "JSON data" if looks_json else None
    if looks_html:
        return None
    if not stripped:
        return "an empty response"
    if content_type in ("application/json", "text/json") or content_type.endswith("+json"):
        return "JSON data"
    if looks_json:
        return "JSON data"
    if content_type.startswith("image/"):
        return f"an image ({content_type})"
    if content_type in ("application/rss+xml", "application/atom+xml"):
        return "a news feed"
    if not content_type:
        return "content with no type that does not look like HTML"
    return f"not a web page ({content_type})"


class _Inflater:
    """Content-Encoding decoder that never produces more than it is allowed.

    zlib's ``max_length`` keeps each step bounded, so a tiny compressed body
    claiming gigabytes is cut off at the cap, with at most cap+1 bytes ever
    held in memory.
    """

    def __init__(self, content_encoding: str, url: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1:
            raise FetchError(f"Could not fetch {url}: stacked content encodings {codings}")
        self.coding = codings[0] if codings else ""
        if self.coding not in ("", "gzip", "x-gzip", "deflate"):
            raise FetchError(
                f"Could not fetch {url}: the server used the unsupported "
                f"content encoding {self.coding!r}"
            )
        self._url = url
        self._zlib: Any = None
        self._pending = b""  # deflate: bytes held until the header tells zlib from raw

    def _new_decompressor(self, first: bytes) -> Any:
        if self.coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is zlib-wrapped by the spec but raw in some servers.
        is_zlib = len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if is_zlib else -zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> bytes:
        """Inflate ``data``; return at most ``limit + 1`` bytes (over = too big)."""
        if not self.coding:
            return data
        if self._zlib is None:
            self._pending += data
            if len(self._pending) < 2:
                return b""
            data, self._pending = self._pending, b""
            self._zlib = self._new_decompressor(data)
        out = bytearray()
        try:
            while data and len(out) <= limit:
                chunk = self._zlib.decompress(data, limit + 1 - len(out))
                out += chunk
                if self._zlib.eof:  # gzip allows several members back to back
                    data = self._zlib.unused_data
                    if data and self.coding != "deflate" and data[:2] == b"\x1f\x8b":
                        self._zlib = self._new_decompressor(data)
                        continue
                    break
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise FetchError(
                f"Could not fetch {self._url}: the compressed response is corrupt ({exc})"
            ) from exc
        return bytes(out)


def _reason(status: int, phrase: str) -> str:
    """The standard reason phrase (servers send odd spellings), else the server's."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return phrase


def _media_type(header: str) -> tuple[str, str | None]:
    """Split 'text/html; charset=UTF-8' into ('text/html', 'UTF-8')."""
    media, _, params = header.partition(";")
    charset = None
    found = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", params, re.IGNORECASE)
    if found:
        charset = found.group(1)
    return media.strip().lower(), charset


def _human_size(n: int) -> str:
    return f"{n / MB:g} MB" if n >= MB else f"{n} bytes"


class Fetcher:
    """A reusable, thread-safe HTTP client with a browser's manners and hard limits.

    Use as a context manager (or call :meth:`close`): it owns a connection
    pool and a private event-loop thread.
    """

    def __init__(
        self,
        timeout_connect: float = 10.0,
        timeout_total: float = 30.0,
        max_bytes: int = 20 * MB,
        max_redirects: int = 10,
        user_agent: str = DEFAULT_USER_AGENT,
        accept_language: str = DEFAULT_ACCEPT_LANGUAGE,
        max_connections: int = 32,
        public_only: bool = False,
    ) -> None:
        """public_only: refuse every hop to a loopback, private or local address
        (archive.capture.hosts), for fetches made on a caller's behalf."""
        self.public_only = public_only
        self.timeout_connect = timeout_connect
        self.timeout_total = timeout_total
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._headers = {
            "User-Agent": user_agent,
            "Accept-Language": accept_language,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=timeout_connect, read=timeout_total, write=timeout_total,
                pool=timeout_total,
            ),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=8),
            headers=self._headers,
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="quire-fetch", daemon=True
        )
        self._thread.start()
        self._closed = False
        # A Fetcher dropped without close() must not leave its thread behind.
        self._finalizer = weakref.finalize(self, _stop_loop, self._loop, self._thread)

    # -- lifecycle -----------------------------------------------------------------
    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close connections and stop the loop thread; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result(5)
        except Exception:  # closing must not mask the caller's own error
            pass
        self._finalizer()

    def _submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if self._closed:
            coro.close()
            raise RuntimeError("Fetcher is closed")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("Fetcher methods block; do not call them from its own loop")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _wait(self, coro: Coroutine[Any, Any, T]) -> T:
        future = self._submit(coro)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    # -- public API ------------------------------------------------------------------
    def fetch(self, url: str) -> FetchResult:
        """Fetch an HTML page and decode it.

        Raises FetchError (bad scheme, network, HTTP status, timeout, size)
        or NotAnArticleError (a PDF, image, JSON…).
        """
        return self._decode(self._wait(self._get(url, self.max_bytes, HTML_ACCEPT, None, True)))

    def fetch_bytes(
        self, url: str, max_bytes: int | None = None, referer: str | None = None
    ) -> FetchResult:
        """Fetch any resource (an image) as bytes, with its own size cap.

        No content check is made: the caller knows what it expects.  The
        ``referer`` is sent because many image hosts refuse hot-linking.
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        return self._wait(self._get(url, limit, IMAGE_ACCEPT, referer, False))

    def fetch_many(
        self, urls: Iterable[str], concurrency: int = 8, *, decode: bool = True
    ) -> Iterator[tuple[str, FetchResult | QuireError]]:
        """Fetch pages concurrently; yield (url, result or error) as each finishes.

        One bad URL never stops the others: its error is yielded in place of
        a result.  Stopping the iteration early cancels what is still queued.
        decode=False leaves `text` unset, for a caller that decodes the body
        elsewhere (bulk saving decodes in its extraction processes).
        """
        semaphore = asyncio.Semaphore(max(1, concurrency))

        async def one(url: str) -> FetchResult:
            async with semaphore:
                return await self._get(url, self.max_bytes, HTML_ACCEPT, None, True)

        futures = {self._submit(one(url)): url for url in urls}
        try:
            for future in concurrent.futures.as_completed(futures):
                url = futures[future]
                try:
                    result = future.result()
                    yield url, self._decode(result) if decode else result
                except QuireError as exc:
                    yield url, exc
                except Exception as exc:  # a bug for one URL must not end the batch
                    yield url, FetchError(f"Could not fetch {url}: unexpected error ({exc!r})")
        finally:
            for future in futures:
                future.cancel()

    # -- internals -----------------------------------------------------------------
    @staticmethod
    def _decode(result: FetchResult) -> FetchResult:
        """Charset decoding runs in the caller's thread, keeping the loop free."""
        result.text, result.encoding = decode_html(result.body, result.declared_charset)
        return result

    async def _get(
        self, url: str, max_bytes: int, accept: str, referer: str | None, want_html: bool
    ) -> FetchResult:
        check_scheme(url)
        try:
            async with asyncio.timeout(self.timeout_total):
                return await self._follow(url, max_bytes, accept, referer, want_html)
        except TimeoutError as exc:
            raise FetchError(
                f"Could not fetch {url}: timed out (no complete response within "
                f"{self.timeout_total:g} s)"
            ) from exc
        except httpx.ConnectTimeout as exc:
            raise FetchError(
                f"Could not fetch {url}: timed out connecting to the server "
                f"(after {self.timeout_connect:g} s)"
            ) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(
                f"Could not fetch {url}: timed out waiting for the server "
                f"(after {self.timeout_total:g} s)"
            ) from exc
        except httpx.ConnectError as exc:
            raise FetchError(f"Could not fetch {url}: {_connect_reason(exc)}") from exc
        except httpx.RemoteProtocolError as exc:
            raise FetchError(
                f"Could not fetch {url}: the server broke off the response "
                f"before it was complete ({exc})"
            ) from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"Could not fetch {url}: invalid URL ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"Could not fetch {url}: network error ({exc})") from exc

    async def _follow(
        self, url: str, max_bytes: int, accept: str, referer: str | None, want_html: bool
    ) -> FetchResult:
        current = url
        seen: set[str] = set()
        looped = False
        for _hop in range(self.max_redirects + 1):
            if self.public_only:
                await refuse_private(current)
            headers = {"Accept": accept}
            if referer:
                headers["Referer"] = referer
            request = self._client.build_request("GET", current, headers=headers)
            response = await self._client.send(request, stream=True)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECT_CODES and location:
                    target = urljoin(str(response.url), location.strip())
                    try:
                        check_scheme(target)
                    except FetchError as exc:
                        raise FetchError(
                            f"Could not fetch {url}: redirected to a URL that is not "
                            f"http or https ({target[:100]})"
                        ) from exc
                    seen.add(current)
                    looped = looped or target in seen
                    current = target
                    continue
                if response.status_code >= 400:
                    reason = _reason(response.status_code, response.reason_phrase)
                    raise FetchError(
                        f"Could not fetch {url}: HTTP {response.status_code} {reason}".rstrip()
                    )
                return await self._read(url, response, max_bytes, want_html)
            finally:
                await response.aclose()
        if looped:
            raise FetchError(f"Could not fetch {url}: redirect loop (the server keeps "
                             f"sending the browser back to {current})")
        raise FetchError(f"Could not fetch {url}: too many redirects "
                         f"(more than {self.max_redirects})")

    async def _read(
        self, url: str, response: httpx.Response, max_bytes: int, want_html: bool
    ) -> FetchResult:
        content_type, charset = _media_type(response.headers.get("content-type", ""))
        too_big = (
            f"Could not fetch {url}: the response is larger than the "
            f"{_human_size(max_bytes)} limit"
        )
        declared = response.headers.get("content-length", "")
        declared_size = int(declared) if declared.isdigit() else None
        inflater = _Inflater(response.headers.get("content-encoding", ""), url)
        body = bytearray()
        checked = False

        def check_start() -> None:
            # "Not an article" is the more useful message for a 200 MB PDF, so
            # the first bytes are judged before the declared size.
            if want_html:
                _ensure_html(url, content_type, bytes(body[:_SNIFF_BYTES]))
            if declared_size is not None and declared_size > max_bytes:
                raise FetchError(f"{too_big} (the server says {_human_size(declared_size)})")

        if not want_html:
            checked = True
            check_start()
        async for raw in response.aiter_raw():
            body += inflater.feed(raw, max_bytes - len(body))
            if not checked and len(body) >= _SNIFF_BYTES:
                checked = True
                check_start()
            if len(body) > max_bytes:
                raise FetchError(too_big)
        if not checked:
            check_start()
        return FetchResult(
            url=str(response.url),
            requested_url=url,
            status=response.status_code,
            content_type=content_type,
            body=bytes(body),
            declared_charset=charset,
            headers={k.lower(): v for k, v in response.headers.items()},
        )


def _stop_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    if loop.is_closed():
        return
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    if not thread.is_alive():
        loop.close()


def _ensure_html(url: str, content_type: str, head: bytes) -> None:
    what = describe_non_html(content_type, head)
    if what is not None:
        raise NotAnArticleError(f"{url} is not an article: it is {what}")


def _connect_reason(exc: httpx.ConnectError) -> str:
    """Name the real cause, which anyio buries under "All connection attempts failed"."""
    chain: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(isinstance(c, socket.gaierror) for c in chain):
        return "the host name could not be found (DNS)"
    if any(isinstance(c, ConnectionRefusedError) for c in chain):
        return "the server refused the connection"
    text = " ".join(str(c) for c in chain).lower()
    if "certificate" in text or "ssl" in text:
        return f"the secure connection failed ({chain[-1]})"
    if "unreachable" in text:
        return "the network or host is unreachable"
    return f"could not connect ({chain[-1] or type(exc).__name__})"
