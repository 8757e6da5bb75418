"""What kind of fact a question asks for, and whether a sentence states one.

A sentence on the right topic does not answer a question for a date unless it states a
date ("on what exact date did they call?" is not answered by "they will call soon"), nor
a question for a count unless it states a number ("how many hostages were freed?" is not
answered by "the ceasefire freed hostages"). These checks are necessary, not sufficient:
they only catch answers that cannot be right. The same goes for a question asking which
city, party, company or officials: a sentence that names none ("… tại Alaska (Mỹ)" for "which
city in Alaska?") cannot answer it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise

from qa.query import FUNCTION_WORDS
from vectorstore.text import fold, word_spans, words

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


@dataclass(frozen=True)
class _NamedThing:
    """A kind of thing news names with a noun in front ("thành phố Riyadh", "đảng CDU",
    "Ngoại trưởng Mỹ Marco Rubio"): a sentence that answers "which city?" writes one of its
    `nouns` and then the name, in the same clause. A question asks for one with a noun of
    `vi_nouns` (folded) before "nào", or "which"/"what" before one of `en_nouns`, up to two
    words apart ("đảng chính trị nào", "which Saudi official")."""

    vi_nouns: tuple[str, ...]
    en_nouns: tuple[str, ...]
    nouns: tuple[str, ...]
    # Nouns that name a thing only when capitalised: a title before a person's name
    # ("Ngoại trưởng Lavrov"), where "bộ trưởng Ngoại giao của hai nước" names nobody.
    titles: tuple[str, ...] = ()

    def cue(self) -> re.Pattern:
        vi, en = "|".join(self.vi_nouns), "|".join(self.en_nouns)
        return re.compile(rf" (?:(?:{vi})(?: \w+){{0,2}} nao|(?:which|what)(?: \w+){{0,2}} (?:{en})) ")

    def named(self) -> re.Pattern:
        nouns, titles = "|".join(self.nouns), "|".join(t.capitalize() for t in self.titles)
        case_free = rf"(?i:{nouns})" + (f"|{titles}" if titles else "")
        return re.compile(rf"(?<!\w)(?:{case_free})(?!\w)")


_NAMED_THINGS = {
    # "tại"/"ở": news writes a well-known city without its noun ("tổ chức tại Budapest").
    "city": _NamedThing(
        ("thanh pho", "thu do"), ("city", "cities", "capital", "town"), ("thành phố", "thủ đô", "tại", "ở")
    ),
    "province": _NamedThing(("tinh",), ("province", "state"), ("tỉnh", "bang")),
    "party": _NamedThing(("dang",), ("party", "parties"), ("đảng",)),
    "hotel": _NamedThing(("khach san",), ("hotel", "hotels"), ("khách sạn",)),
    "company": _NamedThing(
        ("cong ty", "tap doan"),
        ("company", "companies", "firm", "firms", "corporation", "corporations", "subsidiary", "subsidiaries"),
        ("công ty", "tập đoàn", "hãng"),
    ),
    "officials": _NamedThing(
        ("quan chuc",),
        ("official", "officials"),
        ("quan chức",),
        titles=(
            "tổng thống",
            "thủ tướng",
            "ngoại trưởng",
            "bộ trưởng",
            "trợ lý",
            "người phát ngôn",
            "đặc phái viên",
            "đại sứ",
            "cố vấn",
        ),
    ),
}
_THING_CUES = {name: thing.cue() for name, thing in _NAMED_THINGS.items()}
_THING_NAMED = {name: thing.named() for name, thing in _NAMED_THINGS.items()}
# Where the clause that a noun's name belongs to ends: "thành phố Riyadh (Saudi Arabia)".
_CLAUSE_END = re.compile(r"[,;:.!?()]")

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


def asked_thing(question: str) -> str | None:
    """The kind of named thing the question asks for ("city" for "thành phố nào?"), if any."""
    folded = _folded(question)
    return next((name for name, cue in _THING_CUES.items() if cue.search(folded)), None)


def names_new(thing: str, sentence: str, known: Collection[str]) -> bool:
    """Whether the sentence names a `thing` that the question does not: one of its nouns
    followed, in the same clause, by a capitalised word whose folded form is not among the
    question's folded words `known`, and not after "của": "… tại Alaska (Mỹ)" names no city of
    Alaska, "các quan chức cấp cao Mỹ và Nga" no officials of a question about Russia and the
    US, and "tập đoàn … của Nga là Rosneft" no company of a question about Rosneft's."""
    for match in _THING_NAMED[thing].finditer(sentence):
        clause = _CLAUSE_END.split(sentence[match.end() :], 1)[0]
        owner = False  # a name after "của" owns the thing, it does not name it
        for previous, word in pairwise(["", *(w for w, _, _ in word_spans(clause))]):
            capitalised = word[:1].isupper()
            owner = capitalised and (owner or previous.lower() == "của")
            if capitalised and not owner and fold(word) not in known:
                return True
    return False


def _thing_check(question: str, known: Collection[str]) -> tuple[str, Callable[[str], bool]] | None:
    """The named thing the question asks for and how to tell a sentence naming one, given the
    folded words `known` besides the question's own (an English question's names as the
    articles write them)."""
    if (thing := asked_thing(question)) is None:
        return None
    question_words = set(known) | set(words(fold(question)))
    return thing, lambda text: names_new(thing, text, question_words)


def unstated_kind(
    question: str,
    answer: Sequence[str],
    names: Sequence[str] = (),
    lead_ins: Sequence[str] = (),
    known: Collection[str] = (),
) -> str | None:
    """A kind of fact the question asks for that the answer's sentences (best first) do not
    state: one that none of them states, or the first asked when the best one states none.
    The sentence that answers "how many hostages?" states a number; a number elsewhere in
    the answer ("the 2 countries") is about something else. So a count is unstated when
    no sentence gives a number of what the question counts ("bao nhiêu nhà báo"), and any
    kind is when no sentence stating it names one of the question's folded `names`, itself
    or in its lead-in (`lead_ins[i]`, the text before `answer[i]` that "the city" or "he"
    refers back to): the date of a Putin–Trump call does not say when Rubio and Lavrov spoke.
    A named thing ("thành phố nào") is stated by a name the question does not hold, its own
    words or the folded words `known` (an English question's names as the articles write them)."""
    stated: dict[str, Callable[[str], bool]] = {kind: partial(states, kind) for kind in asked_kinds(question)}
    if (thing := _thing_check(question, known)) is not None:
        stated[thing[0]] = thing[1]
    if not stated:
        return None
    first = next(iter(stated))
    noun = counted(question)
    if "count" in stated and noun and not any(counts(noun, sentence) for sentence in answer):
        return "count"
    unstated = [kind for kind, says in stated.items() if not any(says(sentence) for sentence in answer)]
    if unstated:
        return unstated[0]
    if answer and not any(says(answer[0]) for says in stated.values()):
        return first
    lead_ins = list(lead_ins) + [""] * (len(answer) - len(lead_ins))
    stating = [
        _folded(f"{lead} {sentence}")
        for sentence, lead in zip(answer, lead_ins)
        if any(says(sentence) for says in stated.values())
    ]
    if names and not any(f" {name} " in sentence for sentence in stating for name in names):
        return first
    return None


def sought_fact(question: str, known: Collection[str] = ()) -> Callable[[str], bool] | None:
    """How to recognise a sentence stating the figure, date or named thing the question asks
    for, to rank it up: a name of the kind asked ("thành phố nào", `known` as for
    `unstated_kind`); one of the kinds asked (a percentage question is not answered by a
    date); else any number, for questions that want one ("bao lâu", "when")."""
    if (thing := _thing_check(question, known)) is not None:
        return thing[1]
    kinds = [_COUNT_IN_DIGITS if name == "count" else _KINDS[name] for name in asked_kinds(question)]
    if not kinds and wants_number(question):
        kinds = [_ANY_NUMBER]
    return (lambda text: any(kind.states(text) for kind in kinds)) if kinds else None
