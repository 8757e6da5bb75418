"""The result types every front end reads: the CLI, the chat and the evaluation runner."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

# A citation marker in an answer's text: "[2]" refers to the citation with n == 2. Every
# reader of answers (the chat's links, the evaluation's checks) finds markers with this.
MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk; `start`/`end` locate `text` exactly in the article body."""

    chunk_id: str
    article_id: str
    title: str
    date: str
    text: str
    start: int
    end: int
    sentences: tuple[tuple[int, int], ...]
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None
    # Cosine similarity of each sentence to the question (None: not among the nearest).
    sentence_scores: tuple[float | None, ...] = ()
    # The same for each part of a question that asks several things (`QueryAnalysis.parts`).
    part_sentence_scores: tuple[tuple[float | None, ...], ...] = ()


@dataclass(frozen=True)
class Citation:
    """A numbered source; `quotes` are the spans (in the article body) of the sentences used."""

    n: int
    article_id: str
    title: str
    date: str
    text: str
    start: int
    end: int
    quotes: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, n: int, passage: Passage, quotes: Iterable[tuple[int, int]]) -> Citation:
        """Passage `passage` cited as [n], quoting the sentences at `quotes`."""
        return cls(
            n=n,
            article_id=passage.article_id,
            title=passage.title,
            date=passage.date,
            text=passage.text,
            start=passage.start,
            end=passage.end,
            quotes=tuple(sorted(quotes)),
        )


@dataclass(frozen=True)
class DateFilterCheck:
    """A date filter the question set: "before" / "after" / "within" a period, as written."""

    relation: str
    period: str
    written: str


@dataclass(frozen=True)
class TimeChecks:
    """How the question's time was read (`qa.timing`): what it asks about time ("latest",
    "order", or None for a filter alone), its filters, and the latest article quoted."""

    intent: str | None = None
    filters: tuple[DateFilterCheck, ...] = ()
    latest_article: str = ""


@dataclass(frozen=True)
class ExtractiveChecks:
    """Why the extractive answer answered or abstained: the answer model's gates (the
    probability that the articles are on the question's topic, and that the best sentence
    answers it), their thresholds, and the gates that refused."""

    refused_by: tuple[str, ...] = ()
    gates: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    best_sentence_probability: float | None = None
    asked_kinds: tuple[str, ...] = ()
    known_share: float | None = None
    time: TimeChecks | None = None


@dataclass(frozen=True)
class ClaimSupport:
    """One sentence of a generated answer, judged against the passages it cites (by their
    numbers in the answer): the share of its weighted words they hold, and the cosine of
    its nearest cited sentence when meaning had to decide."""

    sentence: str
    cited: tuple[int, ...]
    supported: bool
    overlap: float
    similarity: float | None = None


@dataclass(frozen=True)
class LLMChecks:
    """What the checks of a model's reply found, for the chat to show beside the answer;
    `error` says why the model could not be used (the extractive answer is shown then)."""

    reply: str = ""
    refused: bool = False
    removed_markers: tuple[int, ...] = ()
    unmarked_sentences: tuple[str, ...] = ()
    support: tuple[ClaimSupport, ...] = ()
    error: str = ""
    # The question as the model rewrote it (a follow-up made standalone) or translated it.
    standalone_question: str = ""
    translated_question: str = ""

    @property
    def unsupported_sentences(self) -> tuple[str, ...]:
        return tuple(s.sentence for s in self.support if not s.supported)


@dataclass(frozen=True)
class Checks:
    extractive: ExtractiveChecks = field(default_factory=ExtractiveChecks)
    llm: LLMChecks | None = None


@dataclass(frozen=True)
class Answer:
    """The one result of a question, built once; a later stage (the LLM, the timings)
    makes a new one with `dataclasses.replace`."""

    question: str
    answer: str
    answered: bool
    language: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"
    notices: list[str] = field(default_factory=list)
    checks: Checks = field(default_factory=Checks)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
