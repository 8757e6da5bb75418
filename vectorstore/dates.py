"""When a sentence says something happened: its written dates, resolved to periods.

News sentences date their events in many ways: in full ("ngày 6-10-2025"), by day and
month only ("hôm 16/10", "October 16"), by month ("tháng 8", "mid-August"), by year
("năm 1994") or from the day the article appeared ("hôm nay", "tuần trước", "last week",
"31 năm trước"). Each becomes a `Period`: first and last day, and the precision it was
written with. What needs the article's date (a day and month without a year, anything
relative) is resolved against it, and stays undated when the article has none: nothing
is guessed. A day and month without a year takes the year that puts it nearest the
article's date (an article of early January writing "ngày 28/12" means the December
before), or the latest one not after it when the text says so ("vừa qua", "last").

The date words of each language are data (`vectorstore/lang/<lang>/dates.tsv`); every
language's forms are looked for in every text, since an article and a question name
dates the same way in the same language and the forms of two languages do not collide.
Matching runs on the folded text (`vectorstore.text.fold`), so a question typed without
diacritics ("hom 16/10", "thang truoc") reads like the articles.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from vectorstore.text import fold

PRECISIONS = ("day", "month", "year")
_PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}
LANGUAGES = ("vi", "en")
# Bump when the rules below change how a text is dated, so an ingest dates articles again.
DATING_VERSION = 2
_LANG_DIR = Path(__file__).resolve().parent / "lang"
# Parts of a month ("đầu / giữa / cuối tháng 8", "early / mid / late August"): their days.
_PART_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
_RELATIVE = {
    # kind: (unit, steps from the article's date)
    "today": ("day", 0),
    "yesterday": ("day", -1),
    "tomorrow": ("day", 1),
    "this_week": ("week", 0),
    "last_week": ("week", -1),
    "next_week": ("week", 1),
    "this_month": ("month", 0),
    "last_month": ("month", -1),
    "next_month": ("month", 1),
    "this_year": ("year", 0),
    "last_year": ("year", -1),
    "next_year": ("year", 1),
}
_UNITS = ("day", "week", "month", "year")
_ORDINAL = r"(?:st|nd|rd|th)?"
_AFTER_CLAUSE = r"(?=\s*(?:[,.;:!?)\"”’]|$))"


@dataclass(frozen=True, order=True)
class Period:
    """The days an event falls in, first and last included, and how precisely it was
    written: "day" (a day, or a run of days such as a week), "month" (a month or a part
    of one), "year"."""

    start: datetime.date
    end: datetime.date
    precision: str

    def label(self) -> str:
        """ISO 8601 as precise as written: 2025-10-16, 2025-08, 2025, or start/end."""
        if self.start == self.end:
            return self.start.isoformat()
        if self.precision == "month" and self.start.day == 1 and self.end == _month_end(self.start):
            return self.start.isoformat()[:7]
        if self.precision == "year" and (self.start.month, self.start.day, self.end.month, self.end.day) == (
            1,
            1,
            12,
            31,
        ):
            return str(self.start.year)
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def as_list(self) -> list[str]:
        return [self.start.isoformat(), self.end.isoformat(), self.precision]

    @classmethod
    def from_list(cls, value: list[str]) -> Period:
        start, end, precision = value
        return cls(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end), precision)


@dataclass(frozen=True)
class DateMention:
    """A date written in a text: where, as written, and what it resolves to. `period` is
    None with `problem` "invalid" (no such day: "32/13") or "no_reference" (it needs the
    article's date, and there is none). `relative`: named from the reference date
    ("hôm nay", "last week"), not written out."""

    start: int
    end: int
    text: str
    period: Period | None
    problem: str = ""
    relative: bool = False


def parse_reference(value: str) -> datetime.date | None:
    """An article's date (YYYY-MM-DD) as a date; None when empty or not a real day."""
    try:
        return datetime.date.fromisoformat(value.strip()[:10]) if value and value.strip() else None
    except ValueError:
        return None


def sentence_periods(text: str, reference: datetime.date | None) -> tuple[Period, ...]:
    """The distinct periods a sentence's dates resolve to, in the order it writes them."""
    return tuple(dict.fromkeys(m.period for m in mentions(text, reference) if m.period is not None))


def mentions(text: str, reference: datetime.date | None, past: bool = False) -> list[DateMention]:
    """Every date written in `text`, resolved against `reference` (the article's date),
    left to right; where two forms overlap the longer one is the date. With `past`, a date
    without a year is the latest not after the reference, as a question about the news
    means ("in February", asked in November, is the February before)."""
    folded = fold(text)
    # Folding keeps positions for NFC text; if it did not, the folded text is quoted.
    original = text if len(text) == len(folded) else folded
    found: list[DateMention] = []
    for pattern, resolve, relative in _patterns():
        for match in pattern.finditer(folded):
            if not _capitals_ok(match, original):
                continue
            period, problem = _safely(resolve, _Match(match, folded, reference, past))
            text_at = original[match.start() : match.end()]
            found.append(DateMention(match.start(), match.end(), text_at, period, problem, relative))
    # Of forms that overlap, the most precise date wins, then the longest: "October 16"
    # over "during the October", "September 2024" over "in September".
    found.sort(key=lambda m: (_PRECISION_RANK.get(m.period.precision, 3) if m.period else 3, m.start - m.end))
    kept: list[DateMention] = []
    for mention in found:
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def dating_fingerprint() -> str:
    """Changes when the dating rules or any language's date words change: part of an
    article's fingerprint, so an ingest dates the articles again after such a change."""
    digest = hashlib.sha256(str(DATING_VERSION).encode())
    for lang in LANGUAGES:
        digest.update((_LANG_DIR / lang / "dates.tsv").read_bytes())
    return digest.hexdigest()[:16]


# --- resolution ----------------------------------------------------------------


class _Match:
    """A regex match with what resolving it needs: the folded text around it and the reference."""

    def __init__(self, match: re.Match[str], folded: str, reference: datetime.date | None, past: bool) -> None:
        self.match = match
        self.reference = reference
        self._folded = folded
        self._past = past

    def group(self, name: str) -> str | None:
        return self.match.groupdict().get(name)

    def number(self, name: str) -> int | None:
        value = self.group(name)
        return int(value) if value else None

    def says_past(self) -> bool:
        """A past word right after the date ("16-10 vừa qua") or right before it ("last October")."""
        after = self._folded[self.match.end() : self.match.end() + 20]
        before = self._folded[max(0, self.match.start() - 12) : self.match.start()]
        words = _words("past")
        return (
            self._past
            or bool(words)
            and (
                re.match(rf"\s*(?:{words})\b", after) is not None
                or re.search(rf"\b(?:{words})\s*$", before) is not None
            )
        )


class _Invalid(Exception):
    """The text names a day that does not exist."""


class _NoReference(Exception):
    """Resolving the date needs the article's date, and there is none."""


def _safely(resolve: Callable[[_Match], Period], match: _Match) -> tuple[Period | None, str]:
    try:
        return resolve(match), ""
    except (_Invalid, ValueError, OverflowError):
        return None, "invalid"
    except _NoReference:
        return None, "no_reference"


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _day(year: int, month: int, day: int) -> Period:
    date = datetime.date(year, month, day)
    return Period(date, date, "day")


def _month(year: int, month: int, part: str | None = None) -> Period:
    first = datetime.date(year, month, 1)
    last = _month_end(first)
    if part:
        low, high = _PART_DAYS[part]
        first, last = first.replace(day=low), last.replace(day=min(high, last.day))
    return Period(first, last, "month")


def _year(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), "year")


def _distance(period: Period, reference: datetime.date) -> int:
    if period.start <= reference <= period.end:
        return 0
    return min(abs((period.start - reference).days), abs((period.end - reference).days))


def _without_year(match: _Match, build: Callable[[int], Period]) -> Period:
    """The period in the year that puts it nearest the article's date, earlier on a tie;
    the latest not after it when the text says it is past."""
    reference = match.reference
    options: list[Period] = []
    for year in (-1, 0, 1):
        try:
            options.append(build(reference.year + year if reference else 2000 + year))
        except ValueError:
            continue  # 29/2 outside a leap year
    if not options:
        raise _Invalid
    if reference is None:
        raise _NoReference
    if match.says_past():
        past = [p for p in options if p.start <= reference]
        if past:
            return past[-1]
    return min(options, key=lambda p: (_distance(p, reference), p.start))


def _shifted(reference: datetime.date, unit: str, steps: int) -> Period:
    if unit == "day":
        day = reference + datetime.timedelta(days=steps)
        return Period(day, day, "day")
    if unit == "week":
        monday = reference - datetime.timedelta(days=reference.weekday()) + datetime.timedelta(weeks=steps)
        return Period(monday, monday + datetime.timedelta(days=6), "day")
    if unit == "month":
        index = reference.year * 12 + reference.month - 1 + steps
        return _month(index // 12, index % 12 + 1)
    return _year(reference.year + steps)


def _relative(kind: str) -> Callable[[_Match], Period]:
    unit, steps = _RELATIVE[kind]

    def resolve(match: _Match) -> Period:
        if match.reference is None:
            raise _NoReference
        return _shifted(match.reference, unit, steps)

    return resolve


def _ago(match: _Match) -> Period:
    if match.reference is None:
        raise _NoReference
    count = match.group("count") or "1"
    steps = int(count) if count.isdigit() else 1
    unit = next(u for u in _UNITS if match.group(f"unit_{u}"))
    return _shifted(match.reference, unit, -steps)


def _full_date(match: _Match) -> Period:
    return _day(match.number("year"), _month_number(match), match.number("day"))


def _day_month(match: _Match) -> Period:
    day, month = match.number("day"), _month_number(match)
    if match.number("year"):
        return _day(match.number("year"), month, day)
    return _without_year(match, lambda year: _day(year, month, day))


def _month_of(match: _Match) -> Period:
    month, part = _month_number(match), _part(match)
    if match.number("year"):
        return _month(match.number("year"), month, part)
    return _without_year(match, lambda year: _month(year, month, part))


def _year_of(match: _Match) -> Period:
    return _year(match.number("year"))


def _month_number(match: _Match) -> int:
    if match.group("month"):
        month = int(match.group("month"))
    else:
        month = _english_months()[match.group("month_name").rstrip(".")]
    if not 1 <= month <= 12:
        raise _Invalid
    return month


def _part(match: _Match) -> str | None:
    written = match.group("part")
    if not written:
        return None
    return next(part for part in _PART_DAYS if written in _phrases(part))


# --- the forms, from each language's data ----------------------------------------


@cache
def _data() -> dict[str, tuple[str, ...]]:
    """Every language's phrases by kind, merged (the kinds mean the same in each)."""
    phrases: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        for line in (_LANG_DIR / lang / "dates.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            kind, values = line.split("\t")
            phrases.setdefault(f"{lang}:{kind}", []).extend(v.strip() for v in values.split("|") if v.strip())
            phrases.setdefault(kind, []).extend(v.strip() for v in values.split("|") if v.strip())
    return {kind: tuple(dict.fromkeys(values)) for kind, values in phrases.items()}


def _phrases(kind: str) -> tuple[str, ...]:
    return _data().get(kind, ())


def _words(kind: str) -> str:
    """The kind's phrases as a regex alternation, longest first, spaces as any run of spaces."""
    phrases = sorted(_phrases(kind), key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)


@cache
def _english_months() -> dict[str, int]:
    return {name: int(number) for name, number in (p.split("=") for p in _phrases("en:month"))}


def _capitals_ok(match: re.Match[str], original: str) -> bool:
    """English month names that are also common words ("may") count only capitalised."""
    if "month_name" not in match.groupdict() or match.group("month_name") is None:
        return True
    if match.group("month_name") not in _phrases("en:needs_capital"):
        return True
    return original[match.start("month_name")].isupper()


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], Callable[[_Match], Period], bool], ...]:
    """Each date form as (regex over folded text, its resolver, whether it is relative)."""
    day_word, month_word, year_word = _words("vi:day_word"), _words("vi:month_word"), _words("vi:year_word")
    parts = "|".join(_words(p) for p in _PART_DAYS if _phrases(p))
    names = "|".join(sorted(map(re.escape, _english_months()), key=len, reverse=True))
    in_word, past = _words("en:in"), _words("en:past")
    sep = r"\s*[/.-]\s*"
    forms: list[tuple[str, Callable[[_Match], Period]]] = [
        (r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b", _full_date),
        (
            (
                rf"\b(?:(?:{day_word})\s+)?(?P<day>\d{{1,2}})\s*(?P<sep>[/.-])\s*(?P<month>\d{{1,2}})\s*(?P=sep)\s*"
                rf"(?P<year>\d{{4}})\b"
            ),
            _full_date,
        ),
        (
            (
                rf"\b(?:{day_word})\s+(?P<day>\d{{1,2}})\s+(?:{month_word})\s+(?P<month>\d{{1,2}})"
                rf"(?:\s+(?:{year_word})\s+(?P<year>\d{{4}}))?\b"
            ),
            _day_month,
        ),
        (rf"\b(?:{day_word})\s+(?P<day>\d{{1,2}}){sep}(?P<month>\d{{1,2}})\b(?!{sep}\d)", _day_month),
        (
            (
                rf"\b(?:(?P<part>{parts})\s+)?(?:{month_word})\s+(?P<month>\d{{1,2}})"
                rf"(?:{sep}|\s+(?:{year_word})\s+)(?P<year>\d{{4}})\b"
            ),
            _month_of,
        ),
        (rf"\b(?:(?P<part>{parts})\s+)?(?:{month_word})\s+(?P<month>\d{{1,2}})\b(?!{sep}\d)", _month_of),
        (rf"\b(?:{year_word})\s+(?P<year>\d{{4}})\b", _year_of),
        (
            rf"\b(?P<month_name>{names})\.?\s+(?P<day>\d{{1,2}}){_ORDINAL}\b(?:,?\s+(?P<year>\d{{4}})\b)?",
            _day_month,
        ),
        (
            rf"\b(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<month_name>{names})\b\.?(?:,?\s+(?P<year>\d{{4}})\b)?",
            _day_month,
        ),
        (rf"\b(?:(?P<part>{parts})[-\s]+)?(?P<month_name>{names})\b\.?,?\s+(?P<year>\d{{4}})\b", _month_of),
        (
            rf"\b(?:{in_word}|{past})\s+(?:the\s+)?(?:(?P<part>{parts})[-\s]+)?(?P<month_name>{names})\b",
            _month_of,
        ),
        (rf"\b(?P<part>{parts})-(?P<month_name>{names})\b", _month_of),
        (rf"\b(?:{in_word})\s+(?P<year>\d{{4}})\b", _year_of),
    ]
    units = "|".join(f"(?P<unit_{u}>{_words(f'unit_{u}')})" for u in _UNITS)
    relative = [(rf"\b(?P<count>\d{{1,4}}|a|an|one)\s+(?:{units})\s+(?:{_words('ago')})\b{_AFTER_CLAUSE}", _ago)]
    relative += [(rf"\b(?:{_words(kind)})\b", _relative(kind)) for kind in _RELATIVE if _phrases(kind)]
    return tuple((re.compile(form), resolve, False) for form, resolve in forms) + tuple(
        (re.compile(form), resolve, True) for form, resolve in relative
    )
