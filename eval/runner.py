"""Run a question set through `qa.ask` (the same pipeline the chat uses) and score it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from eval.metrics import (
    QuestionResult,
    Retrieved,
    Span,
    citation_hits,
    doc_hit,
    first_relevant_rank,
    keyword_recall,
    occurrences,
    summarise,
)
from eval.questions import LANGS, Question
from qa.catalog import get_article
from qa.pipeline import ask
from qa.settings import Settings
from qa.types import Answer

METRICS = (
    "n",
    "hit_at_k",
    "mrr",
    "doc_hit_at_k",
    "keyword_recall",
    "citation_precision",
    "citation_support_rate",
    "abstention_accuracy",
    "false_abstention_rate",
    "quoted_sentences_median",
    "latency_p50_ms",
    "latency_p95_ms",
)


@dataclass(frozen=True)
class Detail:
    """A question's result with what a person needs to see why it failed."""

    result: QuestionResult
    question: str
    answer: str
    retrieved: list[str]
    missing_keywords: list[list[str]]
    # The whole answer (citations with their spans and quotes, closest passages, checks),
    # so a front end can show the sources of a failed question as the chat shows them.
    reply: Answer

    @property
    def failed(self) -> bool:
        r = self.result
        if not r.answerable:
            return r.answered
        return r.rank is None or not r.answered or r.keyword_recall < 1.0 or r.citations_good < r.citations_total


def _evidence_spans(question: Question, bodies: dict[str, str]) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {}
    for article_id in question.sources:
        body = bodies.get(article_id, "")
        for evidence in question.evidence:
            spans.setdefault(article_id, []).extend(occurrences(body, evidence))
    return spans


def _body(article_id: str, settings: Settings, cache: dict[str, str]) -> str:
    if article_id not in cache:
        record = get_article(article_id, settings)
        cache[article_id] = record.body if record else ""
    return cache[article_id]


def score_question(question: Question, answer: Answer, bodies: dict[str, str]) -> Detail:
    spans = _evidence_spans(question, bodies)
    retrieved = [Retrieved(p.article_id, p.start, p.end) for p in answer.passages]
    good, total = citation_hits(answer.answer, {c.n: c.article_id for c in answer.citations}, question.sources)
    missing = [list(g) for g in question.answer_keywords if keyword_recall(answer.answer, [g]) < 1.0]
    support = answer.checks.llm.support if answer.mode == "llm" and answer.checks.llm else ()
    result = QuestionResult(
        id=question.id,
        lang=question.lang,
        answerable=question.answerable,
        rank=first_relevant_rank(retrieved, spans) if question.answerable else None,
        doc_hit=doc_hit(retrieved, question.sources),
        keyword_recall=keyword_recall(answer.answer, question.answer_keywords) if answer.answered else 0.0,
        citations_good=good,
        citations_total=total,
        answered=answer.answered,
        latency_ms=answer.timings_ms.get("total", 0.0),
        sentences_checked=len(support),
        sentences_supported=sum(1 for s in support if s.supported),
        quoted=sum(len(c.quotes) for c in answer.citations),
    )
    return Detail(
        result=result,
        question=question.question,
        answer=answer.answer,
        retrieved=[f"{p.chunk_id} [{p.start}:{p.end}] score {p.score:.3f}" for p in answer.passages],
        missing_keywords=missing,
        reply=answer,
    )


@dataclass
class EvalRun:
    summary: dict[str, Any]
    by_lang: dict[str, dict[str, Any]]
    details: list[Detail]
    # Questions the run was given: more than it scored when it was stopped early.
    planned: int

    @property
    def complete(self) -> bool:
        return len(self.details) == self.planned

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.summary,
            "planned": self.planned,
            "by_lang": self.by_lang,
            "questions": [
                {
                    **asdict(d.result),
                    "question": d.question,
                    "answer": d.answer,
                    "retrieved": d.retrieved,
                    "missing_keywords": d.missing_keywords,
                    "checks": asdict(d.reply.checks),
                    "failed": d.failed,
                }
                for d in self.details
            ],
        }


def run_eval(
    questions: Sequence[Question],
    settings: Settings,
    k: int,
    progress: Callable[[int, int, str], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> EvalRun:
    """Ask and score every question; `progress(i, n, id)` after each one. When `stop()`
    turns true the run ends after the question in hand, and the run holds the questions
    scored so far (`complete` is False): a person who cancels sees how far it got."""
    bodies: dict[str, str] = {}
    details: list[Detail] = []
    # One untimed question first, so the start-up cost (model load, lexical index) is
    # not charged to the first measured question.
    ask(questions[0].question, settings=settings, k=k)
    for i, question in enumerate(questions, start=1):
        if stop and stop():
            break
        answer = ask(question.question, settings=settings, k=k)
        for article_id in question.sources:
            _body(article_id, settings, bodies)
        details.append(score_question(question, answer, bodies))
        if progress:
            progress(i, len(questions), question.id)
    results = [d.result for d in details]
    by_lang = {
        lang: summarise([r for r in results if r.lang == lang])
        for lang in LANGS
        if any(r.lang == lang for r in results)
    }
    return EvalRun(summarise(results), by_lang, details, planned=len(questions))
