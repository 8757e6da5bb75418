"""Every metric on a tiny hand-made case whose answer is known."""

import pytest

from eval.metrics import (
    QuestionResult,
    Retrieved,
    citation_hits,
    covers_half,
    doc_hit,
    first_relevant_rank,
    keyword_recall,
    occurrences,
    percentile,
    reciprocal_rank,
    summarise,
)

BODY = "Alpha beta. Gamma delta epsilon. Alpha beta."


def test_occurrences_finds_every_one_after_nfc():
    assert occurrences(BODY, "Alpha beta") == [(0, 10), (33, 43)]
    assert occurrences("Hội nghị", "Ho\u0302\u0323i nghị") == [(0, 8)]
    assert occurrences(BODY, "") == []


@pytest.mark.parametrize(
    ("passage", "evidence", "expected"),
    [((0, 10), (0, 10), True), ((5, 20), (0, 10), True), ((6, 20), (0, 10), False), ((20, 30), (0, 10), False)],
)
def test_covers_half(passage, evidence, expected):
    assert covers_half(passage, evidence) is expected


def test_rank_hit_and_reciprocal_rank():
    spans = {"a": [(12, 32)]}
    passages = [Retrieved("b", 12, 32), Retrieved("a", 0, 11), Retrieved("a", 10, 25)]
    assert first_relevant_rank(passages, spans) == 3
    assert reciprocal_rank(3) == pytest.approx(1 / 3) and reciprocal_rank(None) == 0.0
    assert first_relevant_rank(passages[:2], spans) is None
    assert doc_hit(passages[:1], ["a"]) is False and doc_hit(passages, ["a"]) is True


def test_keyword_recall_needs_one_alternative_per_group_case_insensitive():
    answer = "Hungary đã RÚT KHỎI Tòa án Hình sự quốc tế [1]."
    assert keyword_recall(answer, [["rút khỏi"], ["ICC", "tòa án hình sự"]]) == 1.0
    assert keyword_recall(answer, [["rút khỏi"], ["Budapest"]]) == 0.5
    assert keyword_recall(answer, []) == 1.0


def test_citation_hits_count_markers_against_sources():
    answer = "One [1]. Two [2]. Three [1] [3]."
    assert citation_hits(answer, {1: "a", 2: "b", 3: "a"}, ["a"]) == (3, 4)


def test_percentile():
    assert percentile([1, 2, 3, 4, 5], 50) == 3.0 and percentile([], 95) == 0.0


def result(**overrides) -> QuestionResult:
    base = {
        "id": "q",
        "lang": "vi",
        "answerable": True,
        "rank": 1,
        "doc_hit": True,
        "keyword_recall": 1.0,
        "citations_good": 1,
        "citations_total": 1,
        "answered": True,
        "latency_ms": 10.0,
    }
    return QuestionResult(**{**base, **overrides})


def test_summarise_on_a_known_case():
    results = [
        result(rank=1, latency_ms=10),
        result(rank=2, keyword_recall=0.5, citations_good=1, citations_total=2, latency_ms=20),
        result(
            rank=None,
            doc_hit=False,
            keyword_recall=0.0,
            answered=False,
            citations_total=0,
            citations_good=0,
            latency_ms=30,
        ),
        result(answerable=False, rank=None, answered=False, latency_ms=40),
        result(answerable=False, rank=None, answered=True, latency_ms=50),
    ]
    summary = summarise(results)
    assert summary["n"] == 5
    assert summary["hit_at_k"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["mrr"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert summary["doc_hit_at_k"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["keyword_recall"] == pytest.approx(0.5, abs=1e-4)
    assert summary["citation_precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert summary["abstention_accuracy"] == 0.5
    assert summary["false_abstention_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert summary["latency_p50_ms"] == 30.0


def test_summarise_leaves_unmeasurable_metrics_empty():
    summary = summarise([result()])
    assert summary["abstention_accuracy"] is None and summary["hit_at_k"] == 1.0
