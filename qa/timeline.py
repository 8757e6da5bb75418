"""The dated events of the articles in order: each dated sentence with its date and source.

What `qa timeline` prints and the chat's timeline tab shows. A sentence is an event when
it dates what it states (`vectorstore.dates`, stored with its vector at ingest); it is
placed at its earliest date and shows all of them, so a sentence whose dates disagree
is shown as it is written.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from qa.resources import forget_store, get_resources
from qa.settings import Settings
from vectorstore.dates import Period, mentions
from vectorstore.errors import NewsQAError, StoreUnavailableError
from vectorstore.text import fold, words

_ISO_PART = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?\s*$")


@dataclass(frozen=True)
class Event:
    """A dated sentence: its periods, its text, and where it is in which article."""

    periods: tuple[Period, ...]
    text: str
    article_id: str
    title: str
    article_date: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return ", ".join(p.label() for p in self.periods)


def parse_bound(value: str) -> Period:
    """A --from/--to date: YYYY, YYYY-MM, YYYY-MM-DD, or a full date as the articles write
    it ("16/10/2025", "October 16, 2025"). Raises NewsQAError with a one-line message."""
    match = _ISO_PART.match(value)
    try:
        if match and match.group(2):
            year, month = int(match.group(1)), int(match.group(2))
            first = datetime.date(year, month, 1)
            last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            return Period(first, last, "month")
        if match:
            year = int(match.group(1))
            return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")
    except ValueError:
        pass
    found = mentions(value, None)
    if len(found) == 1 and found[0].period is not None and not found[0].relative:
        return found[0].period
    raise NewsQAError(f"'{value}' is not a date: write it YYYY-MM-DD, YYYY-MM or YYYY")


def timeline(
    settings: Settings, query: str = "", since: Period | None = None, until: Period | None = None
) -> list[Event]:
    """The dated sentences holding every word of `query` (accents and case folded), with a
    date in [since, until], oldest first."""
    if since and until and since.start > until.end:
        raise NewsQAError(f"the timeline starts ({since.label()}) after it ends ({until.label()})")
    wanted = [fold(w) for w in words(query)]
    try:
        resources = get_resources(settings)
        corpus = resources.corpus.get()
        by_article: dict[str, list[tuple[int, int, tuple[Period, ...]]]] = {}
        for (article_id, start, end), periods in corpus.sentence_dates.items():
            in_range = [
                p for p in periods if (not since or p.end >= since.start) and (not until or p.start <= until.end)
            ]
            if in_range:
                by_article.setdefault(article_id, []).append((start, end, periods))
        events = []
        for article_id, sentences in by_article.items():
            record = resources.store.article(article_id)
            if record is None:
                continue  # removed since the corpus was read
            for start, end, periods in sentences:
                text = record.body[start:end]
                folded = fold(text)
                if all(re.search(rf"\b{re.escape(w)}\b", folded) for w in wanted):
                    events.append(Event(periods, text, article_id, record.title, record.date, start, end))
    except StoreUnavailableError:
        forget_store(settings)
        raise
    return sorted(events, key=lambda e: (min(e.periods), e.article_date, e.article_id, e.start))
