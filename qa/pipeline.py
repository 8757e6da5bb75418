"""`ask()`: the single entry point the CLI, the chat and the evaluation runner call."""

from __future__ import annotations

import time
from collections.abc import Sequence

from qa.answering import compose
from qa.query import analyse, detect_language
from qa.resources import forget_store, get_resources
from qa.retrieval import retrieve
from qa.settings import Settings
from qa.types import Answer
from vectorstore.errors import NewsQAError, StoreUnavailableError
from vectorstore.text import clean_question, words

# A follow-up this short ("Còn Hungary thì sao?", "and when was it cancelled?") leans
# on the previous question for its topic.
_FOLLOW_UP_MAX_SYLLABLES = 8


class QuestionError(NewsQAError):
    """The question itself cannot be answered as given (empty, too long)."""


def validate_question(question: str, settings: Settings) -> str:
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    if len(question) > settings.max_question_chars:
        raise QuestionError(
            f"the question is {len(question):,} characters long; the limit is {settings.max_question_chars:,}"
        )
    text = clean_question(question)
    if not words(text):
        raise QuestionError("the question is empty: type a question about the articles")
    return text


def retrieval_text(question: str, history: Sequence[str]) -> str:
    """The question, prefixed by the previous one when it reads as a follow-up."""
    previous = [clean_question(h) for h in history if isinstance(h, str) and words(h)]
    if previous and len(words(question)) <= _FOLLOW_UP_MAX_SYLLABLES:
        return f"{previous[-1][:500]} {question}"
    return question


def ask(
    question: str,
    history: Sequence[str] = (),
    settings: Settings | None = None,
    k: int | None = None,
) -> Answer:
    """Answer a question from the indexed articles, with citations.

    `history` holds the earlier questions of the same conversation, oldest first.
    Raises NewsQAError (with a message for the user) for a bad question, a missing
    index or an unreachable server.
    """
    settings = settings or Settings.from_env()
    started = time.perf_counter()
    text = validate_question(question, settings)
    k = k or settings.top_k
    try:
        resources = get_resources(settings)
        t0 = time.perf_counter()
        corpus = resources.corpus.get()
        timings = {"corpus_check": (time.perf_counter() - t0) * 1000}
        if not corpus.chunks:
            raise StoreUnavailableError("the index is empty: run `qa ingest seeds/` (or your article folder) first")
        query = analyse(retrieval_text(text, history), corpus)
        retrieved = retrieve(query, resources, corpus, settings, k)
    except StoreUnavailableError:
        forget_store(settings)
        raise
    timings.update(retrieved.timings_ms)
    t0 = time.perf_counter()
    language = detect_language(text)
    composed = compose(query, retrieved.passages, corpus, settings.answer_sentences, language)
    timings["compose"] = (time.perf_counter() - t0) * 1000
    timings["total"] = (time.perf_counter() - started) * 1000
    return Answer(
        question=text,
        answer=composed.answer,
        answered=composed.answered,
        language=language,
        citations=composed.citations,
        passages=retrieved.passages,
        timings_ms={name: round(ms, 2) for name, ms in timings.items()},
        checks=composed.checks,
    )
