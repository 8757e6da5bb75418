"""General Vietnamese syllable statistics, for words the indexed articles never use.

The articles teach the restorer their own names and phrasing, but a question may be
made of everyday words they lack ("tai sao gia dau tang" wants "giá dầu"). Two
installed packages supply what the articles cannot, read at run time and never copied
into this repository; nothing is fetched over the network:

- wordfreq's Vietnamese list (Wikipedia, subtitles and web text): how common each
  accented syllable is. wordfreq is by Robyn Speer and contributors; its code is
  Apache-2.0 and its data CC BY-SA 4.0.
- pyvi's word list (`pyvi/models/words.txt`, MIT, by Viet-Trung Tran): which syllables
  are written together in a dictionary word ("giá cả", "dầu mỏ"), the pair evidence a
  frequency list lacks.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files

from vectorstore.text import fold, normalize, words


@dataclass(frozen=True)
class GeneralSyllables:
    """P(accented form | its folded spelling), and the syllable pairs of dictionary words."""

    forms: Mapping[str, tuple[str, ...]]
    probability: Mapping[str, float]
    pairs: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def build(cls, frequencies: Mapping[str, float], dictionary: Iterable[str] = ()) -> GeneralSyllables:
        """Keeps lower-case single syllables without digits: wordfreq writes every digit
        as 0, and its few multi-token entries ("tp.hcm") are never one restored syllable."""
        by_fold: dict[str, dict[str, float]] = defaultdict(dict)
        for word, frequency in frequencies.items():
            if frequency > 0 and words(word) == [word] and not any(ch.isdigit() for ch in word):
                by_fold[fold(word)][word] = frequency
        forms: dict[str, tuple[str, ...]] = {}
        probability: dict[str, float] = {}
        for folded, spellings in by_fold.items():
            total = sum(spellings.values())
            forms[folded] = tuple(sorted(spellings))
            probability.update((w, f / total) for w, f in spellings.items())
        pairs = frozenset(pair for entry in dictionary for pair in itertools.pairwise(words(normalize(entry))))
        return cls(forms=forms, probability=probability, pairs=pairs)


def _frequencies() -> dict[str, float]:
    import wordfreq  # here, so that code never restoring diacritics does not pay for its import

    return wordfreq.get_frequency_dict("vi", wordlist="small")


def _dictionary_words() -> list[str]:
    # Only the data file is read: importing pyvi's tokenizer would load its CRF models.
    return (files("pyvi") / "models" / "words.txt").read_text(encoding="utf-8").splitlines()


@functools.cache
def general_syllables() -> GeneralSyllables:
    """Loaded once per process, on first use: a few tenths of a second, paid when the
    corpus is built, never again per question."""
    return GeneralSyllables.build(_frequencies(), _dictionary_words())
