"""English news words, written as the Vietnamese articles write them.

An English question meets Vietnamese articles through e5-small's cross-lingual similarity,
which is weak: "cancel the summit" sits far from "hủy thượng đỉnh". So the text the embedder
sees for an English question ends with the Vietnamese renderings of its news words ("Why did
Trump cancel the Budapest summit? hủy thượng đỉnh"), from `glossary_en_vi.tsv`, a general
news vocabulary written without sight of the articles or the question sets. Each word gets
its first rendering that the articles contain: one they never use would only blur the query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

_GLOSSARY_FILE = Path(__file__).with_name("glossary_en_vi.tsv")


@lru_cache(maxsize=1)
def _glossary() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """One pattern for every English form, longest first ("phone call" before "call"),
    and each form's Vietnamese renderings. Forms are kept lower-cased, as they are looked
    up: the pattern matches in any case, and the list may write "GDP" or "UN"."""
    renderings: dict[str, tuple[str, ...]] = {}
    for line in _GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            english, vietnamese = line.split("\t")
            for form in english.split("|"):
                renderings[form.strip().lower()] = tuple(v.strip() for v in vietnamese.split("|"))
    alternatives = "|".join(re.escape(form) for form in sorted(renderings, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])", re.IGNORECASE), renderings


def vietnamese_words(text: str, known: Callable[[str], bool]) -> list[str]:
    """The Vietnamese rendering of each glossary word of `text`, in order and once each:
    the first rendering that `known` accepts (one the articles contain); words with none
    are left out."""
    pattern, renderings = _glossary()
    found = (next((v for v in renderings[m.group(1).lower()] if known(v)), None) for m in pattern.finditer(text))
    return list(dict.fromkeys(v for v in found if v is not None))
