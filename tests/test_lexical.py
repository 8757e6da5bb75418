import math
from collections import Counter

import pytest

from vectorstore.lexical import (
    BM25Index,
    accented_term,
    document_terms,
    folded_term,
    pair_term,
    query_terms,
    term_syllable,
)
from vectorstore.text import words

DOCS = [
    "Hội nghị thượng đỉnh Nga - Mỹ dự kiến diễn ra tại Budapest.",
    "Budapest là thủ đô của Hungary; Budapest từng đón nhiều hội nghị quốc tế.",
    "Tổng thống Trump nói về tên lửa Tomahawk và Ukraine trong cuộc điện đàm dài.",
    "Điện Kremlin cho biết chưa có ngày cụ thể cho cuộc gặp.",
]


def reference_bm25(docs: list[str], terms: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """BM25 written out term by term, the way a textbook states it."""
    bags = [Counter(document_terms(d)) for d in docs]
    lengths = [len(words(d)) for d in docs]
    avg = sum(lengths) / len(lengths)
    scores = []
    for bag, length in zip(bags, lengths):
        score = 0.0
        for term in terms:
            df = sum(1 for other in bags if term in other)
            idf = math.log1p((len(docs) - df + 0.5) / (df + 0.5))
            tf = bag[term]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))
        scores.append(score)
    return scores


@pytest.mark.parametrize(
    "question, accented",
    [("hội nghị Budapest", True), ("hoi nghi budapest thu do", False), ("Trump Tomahawk", True), ("không có", True)],
)
def test_scores_match_textbook_bm25_within_the_byte_rounding(question: str, accented: bool) -> None:
    terms = query_terms(words(question), accented)
    got = BM25Index.build(DOCS).scores(terms)
    expected = reference_bm25(DOCS, terms)
    assert got.tolist() == pytest.approx(expected, rel=0.01, abs=1e-6)
    assert sorted(range(len(DOCS)), key=lambda i: -got[i]) == sorted(range(len(DOCS)), key=lambda i: -expected[i])


def test_folded_question_finds_accented_text_and_unknown_terms_score_nothing() -> None:
    index = BM25Index.build(DOCS)
    scores = index.scores(query_terms(words("dien kremlin"), accented=False))
    assert scores.argmax() == 3 and scores[3] > 0
    assert not index.scores([accented_term("xyzzy"), folded_term("xyzzy")]).any()
    assert not index.knows(accented_term("xyzzy")) and index.knows(pair_term("thủ", "đô"))
    assert term_syllable(folded_term("Điện")) == "dien" and term_syllable(accented_term("Điện")) == "Điện"


def test_empty_corpus_scores_nothing() -> None:
    assert BM25Index.build([]).scores([accented_term("budapest")]).size == 0


def test_a_phrase_is_known_only_when_its_syllables_stand_side_by_side() -> None:
    index = BM25Index.build(DOCS)
    assert index.knows_phrase("Điện Kremlin") and index.knows_phrase("dien kremlin")
    assert index.knows_phrase("Budapest") and not index.knows_phrase("Bucharest")
    assert not index.knows_phrase("Kremlin Budapest"), "both words occur, never together"
    assert not index.knows_phrase("")
