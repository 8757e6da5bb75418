"""`ask()` and `ask_stream()`: the entry points the CLI, the chat and the evaluation runner call.

Both run one generator, `_answer_events`: it retrieves, composes the extractive answer
(always: it is the fallback), and in LLM mode asks the model, passing its text on as it
arrives and ending with the checked `Answer`. `ask()` keeps only that last event.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import replace
from typing import Any

from qa.answer_model import load_model
from qa.answering import compose
from qa.llm import (
    NOT_IN_ARTICLES,
    SUPPORT_NEIGHBOURS,
    LLMCaller,
    LLMUnavailable,
    SupportJudge,
    answer_messages,
    as_vietnamese,
    check_reply,
    rewrite_messages,
    strip_thinking,
    translate_messages,
)
from qa.query import QueryAnalysis, analyse, detect_language
from qa.resources import Resources, forget_store, get_resources
from qa.retrieval import retrieve
from qa.settings import Settings
from qa.timing import answer_in_time
from qa.types import Answer
from vectorstore.corpus import CorpusIndex
from vectorstore.errors import NewsQAError, StoreUnavailableError
from vectorstore.store import SentenceKey
from vectorstore.text import clean_question, words

# A follow-up this short ("Còn Hungary thì sao?", "and when was it cancelled?") leans
# on the previous question for its topic.
_FOLLOW_UP_MAX_SYLLABLES = 8
# Where a streamed extractive answer is cut into pieces: after a marker or a full stop,
# unless a marker follows.
_PIECE_END = re.compile(r"(?<=[\].!?…])(?=\s+[^\s\[])")


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


def earlier_questions(history: Sequence[str]) -> list[str]:
    """The usable earlier questions, cleaned like the question itself."""
    return [clean_question(h) for h in history if isinstance(h, str) and words(h)]


def retrieval_text(question: str, history: Sequence[str]) -> str:
    """The question, prefixed by the previous one when it reads as a follow-up."""
    previous = earlier_questions(history)
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
    index or an unreachable server; an LLM that fails only adds a notice.
    """
    *_, answer = _answer_events(question, history, settings, k, stream=False)
    return answer


def ask_stream(
    question: str,
    history: Sequence[str] = (),
    settings: Settings | None = None,
    k: int | None = None,
) -> Iterator[str | Answer]:
    """`ask()` for a chat that shows the answer as it is written.

    Yields text pieces as they arrive (the model's tokens; an extractive answer's
    sentences one by one), then the complete checked `Answer`, whose `.answer` is what
    to show in the end: markers are renumbered and a refusal becomes the not-found
    message. Raises what `ask()` raises, on the first iteration.
    """
    streamed = False
    for event in _answer_events(question, history, settings, k, stream=True):
        if isinstance(event, Answer) and not streamed:
            yield from _PIECE_END.split(event.answer)
        streamed = True
        yield event


def _answer_events(
    question: str, history: Sequence[str], settings: Settings | None, k: int | None, stream: bool
) -> Iterator[str | Answer]:
    settings = settings or Settings.from_env()
    started = time.perf_counter()
    text = validate_question(question, settings)
    k = k or settings.top_k
    language = detect_language(text)
    caller = LLMCaller(settings) if settings.answer_mode == "llm" else None
    timings: dict[str, float] = {}
    try:
        resources = get_resources(settings)
        t0 = time.perf_counter()
        corpus = resources.corpus.get()
        _timed(timings, "corpus_check", t0)
        if not corpus.chunks:
            raise StoreUnavailableError("the index is empty: run `qa ingest seeds/` (or your article folder) first")
        asked, query, notes = _understand(text, history, corpus, caller, timings)
        retrieved = retrieve(query, resources, corpus, settings, k)
        timings.update(retrieved.timings_ms)
        t0 = time.perf_counter()
        # The answer, dated: filtered to the question's dates, in date order when it asks so (`qa.timing`).
        composed, time_notices = answer_in_time(
            query,
            retrieved.passages,
            corpus,
            lambda asked, passages, most: compose(
                asked, passages, corpus, most, language, load_model(), retrieved.part_sentences
            ),
            settings.answer_sentences,
            settings.time_article_share,
        )
        _timed(timings, "compose", t0)
        answer = Answer(
            question=text,
            answer=composed.answer,
            answered=composed.answered,
            language=language,
            citations=composed.citations,
            passages=retrieved.passages,
            checks=composed.checks,
            notices=time_notices,
        )
        if caller is not None and answer.passages:  # with nothing to cite, the model is not asked
            judge = SupportJudge(corpus, _nearest_sentences(resources))
            answer = yield from _generate(answer, asked, notes, caller, judge, stream, timings)
    except StoreUnavailableError:
        forget_store(settings)
        raise
    timings["total"] = (time.perf_counter() - started) * 1000
    yield replace(answer, timings_ms={name: round(ms, 2) for name, ms in timings.items()})


def _timed(timings: dict[str, float], name: str, started: float) -> None:
    timings[name] = (time.perf_counter() - started) * 1000


def _understand(
    text: str, history: Sequence[str], corpus: CorpusIndex, caller: LLMCaller | None, timings: dict[str, float]
) -> tuple[str, QueryAnalysis, dict[str, Any]]:
    """The question as the answer will address it, its query, and what the LLM changed.

    Without an LLM a short follow-up is prefixed by the previous question. With one, it
    is rewritten into a standalone question, and an English question is translated and
    retrieved as Vietnamese, so the lexical side can match the articles word for word.
    """
    notes: dict[str, Any] = {}
    asked = retrieval_text(text, history)
    previous = earlier_questions(history)
    if caller and caller.settings.llm_rewrite and previous:
        t0 = time.perf_counter()
        standalone = caller.line(rewrite_messages(text, previous))
        _timed(timings, "llm_rewrite", t0)
        if standalone and words(standalone):
            asked = notes["standalone_question"] = standalone
    query = analyse(asked, corpus)
    if caller and caller.settings.llm_translate and query.language == "en":
        t0 = time.perf_counter()
        translation = as_vietnamese(caller.line(translate_messages(asked)))
        _timed(timings, "llm_translate", t0)
        if translation:
            # Retrieved as a Vietnamese question, both sides: with hand translations of the
            # 25 English eval questions, MRR went from 0.861 (English, dense only) to 1.000,
            # against 0.929 when the translation fed only the lexical side.
            notes["translated_question"] = translation
            query = analyse(translation, corpus)
    return asked, query, notes


def _nearest_sentences(resources: Resources) -> Callable[[str], dict[SentenceKey, float]]:
    """For the support check: a claim's nearest stored sentences with their cosine."""

    def nearest(claim: str) -> dict[SentenceKey, float]:
        vector = resources.embedder.get_query_embedding(claim)
        return dict(resources.store.query_sentences(vector, SUPPORT_NEIGHBOURS))

    return nearest


def _generate(
    extractive: Answer,
    asked: str,
    notes: dict[str, Any],
    caller: LLMCaller,
    judge: SupportJudge,
    stream: bool,
    timings: dict[str, float],
) -> Generator[str, None, Answer]:
    """The model's answer, checked; or the extractive one with a notice when it fails.

    While streaming, a reply that may still turn out to be NOT_IN_ARTICLES is held back,
    so the chat never flashes the sentinel.
    """
    t0 = time.perf_counter()
    messages = answer_messages(asked, extractive.language, extractive.passages, caller.settings.answer_sentences)
    reply = ""
    shown = 0
    try:
        for piece in caller.reply(messages, stream):
            reply += piece
            if stream and len(reply) > shown and not NOT_IN_ARTICLES.startswith(reply.strip()):
                yield reply[shown:]
                shown = len(reply)
        if not strip_thinking(reply):
            raise caller.fail(f"empty reply from {caller.url}")
    except LLMUnavailable as exc:
        _timed(timings, "llm_answer", t0)
        return replace(
            extractive,
            notices=[*extractive.notices, caller.notice],
            checks={**extractive.checks, "llm": {**notes, "error": exc.reason}},
        )
    _timed(timings, "llm_answer", t0)
    t0 = time.perf_counter()
    checked = check_reply(reply, extractive.passages, extractive.language, judge)
    _timed(timings, "llm_check", t0)
    return replace(
        extractive,
        answer=checked.answer,
        answered=checked.answered,
        citations=checked.citations,
        mode="llm",
        checks={**extractive.checks, "llm": {**notes, **checked.checks}},
    )
