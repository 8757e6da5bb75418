"""Language knowledge that holds for any text, read from per-language data files.

Each language has a folder (`vi/`, `en/`) of plain-text lists: function words, words that
state a number, and cue phrases telling what kind of fact a question asks for. They are
general knowledge of the language, never words of a corpus or a question set, and they
live here as data so that adding a language, or a word, touches no code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# The kinds of fact a question may ask for, in the order a cue file lists them.
ANSWER_KINDS = ("number", "date", "person", "place")


def _lines(lang: str, name: str) -> list[str]:
    text = (_HERE / lang / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def function_words(lang: str) -> frozenset[str]:
    """Words without topic: folded for Vietnamese, lower case for English."""
    return frozenset(_lines(lang, "function_words.txt"))


@cache
def number_words(lang: str) -> frozenset[str]:
    return frozenset(_lines(lang, "number_words.txt"))


def _cue_table(lang: str, name: str, kinds: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """A file of `kind<TAB>phrase|phrase|…` lines as kind -> phrases; an unknown kind is an error."""
    cues: dict[str, tuple[str, ...]] = {}
    for line in _lines(lang, name):
        kind, phrases = line.split("\t")
        if kind not in kinds:
            raise ValueError(f"{lang}/{name}: unknown kind {kind!r}")
        cues[kind] = tuple(p.strip() for p in phrases.split("|") if p.strip())
    return cues


@cache
def answer_cues(lang: str) -> dict[str, tuple[str, ...]]:
    """Kind of fact ("number", "date", "person", "place") -> the cue phrases asking for it."""
    return _cue_table(lang, "answer_cues.tsv", ANSWER_KINDS)


@cache
def question_words(lang: str) -> frozenset[str]:
    """The words that make a clause a question ("gì", "nào", … folded for Vietnamese)."""
    return frozenset(_lines(lang, "question_words.txt"))


# What a question's time words ask for (`qa.timing`): the latest state, the order of
# events, or a date filter (after, before, within the date that follows the word).
TIME_CUES = ("latest", "order", "after", "before", "within")


@cache
def time_cues(lang: str) -> dict[str, tuple[str, ...]]:
    """Kind of time intent -> its cue phrases (folded for Vietnamese), "*" for a few words."""
    return _cue_table(lang, "time_cues.tsv", TIME_CUES)
