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

from qa.query import FUNCTION_WORDS
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
# Numbers that count nothing: a date's, and an ordinal in words ("lần thứ hai" is the
# second time, "thứ Hai" is Monday).
_DATE_OR_ORDINAL = re.compile(
    rf"{_DATE.pattern}|\bthứ\s+(?:nhất|hai|ba|tư|năm|sáu|bảy|tám|chín|mười)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Kind:
    folded_cues: tuple[str, ...]
    pattern: re.Pattern
    # Text that looks like a fact of the kind but is not one: the digits of a date count nothing.
    ignore: re.Pattern | None = None
    # Cues that ask for the kind only in a question that wants a number: "how much did
    # the talks cost?" wants money, "why did costs rise?" does not.
    number_cues: tuple[str, ...] = ()

    def states(self, text: str) -> bool:
        return bool(self.pattern.search(self.ignore.sub(" ", text) if self.ignore else text))


_KINDS = {
    "money": _Kind(
        ("bao nhieu tien", "bao nhieu ty", "bao nhieu usd", "bao nhieu do", "how much money", "how many dollars"),
        re.compile(r"\d[\d.,]*\s*(?:nghìn|triệu|tỷ)?\s*(?:USD|đô|đồng|euro|EUR|rúp)|[$€]\s*\d", re.IGNORECASE),
        number_cues=("cost", "costs", "chi phi", "ton bao nhieu"),
    ),
    "percent": _Kind(
        ("bao nhieu phan tram", "what percentage", "what percent", "how many percent"),
        re.compile(r"\d\s*%|phần trăm", re.IGNORECASE),
    ),
    "date": _Kind(
        ("ngay nao", "hom nao", "ngay may", "what date", "which date", "what day", "which day", "exact date"), _DATE
    ),
    "year": _Kind(("nam nao", "what year", "which year"), re.compile(r"\b(?:19|20)\d{2}\b")),
    "count": _Kind(("bao nhieu", "how many"), _COUNT, ignore=_DATE_OR_ORDINAL),
}
# Words after "bao nhiêu" that measure rather than name what is counted.
_UNITS = frozenset(
    [
        "gio",
        "tieng",
        "phut",
        "giay",
        "ngay",
        "tuan",
        "thang",
        "nam",
        "lan",
        "km",
        "met",
        "tien",
        "ty",
        "trieu",
        "nghin",
        "usd",
        "do",
        "phan",
        "tram",
    ]
)
# What ranks a sentence up for a count: digits, as number words ("hai bên") are in too
# many sentences to rank by; and for a question that wants some number: any digits.
_COUNT_IN_DIGITS = _Kind((), re.compile(r"\d"), ignore=_DATE_OR_ORDINAL)
_ANY_NUMBER = _Kind((), re.compile(r"\d"))


def _folded(text: str) -> str:
    return f" {' '.join(words(fold(text)))} "


def wants_number(question: str) -> bool:
    folded = _folded(question)
    return any(f" {cue} " in folded for cue in _NUMBER_CUES)


def asked_kinds(question: str) -> list[str]:
    """The kinds of fact the question asks for that text can be checked for."""
    folded = _folded(question)
    number = wants_number(question)
    return [
        name
        for name, kind in _KINDS.items()
        if any(f" {cue} " in folded for cue in kind.folded_cues + (kind.number_cues if number else ()))
    ]


def states(kind: str, text: str) -> bool:
    """Whether the text states a fact of that kind (a figure, a date, a count)."""
    return _KINDS[kind].states(text)


def counted(question: str) -> str | None:
    """The word naming what a Vietnamese question counts, folded: "nha" of "bao nhiêu nhà
    báo". None when "bao nhiêu" is followed by a unit ("bao nhiêu tiếng" is answered by
    "3 giờ"), a function word or nothing."""
    syllables = words(fold(question))
    for i in range(len(syllables) - 2):
        if syllables[i : i + 2] == ["bao", "nhieu"]:
            noun = syllables[i + 2]
            return None if noun in FUNCTION_WORDS or noun in _UNITS or noun.isdigit() else noun
    return None


def counts(noun: str, sentence: str) -> bool:
    """Whether the sentence gives a number of `noun` (folded): "36 công ty con" counts
    "cong", "hai cường quốc" counts no "quan chức" in the same sentence."""
    text = _DATE_OR_ORDINAL.sub(" ", sentence)
    return any(noun in words(fold(text[m.end() :]))[:3] for m in _COUNT.finditer(text))


def unstated_kind(
    question: str, answer: Sequence[str], names: Sequence[str] = (), lead_ins: Sequence[str] = ()
) -> str | None:
    """A kind of fact the question asks for that the answer's sentences (best first) do not
    state: one that none of them states, or the first asked when the best one states none.
    The sentence that answers "how many hostages?" states a number; a number elsewhere in
    the answer ("the 2 countries") is about something else. So a count is unstated when
    no sentence gives a number of what the question counts ("bao nhiêu nhà báo"), and any
    kind is when no sentence stating it names one of the question's folded `names`, itself
    or in its lead-in (`lead_ins[i]`, the text before `answer[i]` that "the city" or "he"
    refers back to): the date of a Putin–Trump call does not say when Rubio and Lavrov spoke."""
    kinds = asked_kinds(question)
    if not kinds:
        return None
    noun = counted(question)
    if "count" in kinds and noun and not any(counts(noun, sentence) for sentence in answer):
        return "count"
    unstated = [k for k in kinds if not any(states(k, sentence) for sentence in answer)]
    if unstated:
        return unstated[0]
    if answer and not any(states(k, answer[0]) for k in kinds):
        return kinds[0]
    lead_ins = list(lead_ins) + [""] * (len(answer) - len(lead_ins))
    stating = [_folded(f"{lead} {s}") for s, lead in zip(answer, lead_ins) if any(states(k, s) for k in kinds)]
    if names and not any(f" {name} " in sentence for sentence in stating for name in names):
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
