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
from vectorstore.text import fold, has_diacritics, words

# English words that are not also unaccented Vietnamese syllables ("the" = thế, "do" = do).
_ENGLISH_MARKERS = frozenset(
    [
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
        "can",
        "their",
        "they",
        "its",
        "this",
        "that",
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
        "than",
        "been",
        "being",
        "were",
        "which",
        "whether",
        "happened",
        "according",
    ]
)
_NAME_OR_NUMBER = re.compile(r"\b(?:[A-ZÀ-Ỹ][\w.-]*|\w*\d[\w/-]*)\b", re.UNICODE)


@dataclass(frozen=True)
class QueryAnalysis:
    text: str
    language: str  # "vi", "vi-noaccent" or "en"
    dense_text: str
    lexical_terms: tuple[str, ...]
    content_syllables: tuple[str, ...]


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


def analyse(text: str, corpus: CorpusIndex) -> QueryAnalysis:
    language = detect_language(text)
    syllables = words(text)
    if language == "vi":
        return QueryAnalysis(text, language, text, tuple(query_terms(syllables, accented=True)), tuple(syllables))
    if language == "vi-noaccent":
        restored = corpus.restorer.restore(syllables)
        return QueryAnalysis(
            text, language, " ".join(restored), tuple(query_terms(syllables, accented=False)), tuple(restored)
        )
    english = _english_terms(text, corpus)
    return QueryAnalysis(text, language, text, tuple(english), tuple(fold(t[2:]) for t in english))
