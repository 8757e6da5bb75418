"""Quality metrics as pure functions, so each can be checked on a hand-made case.

A retrieved passage is *relevant* when its span in its article covers at least half
of one occurrence of one of the question's evidence strings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from qa.types import MARKER

Span = tuple[int, int]


@dataclass(frozen=True)
class Retrieved:
    article_id: str
    start: int
    end: int


def occurrences(body: str, needle: str) -> list[Span]:
    """Every (start, end) of needle in body, after NFC normalisation of both."""
    body = unicodedata.normalize("NFC", body)
    needle = unicodedata.normalize("NFC", needle)
    if not needle:
        return []
    spans, start = [], body.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = body.find(needle, start + 1)
    return spans


def covers_half(passage: Span, evidence: Span) -> bool:
    overlap = min(passage[1], evidence[1]) - max(passage[0], evidence[0])
    return overlap > 0 and overlap * 2 >= evidence[1] - evidence[0]


def is_relevant(passage: Retrieved, evidence_spans: Mapping[str, Sequence[Span]]) -> bool:
    """evidence_spans maps article id -> occurrences of the evidence strings in it."""
    return any(covers_half((passage.start, passage.end), span) for span in evidence_spans.get(passage.article_id, ()))


def first_relevant_rank(passages: Sequence[Retrieved], evidence_spans: Mapping[str, Sequence[Span]]) -> int | None:
    """1-based rank of the first relevant passage, or None."""
    for rank, passage in enumerate(passages, start=1):
        if is_relevant(passage, evidence_spans):
            return rank
    return None


def reciprocal_rank(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / rank


def doc_hit(passages: Sequence[Retrieved], sources: Iterable[str]) -> bool:
    wanted = set(sources)
    return any(p.article_id in wanted for p in passages)


def _fold_case(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def keyword_recall(answer: str, groups: Sequence[Sequence[str]]) -> float:
    """Share of keyword groups with at least one alternative in the answer."""
    if not groups:
        return 1.0
    text = _fold_case(answer)
    return sum(1 for group in groups if any(_fold_case(alt) in text for alt in group)) / len(groups)


def cited_markers(answer: str) -> list[int]:
    return [int(m) for m in MARKER.findall(answer)]


def citation_hits(answer: str, citation_articles: Mapping[int, str], sources: Iterable[str]) -> tuple[int, int]:
    """(markers whose cited passage comes from a source article, all markers)."""
    wanted = set(sources)
    markers = cited_markers(answer)
    good = sum(1 for n in markers if citation_articles.get(n) in wanted)
    return good, len(markers)


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else 0.0


@dataclass(frozen=True)
class QuestionResult:
    """What the runner records per question; the summary is computed from these alone."""

    id: str
    lang: str
    answerable: bool
    rank: int | None
    doc_hit: bool
    keyword_recall: float
    citations_good: int
    citations_total: int
    answered: bool
    latency_ms: float
    # Cited sentences of a generated answer, and how many of them their passages support
    # (qa.llm.SupportJudge); both 0 for an extractive answer, which quotes its sources.
    sentences_checked: int = 0
    sentences_supported: int = 0
    # Sentences the answer quotes (all citations together).
    quoted: int = 0


def summarise(results: Sequence[QuestionResult]) -> dict[str, float | int | None]:
    """The metric table; a metric with no question to measure it on is None."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    cited = sum(r.citations_total for r in answerable)
    checked = sum(r.sentences_checked for r in results)

    def mean(values: list[float]) -> float | None:
        return round(float(np.mean(values)), 4) if values else None

    latencies = [r.latency_ms for r in results]
    quoted = [r.quoted for r in answerable if r.answered]
    return {
        "n": len(results),
        "hit_at_k": mean([1.0 if r.rank is not None else 0.0 for r in answerable]),
        "mrr": mean([reciprocal_rank(r.rank) for r in answerable]),
        "doc_hit_at_k": mean([1.0 if r.doc_hit else 0.0 for r in answerable]),
        "keyword_recall": mean([r.keyword_recall for r in answerable]),
        "citation_precision": round(sum(r.citations_good for r in answerable) / cited, 4) if cited else None,
        "citation_support_rate": round(sum(r.sentences_supported for r in results) / checked, 4) if checked else None,
        "abstention_accuracy": mean([0.0 if r.answered else 1.0 for r in unanswerable]),
        "false_abstention_rate": mean([0.0 if r.answered else 1.0 for r in answerable]),
        "quoted_sentences_median": float(np.median(quoted)) if quoted else None,
        "latency_p50_ms": round(percentile(latencies, 50), 2),
        "latency_p95_ms": round(percentile(latencies, 95), 2),
    }
