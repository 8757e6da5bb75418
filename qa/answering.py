"""Extractive answers: quote the sentences that answer, each with its source marker.

No model writes anything here: the answer is made of whole sentences of the retrieved
passages, verbatim, so every claim is checkable against its source. Which sentences, and
whether to answer at all, is the fitted answer model's call (`qa.answer_model`, on the
signals of `qa.evidence`): the most probable sentence is quoted, with the few others that
come close to it, the best sentence for each part of a question that asks several things,
and the neighbours a quoted sentence leans on (`qa.discourse`). When the model puts the
chance that the articles answer under its language's threshold, the answer says so in the
question's language and lists the closest passages instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from qa.answer_model import AnswerModel, QuoteRule
from qa.discourse import announces_next, is_heading, is_photo_caption, points_back
from qa.evidence import Candidate, QuestionTerms, candidates, question_features, question_terms, sentence_features
from qa.query import QueryAnalysis
from qa.types import Citation, ExtractiveChecks, Passage
from vectorstore.corpus import CorpusIndex

NOT_FOUND = {
    "vi": "Các bài báo không chứa thông tin để trả lời câu hỏi này. Những đoạn gần nhất được hiển thị kèm theo.",
    "en": "The articles do not contain the answer to this question. The closest passages are shown with it.",
}


@dataclass(frozen=True)
class Composed:
    answer: str
    answered: bool
    citations: list[Citation]
    checks: ExtractiveChecks


@dataclass(frozen=True)
class _Scored:
    """Candidates with their sentence-model logits, best first."""

    found: list[Candidate]
    logits: np.ndarray
    rows: np.ndarray
    order: list[int]

    def probability(self, i: int) -> float:
        return float(1.0 / (1.0 + np.exp(-self.logits[i])))


def _score(query: QueryAnalysis, passages: list[Passage], terms: QuestionTerms, model: AnswerModel) -> _Scored | None:
    found = candidates(passages)
    if not found:
        return None
    rows = sentence_features(query, passages, found, terms)
    logits = model.sentence_logits(query.language, rows)
    order = [int(i) for i in np.argsort(-logits, kind="stable")]
    # A caption or heading is no claim to cite: quoted only when nothing else is there.
    claims = [i for i in order if not (is_photo_caption(found[i].text) or is_heading(found[i].text))]
    return _Scored(found, logits, rows, claims or order)


def _neighbour(sentence: Candidate, step: int, passages: list[Passage]) -> Candidate | None:
    """The sentence `step` places away in the article, from a retrieved passage that holds
    both (its own passage first), so it can be cited like any other; None if none does."""
    article_id = passages[sentence.passage_rank].article_id
    order = [sentence.passage_rank] + [r for r in range(len(passages)) if r != sentence.passage_rank]
    for rank in order:
        passage = passages[rank]
        if passage.article_id != article_id:
            continue
        starts = [start for start, _ in passage.sentences]
        if sentence.start in starts and 0 <= (i := starts.index(sentence.start) + step) < len(starts):
            start, end = passage.sentences[i]
            return Candidate(rank, start, end, passage.text[start - passage.start : end - passage.start])
    return None


def _leaned_on(sentence: Candidate, passages: list[Passage], with_before: bool) -> list[Candidate]:
    """The neighbours the sentence leans on, in article order: the sentence before when it
    points back to it (`with_before`), the one after when it announces it or continues it."""
    before = _neighbour(sentence, -1, passages) if with_before else None
    after = _neighbour(sentence, 1, passages)
    return [
        *([before] if before is not None and points_back(sentence.text) else []),
        *([after] if after is not None and (announces_next(sentence.text) or points_back(after.text)) else []),
    ]


def _with_context(chosen: list[Candidate], passages: list[Passage]) -> list[Candidate]:
    """The chosen sentences plus the neighbours they lean on: for each, the sentence after
    when it announces it or continues it ("… đưa ra các đề xuất." then "Các đề xuất gồm:
    …"), and for the best one also the sentence before when it points back to it."""
    quoted = {(passages[s.passage_rank].article_id, s.start) for s in chosen}
    added = []
    for i, sentence in enumerate(chosen):
        for neighbour in _leaned_on(sentence, passages, with_before=i == 0):
            key = (passages[neighbour.passage_rank].article_id, neighbour.start)
            if key not in quoted and not is_heading(neighbour.text):
                quoted.add(key)
                added.append(neighbour)
    return chosen + added


def _select(scored: _Scored, rule: QuoteRule, max_sentences: int) -> list[Candidate]:
    """The best sentence, and those close enough to it by the fitted quoting rule."""
    best, *rest = scored.order
    top = scored.probability(best)
    extra = [i for i in rest if scored.probability(i) >= max(rule.share * top, rule.floor)]
    return [scored.found[i] for i in [best, *extra[: max_sentences - 1]]]


def _with_parts(
    chosen: list[Candidate], query: QueryAnalysis, passages: list[Passage], corpus: CorpusIndex, model: AnswerModel
) -> list[Candidate]:
    """The chosen sentences plus the best one for each part of a question that asks
    several things, scored as if that part were asked alone, when not chosen already:
    the best sentences for the whole question often answer only one of its parts."""
    quoted = {(passages[s.passage_rank].article_id, s.start) for s in chosen}
    added = []
    for j, part in enumerate(query.parts):
        rescored = [
            replace(p, sentence_scores=p.part_sentence_scores[j] if p.part_sentence_scores else ()) for p in passages
        ]
        scored = _score(part, rescored, question_terms(part, corpus), model)
        if scored is None:
            continue
        best = scored.found[scored.order[0]]
        if (key := (passages[best.passage_rank].article_id, best.start)) not in quoted:
            quoted.add(key)
            added.append(best)
    return chosen + added


def compose(
    query: QueryAnalysis,
    passages: list[Passage],
    corpus: CorpusIndex,
    max_sentences: int,
    language: str,
    model: AnswerModel,
) -> Composed:
    """The cited answer, or the not-found message in `language` (that of the user's question)."""
    message_lang = "en" if language == "en" else "vi"
    terms = question_terms(query, corpus)
    scored = _score(query, passages, terms, model) if passages else None
    if scored is None:
        return Composed(NOT_FOUND[message_lang], False, [], ExtractiveChecks(refused_by=("no passage",)))
    best = scored.order[0]
    row = question_features(float(scored.logits[best]), best, scored.rows, passages, terms)
    probabilities = model.gate_probabilities(query.language, row)
    refused = model.refusing_gates(query.language, probabilities)
    checks = ExtractiveChecks(
        refused_by=tuple(refused),
        gates={gate: round(p, 4) for gate, p in probabilities.items()},
        thresholds=dict(model.thresholds[query.language]),
        best_sentence_probability=round(scored.probability(best), 4),
        asked_kinds=tuple(sorted(terms.kinds)),
        known_share=round(terms.known_share, 4),
    )
    if refused:
        return Composed(NOT_FOUND[message_lang], False, [], checks)

    chosen = _select(scored, model.quote[query.language], max_sentences)
    chosen = _with_context(_with_parts(chosen, query, passages, corpus, model), passages)
    # Read in source order: articles as they first rank, each in its own order.
    article_rank: dict[str, int] = {}
    for s in sorted(chosen, key=lambda s: s.passage_rank):
        article_rank.setdefault(passages[s.passage_rank].article_id, s.passage_rank)
    chosen.sort(key=lambda s: (article_rank[passages[s.passage_rank].article_id], s.start))

    numbers: dict[int, int] = {}
    parts: list[str] = []
    for sentence in chosen:
        n = numbers.setdefault(sentence.passage_rank, len(numbers) + 1)
        parts.append(f"{sentence.text} [{n}]")
    citations = []
    for rank, n in numbers.items():
        quotes = tuple((s.start, s.end) for s in chosen if s.passage_rank == rank)
        citations.append(Citation.of(n, passages[rank], quotes))
    return Composed(" ".join(parts), True, citations, checks)
