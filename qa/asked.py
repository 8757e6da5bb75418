"""What kind of fact a question asks for, and whether a sentence states one.

A sentence on the right topic does not answer a question for a date unless it states a
date ("on what exact date did they call?" is not answered by "they will call soon"), nor
a question for a count unless it states a number ("how many hostages were freed?" is not
answered by "the ceasefire freed hostages"). These checks are necessary, not sufficient:
they only catch answers that cannot be right.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vectorstore.text import fold, words

# Folded cues of questions that ask for a date, a time or an amount: sentences holding a
# number rank higher for them.
_NUMBER_CUES = (
    "bao nhieu",
    "bao lau",
    "bao gio",
    "khi nao",
    "luc nao",
    "ngay nao",
    "nam nao",
    "thang nao",
    "hom nao",
    "ngay may",
    "may gio",
    "may tieng",
    "may lan",
    "when",
    "how many",
    "how much",
    "how long",
    "what date",
    "what year",
    "which year",
    "what day",
    "which day",
    "what percentage",
)
# A count in digits or in words ("3 giờ", "hai mươi con tin", "three hours", "dozens").
_COUNT = re.compile(
    r"\d|\b(?:hai|ba|bốn|sáu|bảy|tám|chín|mười|mươi|chục|trăm|nghìn|ngàn|triệu|tỷ"
    r"|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?"
    r"|thousands?|millions?|billions?|dozens?)\b",
    re.IGNORECASE,
)
# "ngày 13/10", "16-10-2025", "tháng 8", "2024".
_DATE = re.compile(
    r"\b(?:(?:ngày|hôm|tháng)\s+)?\d{1,2}\s*[/-]\s*\d{1,2}(?:\s*[/-]\s*\d{2,4})?\b"
    r"|\b(?:ngày|hôm|tháng)\s+\d{1,2}\b|\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Kind:
    folded_cues: tuple[str, ...]
    pattern: re.Pattern
    # Text that looks like a fact of the kind but is not one: the digits of a date count nothing.
    ignore: re.Pattern | None = None

    def states(self, text: str) -> bool:
        return bool(self.pattern.search(self.ignore.sub(" ", text) if self.ignore else text))


_KINDS = {
    "money": _Kind(
        ("bao nhieu tien", "bao nhieu ty", "bao nhieu usd", "bao nhieu do", "how much money", "how many dollars"),
        re.compile(r"\d[\d.,]*\s*(?:nghìn|triệu|tỷ)?\s*(?:USD|đô|đồng|euro|EUR|rúp)|[$€]\s*\d", re.IGNORECASE),
    ),
    "percent": _Kind(
        ("bao nhieu phan tram", "what percentage", "what percent", "how many percent"),
        re.compile(r"\d\s*%|phần trăm", re.IGNORECASE),
    ),
    "date": _Kind(
        ("ngay nao", "hom nao", "ngay may", "what date", "which date", "what day", "which day", "exact date"), _DATE
    ),
    "count": _Kind(("bao nhieu", "how many"), _COUNT, ignore=_DATE),
}
# What ranks a sentence up for a count: digits, as number words ("hai bên") are in too
# many sentences to rank by; and for a question that wants some number: any digits.
_COUNT_IN_DIGITS = _Kind((), re.compile(r"\d"), ignore=_DATE)
_ANY_NUMBER = _Kind((), re.compile(r"\d"))


def _folded(text: str) -> str:
    return f" {' '.join(words(fold(text)))} "


def wants_number(question: str) -> bool:
    folded = _folded(question)
    return any(f" {cue} " in folded for cue in _NUMBER_CUES)


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact the question asks for that text can be checked for."""
    folded = _folded(question)
    return [name for name, kind in _KINDS.items() if any(f" {cue} " in folded for cue in kind.folded_cues)]


def states(kind: str, text: str) -> bool:
    """Whether the text states a fact of that kind (a figure, a date, a count)."""
    return _KINDS[kind].states(text)


def unstated_kind(question: str, answer: Sequence[str]) -> str | None:
    """A kind of fact the question asks for that the answer's sentences (best first) do not
    state: one that none of them states, or the first asked when the best one states none.
    The sentence that answers "how many hostages?" states a number; a number elsewhere in
    the answer ("the 2 countries") is about something else."""
    kinds = asked_kinds(question)
    unstated = [k for k in kinds if not any(states(k, sentence) for sentence in answer)]
    if unstated:
        return unstated[0]
    if kinds and answer and not any(states(k, answer[0]) for k in kinds):
        return kinds[0]
    return None


def sought_fact(question: str) -> Callable[[str], bool] | None:
    """How to recognise a sentence stating the figure or date the question asks for, to rank
    it up: one of the kinds asked (a percentage question is not answered by a date), else
    any number, for questions that want one ("bao lâu", "when")."""
    kinds = [_COUNT_IN_DIGITS if name == "count" else _KINDS[name] for name in asked_kinds(question)]
    if not kinds and wants_number(question):
        kinds = [_ANY_NUMBER]
    return (lambda text: any(kind.states(text) for kind in kinds)) if kinds else None
