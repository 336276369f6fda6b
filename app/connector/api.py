"""What the connector's endpoints do, apart from HTTP: validate a request's fields
and turn it into Archive calls. The server (server.py) has checked Host, Origin,
the secret and the body's type and size before anything here runs.

Saving goes through the same pipeline as every other save (extraction,
sanitizing, pictures downloaded by their absolute addresses, atomic folder,
catalog, index); only the fetcher differs: the connector's refuses local and
private addresses, because it fetches on a caller's behalf.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from archive.base.errors import NotFoundError, QuireError
from archive.capture.hosts import PrivateAddressError, refuse_at_once
from archive.capture.urls import check_scheme
from app.connector.grouping import GroupCommit
from app.connector.preparing import Preparer

if TYPE_CHECKING:  # annotations only: `quire --help` builds the serve parser from this package,
    # and every command would pay for the store's import (~0.4 s: the index, numpy)
    from archive.library.store import Archive, SaveResult

NAME = "Quire"
MAX_URL_CHARS = 8 * 1024
MAX_TITLE_CHARS = 4 * 1024
MAX_SELECTION_CHARS = 100_000
MAX_TAGS = 200
MAX_TAG_CHARS = 200
MAX_ID_CHARS = 64
#: Saves running at once; more wait (each holds a page of up to the body cap in memory).
MAX_CONCURRENT_SAVES = 8


class ApiError(Exception):
    """An answer other than success: an HTTP status and a message for the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def app_version() -> str:
    try:
        from importlib.metadata import version

        return version("quire")
    except Exception:  # noqa: BLE001 - run from a checkout that was never installed
        return "0.1.0"


# -- field checks -------------------------------------------------------------------
def _string(body: dict, name: str, limit: int, *, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError(400, f"'{name}' is required")
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"'{name}' must be a string, not {_type_name(value)}")
    if len(value) > limit:
        raise ApiError(400, f"'{name}' is too long ({len(value)} characters; at most {limit})")
    return value


def _string_list(body: dict, name: str) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiError(400, f"'{name}' must be a list of strings")
    if len(value) > MAX_TAGS:
        raise ApiError(400, f"'{name}' has {len(value)} entries; at most {MAX_TAGS}")
    for v in value:
        if len(v) > MAX_TAG_CHARS:
            raise ApiError(400, f"a tag in '{name}' is too long (at most {MAX_TAG_CHARS} characters)")
    return value


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


def page_url(value: str | None) -> str:
    """A page's address as the caller gave it, if it is one that can be saved."""
    if value is None or not value.strip():
        raise ApiError(400, "'url' is required")
    url = value.strip()
    if len(url) > MAX_URL_CHARS:
        raise ApiError(400, f"'url' is too long (at most {MAX_URL_CHARS} characters)")
    try:
        check_scheme(url)
    except QuireError as exc:
        raise ApiError(400, str(exc)) from None
    return url


@dataclass
class SaveRequest:
    url: str
    title: str | None
    html: str | None
    selection: str | None
    tags: list[str]

    @classmethod
    def parse(cls, body: dict) -> "SaveRequest":
        url = page_url(_string(body, "url", MAX_URL_CHARS + 64, required=True))
        return cls(url=url,
                   title=_string(body, "title", MAX_TITLE_CHARS),
                   html=_string(body, "html", 1 << 62),  # the body cap bounds it
                   selection=_string(body, "selection", MAX_SELECTION_CHARS),
                   tags=_string_list(body, "tags"))


@contextmanager
def _as_api_errors() -> Iterator[None]:
    """A save's failure as the answer a CLI save's message would give: a refused
    address is the caller's mistake (400), anything else the page's (422)."""
    try:
        yield
    except PrivateAddressError as exc:
        raise ApiError(400, str(exc)) from None
    except QuireError as exc:
        raise ApiError(422, str(exc)) from None


class ConnectorAPI:
    """The endpoints over one open Archive (`quire serve`, which the window also runs
    as a child process of its own: `serve --for-window`).

    allow_private_hosts: let the connector fetch pages and pictures from local and
    private addresses. Off by default; the tests turn it on, since their web
    server is on 127.0.0.1.
    """

    def __init__(self, archive: Archive, *, allow_private_hosts: bool = False,
                 on_changed: Callable[[str, str], None] | None = None) -> None:
        self.archive = archive
        self.allow_private_hosts = allow_private_hosts
        #: told (article id, "saved" | "tagged") after each change, from the request's
        #: thread: the window refreshes its list and tags from it
        self.on_changed = on_changed
        self._saves = threading.BoundedSemaphore(MAX_CONCURRENT_SAVES)
        self._group = GroupCommit(archive)
        self._preparer = Preparer()
        self._fetcher = None
        self._fetcher_lock = threading.Lock()

    @property
    def fetcher(self):
        """The connector's own HTTP client (public addresses only unless allowed)."""
        with self._fetcher_lock:
            if self._fetcher is None:
                from archive.capture.fetch import Fetcher

                self._fetcher = Fetcher(**self.archive.fetch_options,
                                        public_only=not self.allow_private_hosts)
            return self._fetcher

    def close(self) -> None:
        self._group.close()
        self._preparer.close()
        with self._fetcher_lock:
            if self._fetcher is not None:
                self._fetcher.close()
                self._fetcher = None

    # -- endpoints ------------------------------------------------------------------
    def ping(self) -> dict:
        return {"name": NAME, "version": app_version()}

    def status(self, url: str | None) -> dict:
        url = page_url(url)
        article = self.archive.find_duplicate(url=url)
        if article is None:
            return {"saved": False}
        return {"saved": True, "id": article.id, "title": article.title, "tags": list(article.tags),
                "status": article.status}

    def save(self, read_body: Callable[[], dict]) -> tuple[int, dict]:
        """Save the page read_body() gives (read once a save slot is free: each slot
        holds a page in memory). The slot is let go once the article is stored, before
        its index commit: saves waiting for a commit hold no page, and more of them
        share each commit (most of a commit's time is per distinct term, not per page)."""
        with self._saves:
            req = SaveRequest.parse(read_body())
            existing = self.archive.find_duplicate(url=req.url)
            if existing is not None:
                if req.tags:
                    existing = self._tagged(existing.id, req.tags)
                answer = self._answer(existing, False)
                answer.update(self._keep_selection(existing.id, req.selection, "tagged"))
                return 200, answer
            if req.html is None and not self.allow_private_hosts:
                with _as_api_errors():
                    refuse_at_once(req.url)
            tags, selection = req.tags, req.selection
            self._group.enter()  # before the slot goes: the batch spans the commit below
            try:
                with _as_api_errors():
                    result = self._save(req)
            except BaseException:
                self._group.leave()
                raise
            del req  # the page and its extraction go with the slot
        try:
            if result.created:
                with _as_api_errors():
                    self._group.commit()  # findable before it is answered, one commit for many
        finally:
            self._group.leave()
        if not result.created and tags:
            result.article = self._tagged(result.article.id, tags)
        elif result.created:
            self._tell(result.article.id, "saved")
        answer = self._answer(result.article, result.created)
        # after "saved" was told: the window lists the article, then redraws its highlight
        answer.update(self._keep_selection(result.article.id, selection, "tagged"))
        if result.picture_problems:
            answer["picture_problems"] = result.picture_problems
        return (201 if result.created else 200), answer

    def _save(self, req: SaveRequest) -> SaveResult:
        archive = self.archive
        fetcher = self.fetcher
        if req.html is not None:
            final_url, raw_page, encoding = req.url, req.html, None
        else:
            fetched = fetcher.fetch(req.url)
            final_url, raw_page, encoding = fetched.url, fetched.body, fetched.encoding
        raw, ex = self._preparer.prepare(raw_page, final_url, encoding)
        if req.title and req.title.strip() and (not ex.title or ex.title.strip() in (req.url, final_url)):
            ex.title = req.title.strip()  # the tab's title, when the page names itself nowhere
        return archive.save_html(b"", req.url, tags=req.tags, final_url=final_url,
                                 prepared=(raw, ex), image_fetcher=fetcher)

    def _keep_selection(self, article_id: str, selection: str | None, what: str) -> dict:
        """The user's selection as the article's highlight (archive.highlights): found in
        the article's text exactly, else loosely. A selection the extracted article does
        not hold (a menu, a caption left out) is said in the answer; the save stands."""
        if not selection or not selection.strip():
            return {}
        try:
            mark = self.archive.highlights.add_quote(article_id, selection)
        except QuireError as exc:
            return {"highlight_problem": str(exc)}
        self._tell(article_id, what)
        return {"highlight": mark.id}

    def _tagged(self, article_id: str, tags: list[str]):
        article = self.archive.tag(article_id, add=tags)
        self._tell(article_id, "tagged")
        return article

    def _tell(self, article_id: str, what: str) -> None:
        if self.on_changed is not None:
            self.on_changed(article_id, what)

    @staticmethod
    def _answer(article, created: bool) -> dict:
        return {"id": article.id, "title": article.title, "url": article.url, "tags": list(article.tags),
                "created": created}

    def tags(self, body: dict) -> dict:
        article_id = _string(body, "id", MAX_ID_CHARS, required=True)
        add = _string_list(body, "add")
        remove = _string_list(body, "remove")
        try:
            article = self.archive.tag(article_id, add=add, remove=remove)
        except NotFoundError:
            raise ApiError(404, f"no article with id {article_id!r}") from None
        except QuireError as exc:
            raise ApiError(422, str(exc)) from None
        self._tell(article.id, "tagged")
        return {"id": article.id, "tags": list(article.tags)}
