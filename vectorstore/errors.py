"""The one exception type for problems a user can cause and fix.

Its message is written for the person at the keyboard; the CLI and the chat print
it as is, and never show a traceback for it.
"""


class NewsQAError(Exception):
    """A problem the user can act on (bad file, missing index, server down, bad question)."""


class ArticleError(NewsQAError):
    """An article file that cannot be ingested; the rest of the batch still is."""


class StoreUnavailableError(NewsQAError):
    """The index cannot be reached or read (missing, read-only, server down)."""


class FetchError(ArticleError):
    """A URL that cannot be fetched as a web page (refused, unreachable, too slow, not HTML)."""
