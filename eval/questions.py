"""The evaluation question format (one JSON object per line) and its loader."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from vectorstore.errors import NewsQAError

LANGS = ("vi", "vi-noaccent", "en")
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
# Written after the pipeline's rules were set, to check that a change helps questions it
# was not shaped on: `python -m eval --questions eval/heldout.jsonl`.
HELDOUT_QUESTIONS = DEFAULT_QUESTIONS.with_name("heldout.jsonl")
# Written after the rules on the kind of fact asked for (a count, a date, a figure) were
# changed, to check them on questions of that shape, answerable and not.
KIND_QUESTIONS = DEFAULT_QUESTIONS.with_name("heldout_kinds.jsonl")
# Written after every rule of the same session, run once and used to change nothing.
BLIND_QUESTIONS = DEFAULT_QUESTIONS.with_name("blind.jsonl")
# English only, written from the articles by someone who had not seen the pipeline's code or
# results, after the blind set showed English to be the weak point.
ENGLISH_QUESTIONS = DEFAULT_QUESTIONS.with_name("heldout_en.jsonl")
# "Which city / party / company / officials" questions, answerable and near misses, written by
# someone who had not seen the pipeline, to check the rule on named things.
WHICH_QUESTIONS = DEFAULT_QUESTIONS.with_name("heldout_which.jsonl")
# Written the same way after that rule was reshaped on the set above, run once.
BLIND_WHICH_QUESTIONS = DEFAULT_QUESTIONS.with_name("blind_which.jsonl")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    answerable: bool
    sources: tuple[str, ...]
    evidence: tuple[str, ...]
    answer_keywords: tuple[tuple[str, ...], ...]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def parse_question(obj: dict, where: str) -> Question:
    try:
        question = Question(
            id=str(obj["id"]),
            question=_nfc(str(obj["question"])),
            lang=str(obj["lang"]),
            answerable=bool(obj["answerable"]),
            sources=tuple(str(s) for s in obj.get("sources", [])),
            evidence=tuple(_nfc(str(e)) for e in obj.get("evidence", [])),
            answer_keywords=tuple(tuple(_nfc(str(a)) for a in group) for group in obj.get("answer_keywords", [])),
        )
    except (KeyError, TypeError) as exc:
        raise NewsQAError(f"{where}: missing or malformed field {exc}") from None
    if question.lang not in LANGS:
        raise NewsQAError(f"{where}: lang must be one of {', '.join(LANGS)} (got {question.lang!r})")
    if question.answerable and not question.sources:
        raise NewsQAError(f"{where}: an answerable question needs at least one source")
    return question


def numbered_questions(path: Path) -> list[tuple[int, Question]]:
    """The questions of a file with their line numbers, for messages that name the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise NewsQAError(f"cannot read question file {path}: {exc}") from None
    return read_questions(text, str(path))


def load_questions(path: Path) -> list[Question]:
    return [question for _, question in numbered_questions(path)]


def read_questions(text: str, name: str, limit: int | None = None) -> list[tuple[int, Question]]:
    """Each question of a JSON-lines text with its line number, so that a later check can
    name the line too; every error names `name` and the line. With `limit`, a set holding
    more questions is refused at the first line past it, before anything is run."""
    questions: list[tuple[int, Question]] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if limit is not None and len(questions) >= limit:
            raise NewsQAError(f"{name}:{number}: more than {limit} questions, the most one run takes")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise NewsQAError(f"{name}:{number}: not valid JSON ({exc.msg})") from None
        question = parse_question(obj, f"{name}:{number}")
        if question.id in first_line:
            raise NewsQAError(
                f"{name}:{number}: question id {question.id!r} is already used on line {first_line[question.id]}"
                " (question ids must be unique)"
            )
        first_line[question.id] = number
        questions.append((number, question))
    if not questions:
        raise NewsQAError(f"{name}: no questions")
    return questions
