"""Put the diacritics back into a question typed without them.

The dense model reads "tai sao budapest duoc chon" as a different language from the
articles; restoring "tại sao budapest được chọn" first lifts its retrieval sharply.
The restorer learns syllable unigram and bigram counts from the indexed articles,
falls back on general Vietnamese statistics (`vectorstore.vi_syllables`) for the
everyday words they lack and on a few question phrases for how questions are asked,
then picks the most likely accented sequence with a Viterbi pass.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from vectorstore.text import fold, words
from vectorstore.vi_syllables import GeneralSyllables, general_syllables

# How questions are asked, which neither the articles (they rarely ask) nor the general
# statistics settle: a dictionary lists both "thế nào" and "thể nào", and prose writes
# "thể" (có thể) far more often, so without these "như thế nào" loses.
_QUESTION_PHRASES = (
    "tại sao",
    "vì sao",
    "như thế nào",
    "thế nào",
    "khi nào",
    "lúc nào",
    "ở đâu",
    "bao nhiêu",
    "bao giờ",
    "ai",
    "gì",
    "cái gì",
    "điều gì",
)
_SMOOTHING = 0.1
# How much one occurrence of a syllable pair in the articles counts for.
_BIGRAM_WEIGHT = 10.0
# Pseudo-occurrences the general frequencies add to each folded spelling.
_GENERAL_WEIGHT = 30.0
# How many article occurrences a pair written together in a dictionary word is worth.
_PAIR_WEIGHT = 10.0


@dataclass
class DiacriticRestorer:
    """The articles' syllable counts, with general Vietnamese statistics as their prior.

    P(form | folded spelling) = (count + general_weight * P_general + s) / (total + general_weight + s),
    so where the articles use a spelling often their counts decide, and where they use it
    rarely or never the general frequencies do. A step from one syllable to the next
    scores log(1 + bigram_weight * (times the articles write the pair, plus pair_weight
    when a dictionary word joins the two)); each question phrase counts as pair_weight
    occurrences in the articles. The weights were chosen with
    `python -m eval.diacritics`, on questions about indexed articles and on text the
    articles never contained. `general=None` keeps to the articles' own counts.
    """

    unigrams: Counter = field(default_factory=Counter)
    bigrams: Counter = field(default_factory=Counter)
    general: GeneralSyllables | None = field(default_factory=general_syllables)
    general_weight: float = _GENERAL_WEIGHT
    bigram_weight: float = _BIGRAM_WEIGHT
    pair_weight: float = _PAIR_WEIGHT
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)
    totals: Counter = field(default_factory=Counter, init=False, repr=False)

    def add(self, text: str) -> None:
        """Counts by Counter.update (in C): a Python loop per occurrence takes most of a
        minute at 100,000 chunks."""
        syllables = words(text)
        self.unigrams.update(syllables)
        self.bigrams.update(itertools.pairwise(syllables))

    def index_forms(self) -> None:
        """Once all text is added (and, with the general model, the question phrases):
        one fold per distinct syllable, joined with the general model's spellings so that
        words the articles lack are candidates too."""
        if self.general is not None:
            self._add_question_phrases()
        spellings: dict[str, set[str]] = defaultdict(set)
        self.totals.clear()
        for syllable, count in self.unigrams.items():
            folded = fold(syllable)
            spellings[folded].add(syllable)
            self.totals[folded] += count
        if self.general is not None:
            for folded, general_forms in self.general.forms.items():
                spellings[folded].update(general_forms)
        self.forms = {folded: tuple(sorted(forms)) for folded, forms in spellings.items()}

    def _add_question_phrases(self) -> None:
        """Each phrase counts as `pair_weight` occurrences in the articles, as a
        dictionary pair does: once would be lost among the articles' own counts."""
        for phrase in _QUESTION_PHRASES:
            syllables = words(phrase)
            for syllable in syllables:
                self.unigrams[syllable] += self.pair_weight
            for pair in itertools.pairwise(syllables):
                self.bigrams[pair] += self.pair_weight

    def _log_unigram(self, w: str, folded: str) -> float:
        general = self.general.probability.get(w, 0.0) if self.general is not None else 0.0
        weight = self.general_weight if self.general is not None else 0.0
        numerator = self.unigrams[w] + weight * general + _SMOOTHING
        return math.log(numerator / (self.totals[folded] + weight + _SMOOTHING))

    def _log_pair(self, prev: str, w: str) -> float:
        # Bigram evidence first; the unigram term says how common the form is for its spelling.
        evidence = self.bigram_weight * self.bigrams.get((prev, w), 0)
        if self.general is not None and (prev, w) in self.general.pairs:
            evidence += self.bigram_weight * self.pair_weight
        return math.log(1 + evidence)

    def restore(self, syllables: list[str]) -> list[str]:
        """The most likely accented spelling of each lower-cased syllable."""
        if not syllables:
            return []
        folds = [fold(s) for s in syllables]
        candidates = [self.forms.get(f) or (s,) for s, f in zip(syllables, folds, strict=True)]
        scores = {c: self._log_unigram(c, folds[0]) for c in candidates[0]}
        back: list[dict[str, str]] = []
        for options, folded in zip(candidates[1:], folds[1:], strict=True):
            step: dict[str, float] = {}
            pointers: dict[str, str] = {}
            for c in options:
                prev = max(scores, key=lambda p: scores[p] + self._log_pair(p, c))
                step[c] = scores[prev] + self._log_pair(prev, c) + self._log_unigram(c, folded)
                pointers[c] = prev
            scores = step
            back.append(pointers)
        path = [max(scores, key=scores.__getitem__)]
        for pointers in reversed(back):
            path.append(pointers[path[-1]])
        return path[::-1]
