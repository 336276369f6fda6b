"""Errors the core raises. Each message names the item and the reason, so the
CLI and the GUI can show it as it is."""


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
