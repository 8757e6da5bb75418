"""Answers that know when: date filters, and the latest statements on a matter that moved.

News stories move, and a later article changes what an earlier one said: a summit is
agreed, called off, then "not needed for now". The extractive answer (`qa.answering`)
quotes the sentences that best match the question, whatever their date. This step runs
around it when the question's words ask about time (`qa.lang` time cues):
- a date filter ("trong tháng 10", "sau ngày 20/10", "before 22 October") keeps only the
  sentences of that period: dated by what they state (`vectorstore.dates`), or else by
  their article's date;
- a question about the present state ("còn … không", "hiện nay", "still", "latest") or
  about order ("diễn biến", "in order") gets, beside the answer, each retrieved article's
  own best answer, as the answer model judges it on that article alone; the statements
  are grouped by article, newest article first for the present state, oldest first for
  order, each sentence with its date, and the answer names the latest article it used.
A question with no time words is answered exactly as before.

Dates a question writes without a year are read against the newest article of the index,
as if asked on the day it appeared, so the same index gives the same answer any day.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from qa.answering import Composed
from qa.lang import time_cues
from qa.query import QueryAnalysis
from qa.types import Citation, DateFilterCheck, Passage, TimeChecks
from vectorstore.corpus import CorpusIndex
from vectorstore.dates import DateMention, Period, mentions, parse_reference
from vectorstore.text import fold

ComposeFn = Callable[[QueryAnalysis, list[Passage], int], Composed]
"""The extractive answer to this query over these passages, quoting up to this many sentences."""

_MESSAGES = {
    "vi": {
        "latest": "Bài mới nhất được dùng: “{title}” ({date}).",
        "published": "đăng {date}",
        "undated": "không rõ ngày",
        "invalid": "“{text}” không phải là một ngày có thật; câu hỏi được trả lời không lọc theo ngày đó.",
        "no_reference": "Không biết năm của “{text}” (các bài báo không có ngày); câu hỏi được trả lời không lọc theo ngày đó.",
        "empty": "Không có câu nào của các bài báo thuộc khoảng thời gian “{text}”.",
    },
    "en": {
        "latest": "Latest article used: “{title}” ({date}).",
        "published": "published {date}",
        "undated": "date unknown",
        "invalid": "“{text}” is not a real date; the question was answered without filtering on it.",
        "no_reference": "The year of “{text}” is unknown (no article has a date); the question was answered without filtering on it.",
        "empty": "No sentence of the articles falls in “{text}”.",
    },
}


@dataclass(frozen=True)
class DateFilter:
    """A period the question restricts its evidence to: after it, before it, or within it;
    `written` as the question writes the date."""

    relation: str
    period: Period
    written: str

    def admits(self, periods: Sequence[Period]) -> bool:
        if self.relation == "after":
            return any(p.start > self.period.end for p in periods)
        if self.relation == "before":
            return any(p.end < self.period.start for p in periods)
        return any(p.overlaps(self.period) for p in periods)


@dataclass(frozen=True)
class TimeIntent:
    """What a question's time words ask: "latest", "order" or nothing (`kind` None), its
    date filters, the dates it writes that cannot filter (as written, with the problem:
    `DateMention.problem`)."""

    kind: str | None
    filters: tuple[DateFilter, ...] = ()
    unusable: tuple[tuple[str, str], ...] = ()

    @property
    def asks_time(self) -> bool:
        return self.kind is not None or bool(self.filters)


def _cue_lang(language: str) -> str:
    return "en" if language == "en" else "vi"


@dataclass(frozen=True)
class _Cue:
    kind: str
    pattern: re.Pattern[str]


@cache
def _cue_patterns(lang: str, kinds: tuple[str, ...]) -> tuple[_Cue, ...]:
    """Each cue phrase of these kinds as a regex over the folded question, longest first."""
    cues = time_cues(lang)
    out = []
    for kind in kinds:
        for phrase in sorted(cues.get(kind, ()), key=len, reverse=True):
            parts = [r"(?:\S+\s+){0,6}?" if w == "*" else re.escape(w) + r"\s+" for w in phrase.split()]
            body = "".join(parts).removesuffix(r"\s+")
            out.append(_Cue(kind, re.compile(rf"\b{body}(?=\W|$)")))
    return tuple(out)


def time_intent(text: str, language: str, newest: Callable[[], datetime.date | None]) -> TimeIntent:
    """The time intent of a question; `newest` gives the date its yearless dates are read
    against (called only when one needs it)."""
    lang = _cue_lang(language)
    written = " ".join(text.split())
    folded = fold(written)
    # Folding keeps positions for NFC text; if it did not, the folded text is quoted.
    shown = written if len(written) == len(folded) else folded
    kind = next((c.kind for c in _cue_patterns(lang, ("latest", "order")) if c.pattern.search(folded)), None)
    found = mentions(folded, None)
    if any(m.problem == "no_reference" for m in found):
        found = mentions(folded, newest(), past=True)
    filters, unusable = [], []
    for mention in found:
        relation = _relation(folded, mention, _cue_patterns(lang, ("after", "before", "within")))
        if relation is None or mention.relative:
            continue  # "trong năm nay" counts within a year more often than it filters
        date_text = shown[mention.start : mention.end]
        if mention.period is None:
            unusable.append((date_text, mention.problem))
            continue
        filters.append(DateFilter(relation, mention.period, date_text))
    return TimeIntent(kind, tuple(filters), tuple(unusable))


def _relation(folded: str, mention: DateMention, cues: Sequence[_Cue]) -> str | None:
    """The filter a date makes: that of the cue word right before it (or opening it, as
    "in" opens "in October"); None when no cue is there, and the date only names the
    event asked about."""
    head = max(0, mention.start - 16)
    before = folded[head : mention.start]
    date_text = folded[mention.start : mention.end]
    for cue in cues:
        for match in cue.pattern.finditer(before):
            if not before[match.end() :].strip():
                return cue.kind
        opening = cue.pattern.match(date_text)
        if opening is not None and opening.end() < len(date_text):
            return cue.kind
    return None


# --- answering --------------------------------------------------------------------


def sentence_periods(
    corpus: CorpusIndex, article_id: str, start: int, end: int, article_date: str
) -> tuple[Period, ...]:
    """The periods a sentence states, or else the day its article appeared; () if neither."""
    stated = corpus.sentence_dates.get((article_id, start, end))
    if stated:
        return stated
    day = parse_reference(article_date)
    return (Period(day, day, "day"),) if day else ()


def admitted(periods: Sequence[Period], filters: Sequence[DateFilter]) -> bool:
    """Whether a sentence of these periods is evidence under the filters: after and before
    each, within any one of the "within" periods. A sentence without any date, in an
    article without one, is not known to be outside the period, and stays: a filter drops
    only what the articles date elsewhere."""
    if not periods:
        return True
    within = [f for f in filters if f.relation == "within"]
    bounds = [f for f in filters if f.relation != "within"]
    return all(f.admits(periods) for f in bounds) and (not within or any(f.admits(periods) for f in within))


def _within(passages: list[Passage], corpus: CorpusIndex, filters: Sequence[DateFilter]) -> list[Passage]:
    """The passages with only their sentences that the filters admit. A passage left
    with none stays, without sentences: the answer model judges whether the articles
    answer at all on the retrieved passages as ranked, and quotes only what is left."""
    kept = []
    for passage in passages:
        keep = [
            i
            for i, (s, e) in enumerate(passage.sentences)
            if admitted(sentence_periods(corpus, passage.article_id, s, e, passage.date), filters)
        ]
        n = len(passage.sentences)
        kept.append(
            replace(
                passage,
                sentences=tuple(passage.sentences[i] for i in keep),
                sentence_scores=_kept(passage.sentence_scores, keep, n),
                part_sentence_scores=tuple(_kept(scores, keep, n) for scores in passage.part_sentence_scores),
            )
        )
    return kept


def _kept(scores: tuple, keep: list[int], n: int) -> tuple:
    """The scores of the kept sentences, when there is one per sentence of the passage."""
    return tuple(scores[i] for i in keep) if len(scores) == n else ()


def _newest_date(corpus: CorpusIndex) -> Callable[[], datetime.date | None]:
    def newest() -> datetime.date | None:
        return max(filter(None, (parse_reference(d) for d in {c.date for c in corpus.chunks})), default=None)

    return newest


def answer_in_time(
    query: QueryAnalysis,
    passages: list[Passage],
    corpus: CorpusIndex,
    compose: ComposeFn,
    max_sentences: int,
    article_share: float,
) -> tuple[Composed, list[str]]:
    """The extractive answer, filtered to the question's dates and, for a question about
    the present state or the order of events, with the answers of the other retrieved
    articles in date order: those whose best sentence is at least `article_share` as
    probable as the best article's; and notices for the user (a date that is no date, a
    period with nothing)."""
    messages = _MESSAGES[_cue_lang(query.language)]
    intent = time_intent(query.text, query.language, _newest_date(corpus))
    notices = [messages[problem or "invalid"].format(text=written) for written, problem in intent.unusable]
    if not intent.asks_time:
        return compose(query, passages, max_sentences), notices
    if intent.filters:
        passages = _within(passages, corpus, intent.filters)
        dated = (sentence_periods(corpus, p.article_id, s, e, p.date) for p in passages for s, e in p.sentences)
        if not any(dated):  # what is left, if anything, is undated
            notices.append(messages["empty"].format(text=", ".join(f.written for f in intent.filters)))
    composed = compose(query, passages, max_sentences)
    checks = TimeChecks(
        intent=intent.kind,
        filters=tuple(DateFilterCheck(f.relation, f.period.label(), f.written) for f in intent.filters),
    )
    if intent.kind is None or not composed.answered:
        return replace(composed, checks=replace(composed.checks, time=checks)), notices
    articles = list(dict.fromkeys(p.article_id for p in passages))
    own = [
        answer for a in articles if (answer := compose(query, [p for p in passages if p.article_id == a], 1)).answered
    ]
    best = max((answer.checks.best_sentence_probability or 0.0 for answer in own), default=0.0)
    kept = [answer for answer in own if (answer.checks.best_sentence_probability or 0.0) >= article_share * best]
    citations = [*composed.citations, *(c for answer in kept for c in answer.citations)]
    text, numbered, latest = _in_date_order(citations, corpus, intent.kind, messages)
    if latest is not None:
        text += " " + messages["latest"].format(title=latest.title, date=latest.date)
        checks = replace(checks, latest_article=latest.article_id)
    return replace(composed, answer=text, citations=numbered, checks=replace(composed.checks, time=checks)), notices


def _merged(citations: Sequence[Citation]) -> list[Citation]:
    """One citation per passage, quoting every sentence any of them quoted."""
    by_passage: dict[tuple[str, int, int], Citation] = {}
    for c in citations:
        key = (c.article_id, c.start, c.end)
        known = by_passage.get(key)
        by_passage[key] = c if known is None else replace(known, quotes=tuple(sorted({*known.quotes, *c.quotes})))
    # A sentence quoted through two overlapping passages is quoted once, from the first.
    seen: set[tuple[str, int]] = set()
    out = []
    for c in by_passage.values():
        quotes = tuple(q for q in c.quotes if (c.article_id, q[0]) not in seen)
        seen.update((c.article_id, q[0]) for q in quotes)
        if quotes:
            out.append(replace(c, quotes=quotes))
    return out


def _in_date_order(
    citations: Sequence[Citation], corpus: CorpusIndex, kind: str, messages: dict[str, str]
) -> tuple[str, list[Citation], Citation | None]:
    """The answer text of the citations' quotes grouped by article, newest article first
    for "latest" and oldest first for "order" (undated articles last), renumbered; and
    the citation of the newest dated article."""
    merged = _merged(citations)
    by_article: dict[str, list[Citation]] = {}
    for c in merged:
        by_article.setdefault(c.article_id, []).append(c)

    def when(article_id: str) -> datetime.date | None:
        first = by_article[article_id][0]
        published = parse_reference(first.date)
        if published:
            return published
        stated = [
            p.end
            for c in by_article[article_id]
            for q in c.quotes
            for p in corpus.sentence_dates.get((c.article_id, *q), ())
        ]
        return max(stated, default=None)

    dated = sorted((a for a in by_article if when(a)), key=lambda a: when(a), reverse=kind == "latest")
    order = dated + [a for a in by_article if not when(a)]
    parts, numbered = [], []
    for article_id in order:
        quoted = sorted(((q, c) for c in by_article[article_id] for q in c.quotes), key=lambda qc: qc[0])
        for c in by_article[article_id]:
            numbered.append(replace(c, n=len(numbered) + 1))
        numbers = {
            (c.start, c.end): n.n for c, n in zip(by_article[article_id], numbered[-len(by_article[article_id]) :])
        }
        for (qs, qe), c in quoted:
            label = _date_label(corpus, c, qs, qe, messages)
            parts.append(f"({label}) {c.text[qs - c.start : qe - c.start]} [{numbers[(c.start, c.end)]}]")
    dated_citations = [c for c in numbered if parse_reference(c.date)]
    newest = max(dated_citations, key=lambda c: parse_reference(c.date), default=None)
    return " ".join(parts), numbered, newest


def _date_label(corpus: CorpusIndex, citation: Citation, start: int, end: int, messages: dict[str, str]) -> str:
    stated = corpus.sentence_dates.get((citation.article_id, start, end))
    if stated:
        return ", ".join(p.label() for p in stated)
    if parse_reference(citation.date):
        return messages["published"].format(date=citation.date)
    return messages["undated"]
