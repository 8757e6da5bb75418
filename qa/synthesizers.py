"""The answer modes, one synthesizer each, chosen by `answer_mode`; both end in the one
`Answer`.

llama-index's synthesizers return a `Response` of free text; an answer here is whole
checked sentences with numbered citations, a refusal, and the checks behind it, so the
modes share this small protocol instead: `events()` yields the text as it arrives (the
model's tokens; nothing for the extractive answer, which is whole at once) and returns
the `Answer`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from typing import Protocol

from qa.answer_model import load_model
from qa.answering import compose
from qa.llm import (
    NOT_IN_ARTICLES,
    LLMCaller,
    LLMUnavailable,
    SupportJudge,
    answer_messages,
    check_reply,
    strip_thinking,
)
from qa.query import QueryAnalysis
from qa.resources import Resources
from qa.settings import Settings
from qa.timing import answer_in_time
from qa.types import Answer, Checks, LLMChecks, Passage
from vectorstore.corpus import CorpusIndex
from vectorstore.store import SentenceKey


@dataclass(frozen=True)
class Request:
    """A question ready to answer: as the user typed it (cleaned), in the words the answer
    addresses (`asked`: a follow-up made standalone), analysed, with its passages and what
    an LLM changed on the way (`notes`: `LLMChecks` fields)."""

    text: str
    language: str
    asked: str
    query: QueryAnalysis
    passages: list[Passage]
    notes: dict[str, str]


class Synthesizer(Protocol):
    def events(self, request: Request, stream: bool, timings: dict[str, float]) -> Generator[str, None, Answer]: ...


def _timed(timings: dict[str, float], name: str, started: float) -> None:
    timings[name] = (time.perf_counter() - started) * 1000


class ExtractiveSynthesizer:
    """Quotes the sentences the fitted answer model picks, or abstains (`qa.answering`)."""

    def __init__(self, corpus: CorpusIndex, settings: Settings) -> None:
        self._corpus, self._max_sentences = corpus, settings.answering.answer_sentences
        self._article_share = settings.answering.time_article_share

    def answer(self, request: Request, timings: dict[str, float]) -> Answer:
        t0 = time.perf_counter()
        model, language = load_model(), request.language
        # Filtered to the question's dates, in date order when it asks so (`qa.timing`).
        composed, notices = answer_in_time(
            request.query,
            request.passages,
            self._corpus,
            lambda query, passages, most: compose(query, passages, self._corpus, most, language, model),
            self._max_sentences,
            self._article_share,
        )
        _timed(timings, "compose", t0)
        return Answer(
            question=request.text,
            answer=composed.answer,
            answered=composed.answered,
            language=request.language,
            citations=composed.citations,
            passages=request.passages,
            checks=Checks(extractive=composed.checks),
            notices=notices,
        )

    def events(self, request: Request, stream: bool, timings: dict[str, float]) -> Generator[str, None, Answer]:
        return self.answer(request, timings)
        yield  # a generator that yields nothing: the answer is whole at once


class LLMSynthesizer:
    """The model writes the answer from the passages; its reply is checked before it is
    shown. The extractive answer is made first: it is what is shown when the model fails
    (with a notice), and with no passage to cite the model is not asked."""

    def __init__(self, corpus: CorpusIndex, resources: Resources, settings: Settings, caller: LLMCaller) -> None:
        self._extractive = ExtractiveSynthesizer(corpus, settings)
        self._caller, self._settings = caller, settings
        self._judge = SupportJudge(corpus, _nearest_sentences(resources, settings.llm.support_neighbours), settings.llm)

    def events(self, request: Request, stream: bool, timings: dict[str, float]) -> Generator[str, None, Answer]:
        """While streaming, a reply that may still turn out to be NOT_IN_ARTICLES is held
        back, so the chat never flashes the sentinel."""
        extractive = self._extractive.answer(request, timings)
        if not extractive.passages:
            return extractive
        caller = self._caller
        t0 = time.perf_counter()
        messages = answer_messages(
            request.asked, request.language, request.passages, self._settings.answering.answer_sentences
        )
        reply, shown = "", 0
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
                checks=replace(extractive.checks, llm=LLMChecks(error=exc.reason, **request.notes)),
            )
        _timed(timings, "llm_answer", t0)
        t0 = time.perf_counter()
        checked = check_reply(reply, request.passages, request.language, self._judge)
        _timed(timings, "llm_check", t0)
        return replace(
            extractive,
            answer=checked.answer,
            answered=checked.answered,
            citations=checked.citations,
            mode="llm",
            checks=replace(extractive.checks, llm=replace(checked.checks, **request.notes)),
        )


def _nearest_sentences(resources: Resources, n: int) -> Callable[[str], dict[SentenceKey, float]]:
    """For the support check: a claim's nearest stored sentences with their cosine."""

    def nearest(claim: str) -> dict[SentenceKey, float]:
        vector = resources.embedder.get_query_embedding(claim)
        return dict(resources.store.query_sentences(vector, n))

    return nearest
