"""Errors the core raises. Each message names the item and the reason, so the
CLI and the GUI can show it as it is."""
import errno
import sqlite3


class QuireError(Exception):
    """Base class: anything the user should see as a clear message."""


class FetchError(QuireError):
    """A URL could not be fetched (network, HTTP status, timeout, size cap)."""


class NotAnArticleError(QuireError):
    """The response or file is not an HTML page (PDF, image, JSON, …)."""


class ExtractionError(QuireError):
    """The page could not be turned into an article at all."""


class NotFoundError(QuireError):
    """No article with that id."""


class ArchiveError(QuireError):
    """The archive folder is unusable (locked, newer schema, read-only, full)."""


class ImportFileError(QuireError):
    """An import file cannot be used as a whole: unknown format, unreadable, or
    unsafe (a zip that inflates past the size cap)."""


class UnknownFormatError(ImportFileError):
    """The format of an import file cannot be told from its content. The message
    does not say how to name the format: the command line adds its --format, the
    window its Import dialog's file types."""


def explain_failure(exc: BaseException, where: object = "") -> str:
    """One sentence for an error that escaped as an OSError or a SQLite error: a full
    disk says "the disk is full", a read-only one says so, anything else names itself.
    (The core raises QuireErrors; this is the last line for what slipped through.)"""
    if isinstance(exc, QuireError):
        return str(exc)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"the disk is full ({reason}); free some space and try again (reading still works)"
        if exc.errno == errno.EROFS:
            return f"this archive is read-only: {where} cannot be changed ({reason})"
        name = f" {exc.filename}" if exc.filename else ""
        return f"could not read or write{name}: {reason}"
    if isinstance(exc, sqlite3.Error):
        name = str(getattr(exc, "sqlite_errorname", ""))
        if name.startswith("SQLITE_FULL") or "disk is full" in str(exc):
            return f"the disk is full ({exc}); free some space and try again (reading still works)"
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return (f"the catalog or index is damaged ({exc}); run `quire check --repair` to "
                    "rebuild what is damaged")
        return f"the archive's database failed: {exc}"
    return f"{type(exc).__name__}: {exc}"
