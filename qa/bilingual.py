"""English names of places and institutions, written as the Vietnamese articles write them.

An English question shares a name with a Vietnamese article only when both spell it
alike ("Budapest", "NATO"). "The Middle East" is "Trung Đông" and "Germany" is "Đức",
and the multilingual embedder bridges such pairs weakly: with "Middle East" in the
question, the passage on "Trung Đông" ranked outside the top 5. So the question the
embedder sees names them in the articles' words ("… a settlement in Trung Đông?"),
and they join its lexical terms: they tie the question to the articles (it is not taken
for off-topic) and count, as phrases, in choosing the sentences to quote. The list
(`names_en_vi.tsv`) holds names only, not adjectives: "Russian missiles" ties a question
to the articles no more than "missiles" does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_NAMES_FILE = Path(__file__).with_name("names_en_vi.tsv")


@dataclass(frozen=True)
class NameMatch:
    start: int
    end: int
    english: str
    # None when the articles contain none of its Vietnamese forms: they never mention it.
    vietnamese: str | None


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """One pattern for the whole list, and each English name's Vietnamese forms. Longer
    names come first in the pattern, so "South Korea" is not read as "Korea" and "the
    West Bank" not as "the West"."""
    forms: dict[str, tuple[str, ...]] = {}
    for line in _NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, vietnamese = line.split("\t")
            for name in english.split("|"):
                forms[name] = tuple(v.strip() for v in vietnamese.split("|"))
    alternatives = "|".join(re.escape(name) for name in sorted(forms, key=len, reverse=True))
    # An article before a name belongs to it: "the Middle East" becomes "Trung Đông".
    return re.compile(rf"(?:\b[Tt]he\s+)?(?<![\w.])({alternatives})(?![\w-])"), forms


def vietnamese_names(text: str, known: Callable[[str], bool]) -> list[NameMatch]:
    """The listed English names in `text`, in order, each with its first Vietnamese form
    that `known` accepts (one the articles contain), or None if `known` accepts none."""
    pattern, forms = _names()
    return [
        NameMatch(
            match.start(), match.end(), match.group(1), next((v for v in forms[match.group(1)] if known(v)), None)
        )
        for match in pattern.finditer(text)
    ]


def with_vietnamese_names(text: str, matches: list[NameMatch]) -> str:
    """`text` with each matched English name the articles mention replaced by its Vietnamese form."""
    parts, position = [], 0
    for match in matches:
        if match.vietnamese is None:
            continue
        parts += [text[position : match.start], match.vietnamese]
        position = match.end
    return "".join(parts) + text[position:]
