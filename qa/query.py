"""Understand a question before retrieval: its language, its accented form, its terms.

Three kinds of question meet Vietnamese articles: Vietnamese with diacritics,
Vietnamese typed without them, and English. Each needs a different query:
- unaccented Vietnamese gets its diacritics restored from the corpus before the dense
  model sees it, and matches folded terms lexically;
- English goes to the (multilingual) dense model with its names of places and
  institutions in the articles' Vietnamese (`qa.bilingual`), and its lexical side is
  limited to names and numbers that occur in the articles (Vietnamese names may come
  without diacritics), since English words match nothing useful in Vietnamese text, and
  to its dates written the articles' way ("October 16" is "16/10").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

from qa.bilingual import vietnamese_names, with_vietnamese_names
from qa.glossary import vietnamese_words
from qa.lang import function_words, question_words
from vectorstore.corpus import CorpusIndex
from vectorstore.lexical import accented_term, folded_term, pair_term, query_terms, term_syllable
from vectorstore.text import fold, has_diacritics, has_vietnamese_only_letters, word_spans, words

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ENGLISH_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\b|({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b)",
    re.IGNORECASE,
)
# Where one question may end and the next begin: a comma or semicolon, or "và"/"rồi".
_PART_BREAK = re.compile(r"\s*[,;]\s*(?:(?:và|va|rồi|roi)\s+)?|\s+(?:và|va|rồi|roi)\s+", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})\s*[/-]\s*(\d{1,2})\b")
_NAME_OR_NUMBER = re.compile(r"\b(?:[A-ZÀ-Ỹ][\w.-]*|\w*\d[\w/-]*)\b", re.UNICODE)


@dataclass(frozen=True)
class QueryAnalysis:
    text: str
    language: str  # "vi", "vi-noaccent" or "en"
    dense_text: str
    lexical_terms: tuple[str, ...]
    content_syllables: tuple[str, ...]
    names: tuple[str, ...] = ()
    # Day-month terms (`pair_term("16", "10")`) of the dates the question names, that the articles hold.
    dates: tuple[str, ...] = ()
    # Bigram terms of the multi-syllable Vietnamese names an English question's names
    # translate to: "Trung Đông" counts as one unit, not as "trung" and "đông" anywhere.
    phrases: tuple[str, ...] = ()
    # The Vietnamese of an English question's news words (`qa.glossary`), for the embedder only.
    news_words: tuple[str, ...] = ()
    # Each question of a Vietnamese question that asks more than one (`question_parts`).
    parts: tuple[QueryAnalysis, ...] = ()

    @property
    def embedded_text(self) -> str:
        """What the dense model sees: `dense_text`, then the Vietnamese of its news words."""
        return " ".join((self.dense_text, *self.news_words))


def detect_language(text: str) -> str:
    """The language of a question: "vi", "vi-noaccent" or "en". Accented letters that
    Western European names share ("José", "São Paulo") make a question Vietnamese only
    when no English word is in it."""
    english = not function_words("en").isdisjoint(words(text))
    if has_vietnamese_only_letters(text) or (has_diacritics(text) and not english):
        return "vi"
    return "en" if english else "vi-noaccent"


def _english_terms(text: str, corpus: CorpusIndex) -> list[str]:
    """Names and numbers of an English question that the articles contain verbatim, and
    Vietnamese names it writes without diacritics, as English does ("Tran Minh", "Cat Lai")."""
    terms = []
    for match in _NAME_OR_NUMBER.finditer(text):
        for syllable in words(match.group(0)):
            if syllable in function_words("en"):
                continue
            term = accented_term(syllable)
            if corpus.bm25.knows(term):
                terms.append(term)
    known = {term_syllable(t) for t in terms}
    for name in names(text):
        syllables = words(name)
        # Two or more syllables side by side in the articles: a lone capitalised English
        # word ("The" folds like "thế") is too weak a sign.
        if len(syllables) > 1 and not known.issuperset(syllables) and corpus.bm25.knows_phrase(name):
            terms += [folded_term(s) for s in syllables if s not in known]
    return terms


def question_dates(text: str) -> list[str]:
    """The day-month dates a question names, as the lexical term of the articles' numeric
    dates: Vietnamese news writes "16/10" or "16-10", indexed as the bigram 16_10, and an
    English question's "October 16" or "16th of October" is the same date."""
    found = [(int(m.group(1)), int(m.group(2))) for m in _NUMERIC_DATE.finditer(text)]
    for match in _ENGLISH_DATE.finditer(text):
        found.append((int(match.group(1) or match.group(4)), _MONTHS[(match.group(2) or match.group(3)).lower()]))
    return [pair_term(str(day), str(month)) for day, month in found if 1 <= day <= 31 and 1 <= month <= 12]


def question_parts(text: str) -> list[str]:
    """The questions a Vietnamese question asks, in its own words: "Ai đề xuất thượng
    đỉnh ở Budapest, và ông Putin đáp lại thế nào?" asks two, and an answer should quote
    a sentence for each. A piece between breaks that asks nothing ("Theo ông Peskov",
    "giữa Nga" of "giữa Nga và Mỹ") belongs to the question it leads into, or to the
    last one when nothing follows."""
    spans: list[tuple[int, int]] = []
    start = 0
    breaks = [(m.start(), m.end()) for m in _PART_BREAK.finditer(text)] + [(len(text), len(text))]
    for end, next_start in breaks:
        if not question_words("vi").isdisjoint(fold(w) for w in words(text[start:end])):
            spans.append((start, end))
            start = next_start
    if spans and start < len(text):
        spans[-1] = (spans[-1][0], len(text))
    return [text[a:b] for a, b in spans] or [text]


def names(text: str) -> list[str]:
    """Runs of capitalised words joined by spaces ("Tập Cận Bình", "Budapest").

    The capital of the question's first word is sentence case, not a name, so it is
    left out of its run: "Theo Lavrov, …" names Lavrov. A dash or comma ends a run, so
    "Putin – Trump" is two names.
    """
    found: list[str] = []
    run: list[str] = []
    previous_end = -1
    for token, start, end in word_spans(text):
        joined = previous_end >= 0 and not text[previous_end:start].strip()
        if token[:1].isupper() and (joined or not run) and previous_end >= 0:
            run.append(token)
        else:
            if run:
                found.append(" ".join(run))
            run = [token] if token[:1].isupper() and previous_end >= 0 else []
        previous_end = end
    if run:
        found.append(" ".join(run))
    return found


def analyse(text: str, corpus: CorpusIndex) -> QueryAnalysis:
    language = detect_language(text)
    query = _analysed(text, language, corpus)
    # English questions stay whole: their parts lean on each other ("…, and when did he
    # say it?"), and split, English citation precision fell from 0.907 to 0.886.
    parts = question_parts(text) if language != "en" else []
    if len(parts) < 2:
        return query
    return replace(query, parts=tuple(_analysed(part, language, corpus) for part in parts))


def _analysed(text: str, language: str, corpus: CorpusIndex) -> QueryAnalysis:
    syllables = words(text)
    dates = tuple(dict.fromkeys(t for t in question_dates(text) if corpus.bm25.knows(t)))
    if language == "vi":
        lexical = tuple(query_terms(syllables, accented=True))
        return QueryAnalysis(text, language, text, lexical, tuple(syllables), tuple(names(text)), dates)
    if language == "vi-noaccent":
        restored = corpus.restorer.restore(syllables)
        lexical = tuple(query_terms(syllables, accented=False))
        return QueryAnalysis(text, language, " ".join(restored), lexical, tuple(restored), dates=dates)
    listed = vietnamese_names(text, corpus.bm25.knows_phrase)
    translated = [m for m in listed if m.vietnamese is not None]
    named = [[fold(w) for w in words(m.vietnamese)] for m in translated]
    phrases = tuple(pair_term(a, b) for n in named for a, b in pairwise(n))
    english = _english_terms(text, corpus)
    return QueryAnalysis(
        text,
        language,
        with_vietnamese_names(text, translated),
        (*english, *(folded_term(w) for n in named for w in n), *phrases, *dates),
        # A one-word name counts as its word; a longer one as its phrase (`phrases`).
        (*(fold(term_syllable(t)) for t in english), *(n[0] for n in named if len(n) == 1)),
        # Listed places and institutions the articles never mention ("China"): not found.
        names=tuple(m.english for m in listed if m.vietnamese is None),
        dates=dates,
        phrases=phrases,
        news_words=tuple(vietnamese_words(text, corpus.bm25.knows_phrase)),
    )
