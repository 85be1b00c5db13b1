"""The exception tree. Every error a user can cause or meet is a FundwatchError.

The CLI turns a FundwatchError into a one-line message and exit status 2; anything else is a
bug and keeps its traceback. Source errors are caught per source by the pipeline and recorded
as values (SourceResult), so one broken portal never stops the others.
"""

from __future__ import annotations


class FundwatchError(Exception):
    """Base of every error fundwatch raises on purpose."""


class ConfigError(FundwatchError):
    """A configuration file is missing, unreadable or invalid.

    The message always starts with the file name and, where it applies, the path inside it:
    ``config/profiles/torino.yaml: at 'recipients[1]': value is not a valid email address``.
    """

    def __init__(self, file: str, message: str, *, path: str | None = None) -> None:
        self.file = file
        self.path = path
        self.detail = message
        where = f"{file}: at '{path}': " if path else f"{file}: "
        super().__init__(where + message)


class SourceError(FundwatchError):
    """A source could not be read this run. Never a reason to close or drop a call."""

    kind = "source_error"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        self.url = url
        super().__init__(f"{message} ({url})" if url else message)


class FetchError(SourceError):
    """The network failed us: timeouts, refused connections, 4xx/5xx after retries."""

    kind = "fetch_error"


class ParseError(SourceError):
    """The payload arrived but could not be read (malformed JSON, HTML error page, bad encoding)."""

    kind = "parse_error"


class ShapeChanged(SourceError):
    """The payload parsed but looks wrong: no items where there were many, most items unreadable."""

    kind = "shape_changed"


class DeliveryError(FundwatchError):
    """A message could not be handed to its channel (SMTP refused, folder not writable)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)
