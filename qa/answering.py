"""Extractive answers: quote the sentences that answer, each with its source marker.

No model writes anything here: the answer is made of whole sentences of the retrieved
passages, verbatim, so every claim is checkable against its source. A sentence is
chosen for the passage it comes from (its fused retrieval score) and for how much of
the question's rarer vocabulary it contains (IDF-weighted overlap). When the evidence
is too weak the answer says so in the question's language and lists the closest
passages instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.query import QueryAnalysis
from qa.types import Citation, Passage
from vectorstore.corpus import CorpusIndex
from vectorstore.text import fold, words

NOT_FOUND = {
    "vi": "Các bài báo không chứa thông tin để trả lời câu hỏi này. Dưới đây là những đoạn gần nhất.",
    "en": "The articles do not contain the answer to this question. The closest passages are listed below.",
}
# Below this cosine similarity (multilingual-e5-small) the best passage is about something else.
_MIN_DENSE = 0.80
_MIN_COVERAGE = 0.35
_PASSAGE_WEIGHT = 0.45
_SENTENCE_SHARE = 0.6


@dataclass(frozen=True)
class Composed:
    answer: str
    answered: bool
    citations: list[Citation]
    checks: dict


@dataclass(frozen=True)
class _Sentence:
    passage_rank: int
    start: int
    end: int
    text: str
    score: float


def _weights(query: QueryAnalysis, corpus: CorpusIndex) -> dict[str, float]:
    """IDF of each distinct folded question syllable the corpus knows."""
    out: dict[str, float] = {}
    for syllable in query.content_syllables:
        folded = fold(syllable)
        idf = corpus.bm25.term_idf(f"f:{folded}")
        if idf > 0:
            out[folded] = idf
    return out


def _overlap(text: str, weights: dict[str, float]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    present = {fold(w) for w in words(text)}
    return sum(v for k, v in weights.items() if k in present) / total


def _sentences(passages: list[Passage], weights: dict[str, float]) -> list[_Sentence]:
    top = max((p.score for p in passages), default=0.0) or 1.0
    seen: set[tuple[int, int, str]] = set()
    out: list[_Sentence] = []
    for rank, passage in enumerate(passages):
        for start, end in passage.sentences:
            key = (start, end, passage.article_id)
            if key in seen:
                continue  # the same sentence in two overlapping chunks
            seen.add(key)
            text = passage.text[start - passage.start : end - passage.start]
            score = _PASSAGE_WEIGHT * (passage.score / top) + (1 - _PASSAGE_WEIGHT) * _overlap(text, weights)
            out.append(_Sentence(rank, start, end, text, score))
    return out


def evidence_checks(query: QueryAnalysis, passages: list[Passage], corpus: CorpusIndex) -> dict:
    """The signals abstention is decided on, kept in the result for inspection."""
    weights = _weights(query, corpus)
    best = passages[0] if passages else None
    dense = max((p.dense_score for p in passages if p.dense_score is not None), default=None)
    coverage = max((_overlap(p.text, weights) for p in passages[:3]), default=0.0)
    unknown = [s for s in query.content_syllables if query.language != "en" and not corpus.bm25.knows(f"f:{fold(s)}")]
    return {
        "top_dense": None if dense is None else round(dense, 4),
        "coverage": round(coverage, 4),
        "unknown_terms": unknown,
        "top_score": None if best is None else best.score,
    }


def is_supported(checks: dict) -> bool:
    if checks["top_score"] is None:
        return False
    if checks["top_dense"] is not None and checks["top_dense"] < _MIN_DENSE:
        return False
    if checks["unknown_terms"]:
        return False
    return checks["coverage"] >= _MIN_COVERAGE or checks["top_dense"] is None


def compose(
    query: QueryAnalysis, passages: list[Passage], corpus: CorpusIndex, max_sentences: int, language: str
) -> Composed:
    """The cited answer, or the not-found message in `language` (that of the user's question)."""
    checks = evidence_checks(query, passages, corpus)
    message_lang = "en" if language == "en" else "vi"
    if not passages or not is_supported(checks):
        return Composed(NOT_FOUND[message_lang], False, [], checks)

    weights = _weights(query, corpus)
    candidates = sorted(_sentences(passages, weights), key=lambda s: -s.score)
    best = candidates[0].score
    chosen = [s for s in candidates if s.score >= _SENTENCE_SHARE * best][:max_sentences]
    # Read in source order: by passage rank, then position in the article.
    chosen.sort(key=lambda s: (s.passage_rank, s.start))

    numbers: dict[int, int] = {}
    parts: list[str] = []
    for sentence in chosen:
        n = numbers.setdefault(sentence.passage_rank, len(numbers) + 1)
        parts.append(f"{sentence.text} [{n}]")
    citations = []
    for rank, n in numbers.items():
        passage = passages[rank]
        quotes = tuple((s.start, s.end) for s in chosen if s.passage_rank == rank)
        citations.append(
            Citation(
                n=n,
                article_id=passage.article_id,
                title=passage.title,
                date=passage.date,
                text=passage.text,
                start=passage.start,
                end=passage.end,
                quotes=quotes,
            )
        )
    return Composed(" ".join(parts), True, citations, checks)
