"""English names of places and institutions, written as the Vietnamese articles write them.

An English question shares a name with a Vietnamese article only when both spell it
alike ("Budapest", "NATO"). "The Middle East" is "Trung Đông" and "Germany" is "Đức",
and the multilingual embedder bridges such pairs weakly: with "Middle East" in the
question, the passage on "Trung Đông" ranked outside the top 5. So the question the
embedder sees names them in the articles' words ("… a settlement in Trung Đông?"),
and they join its lexical terms. The list (`names_en_vi.tsv`) holds names only, not
adjectives: "Russian missiles" ties a question to the articles no more than "missiles".
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
    vietnamese: str


@lru_cache(maxsize=1)
def _names() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """One pattern per line of the list; longer English names first, so "South Korea" is
    not read as "Korea" and "West Bank" not as "the West"."""
    entries = []
    for line in _NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, vietnamese = line.split("\t")
        for name in english.split("|"):
            # An article before a name belongs to it: "the Middle East" becomes "Trung Đông".
            pattern = re.compile(rf"(?:\b[Tt]he\s+)?(?<![\w.]){re.escape(name)}(?![\w-])")
            entries.append((len(name), pattern, tuple(v.strip() for v in vietnamese.split("|"))))
    entries.sort(key=lambda e: -e[0])
    return tuple((pattern, variants) for _, pattern, variants in entries)


def vietnamese_names(text: str, known: Callable[[str], bool]) -> list[NameMatch]:
    """The listed English names in `text`, each with its first Vietnamese form that
    `known` accepts (one the articles contain), in text order, without overlaps."""
    found: list[NameMatch] = []
    for pattern, variants in _names():
        matches = [m for m in pattern.finditer(text) if all(m.end() <= f.start or m.start() >= f.end for f in found)]
        vietnamese = next((v for v in variants if known(v)), None) if matches else None
        if vietnamese is not None:
            found += [NameMatch(m.start(), m.end(), vietnamese) for m in matches]
    return sorted(found, key=lambda m: m.start)


def with_vietnamese_names(text: str, matches: list[NameMatch]) -> str:
    """`text` with each matched English name replaced by its Vietnamese form."""
    parts, position = [], 0
    for match in matches:
        parts += [text[position : match.start], match.vietnamese]
        position = match.end
    return "".join(parts) + text[position:]
