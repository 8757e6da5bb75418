"""Understand a question before retrieval: its language, its accented form, its terms.

Three kinds of question meet Vietnamese articles: Vietnamese with diacritics,
Vietnamese typed without them, and English. Each needs a different query:
- unaccented Vietnamese gets its diacritics restored from the corpus before the dense
  model sees it, and matches folded terms lexically;
- English goes to the (multilingual) dense model as is, and its lexical side is limited
  to names and numbers that occur verbatim in the articles, since English words
  match nothing useful in Vietnamese text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vectorstore.corpus import CorpusIndex
from vectorstore.lexical import query_terms
from vectorstore.text import fold, has_diacritics, word_spans, words

# English words that are never unaccented Vietnamese syllables (unlike "the" = thế, "can" = cần,
# "that" = thất), so one of them marks a question as English.
_ENGLISH_MARKERS = frozenset(
    (
        "what",
        "why",
        "how",
        "when",
        "where",
        "who",
        "whom",
        "whose",
        "which",
        "did",
        "does",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "of",
        "and",
        "for",
        "with",
        "about",
        "from",
        "will",
        "would",
        "could",
        "should",
        "their",
        "they",
        "its",
        "this",
        "these",
        "those",
        "after",
        "before",
        "between",
        "during",
        "said",
        "says",
        "against",
        "into",
        "been",
        "being",
        "whether",
        "happened",
        "according",
    )
)
_NAME_OR_NUMBER = re.compile(r"\b(?:[A-ZÀ-Ỹ][\w.-]*|\w*\d[\w/-]*)\b", re.UNICODE)


@dataclass(frozen=True)
class QueryAnalysis:
    text: str
    language: str  # "vi", "vi-noaccent" or "en"
    dense_text: str
    lexical_terms: tuple[str, ...]
    content_syllables: tuple[str, ...]
    names: tuple[str, ...] = ()


def detect_language(text: str) -> str:
    if has_diacritics(text):
        return "vi"
    tokens = words(text)
    if any(t in _ENGLISH_MARKERS for t in tokens):
        return "en"
    return "vi-noaccent"


def _english_terms(text: str, corpus: CorpusIndex) -> list[str]:
    """Names and numbers of an English question that the articles contain verbatim."""
    terms = []
    for match in _NAME_OR_NUMBER.finditer(text):
        for syllable in words(match.group(0)):
            if syllable in _ENGLISH_MARKERS:
                continue
            term = f"w:{syllable}"
            if corpus.bm25.knows(term):
                terms.append(term)
    return terms


def names(text: str) -> list[str]:
    """Runs of capitalised words joined by spaces ("Tập Cận Bình", "Budapest").

    A lone capital at the start of the question is sentence case, not a name; a dash
    or comma ends a run, so "Putin – Trump" is two names.
    """
    found: list[str] = []
    run: list[str] = []
    run_starts_question = False
    previous_end = -1
    for token, start, end in word_spans(text):
        joined = previous_end >= 0 and not text[previous_end:start].strip()
        if token[:1].isupper() and (joined or not run):
            if not run:
                run_starts_question = previous_end < 0
            run.append(token)
        else:
            if run and not (len(run) == 1 and run_starts_question):
                found.append(" ".join(run))
            run = [token] if token[:1].isupper() else []
            run_starts_question = False
        previous_end = end
    if run and not (len(run) == 1 and run_starts_question):
        found.append(" ".join(run))
    return found


def analyse(text: str, corpus: CorpusIndex) -> QueryAnalysis:
    language = detect_language(text)
    syllables = words(text)
    if language == "vi":
        return QueryAnalysis(
            text, language, text, tuple(query_terms(syllables, accented=True)), tuple(syllables), tuple(names(text))
        )
    if language == "vi-noaccent":
        restored = corpus.restorer.restore(syllables)
        return QueryAnalysis(
            text, language, " ".join(restored), tuple(query_terms(syllables, accented=False)), tuple(restored)
        )
    english = _english_terms(text, corpus)
    return QueryAnalysis(text, language, text, tuple(english), tuple(fold(t[2:]) for t in english))
