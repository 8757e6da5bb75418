"""Put the diacritics back into a question typed without them.

The dense model reads "tai sao budapest duoc chon" as a different language from the
articles; restoring "tại sao budapest được chọn" first lifts its retrieval sharply.
The restorer learns syllable unigram and bigram counts from the indexed articles
(plus a small lexicon of question words that news prose rarely contains) and picks
the most likely accented sequence with a Viterbi pass.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from vectorstore.text import fold, words

# Question and function words that a user types but news prose may lack.
_QUESTION_LEXICON = (
    "tại sao vì sao như thế nào thế nào khi nào lúc nào ở đâu bao nhiêu bao giờ ai gì cái gì "
    "điều gì những nào là có không được của cho với về đã sẽ đang người nước nói rằng "
    "theo ông bà họ hai bên cuộc gặp hội nghị thượng đỉnh tổng thống ngoại trưởng"
)
_SMOOTHING = 0.1


@dataclass
class DiacriticRestorer:
    unigrams: Counter = field(default_factory=Counter)
    bigrams: Counter = field(default_factory=Counter)
    forms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, text: str) -> None:
        """Counts by Counter.update (in C): a Python loop per occurrence takes most of a
        minute at 100,000 chunks."""
        syllables = words(text)
        self.unigrams.update(syllables)
        self.bigrams.update(itertools.pairwise(syllables))

    def index_forms(self) -> None:
        """Once all text is added (and the question lexicon): one fold per distinct syllable."""
        self.add(_QUESTION_LEXICON)
        self.forms.clear()
        for syllable in self.unigrams:
            self.forms[fold(syllable)].add(syllable)

    def _log_unigram(self, w: str) -> float:
        total = sum(self.unigrams[f] for f in self.forms.get(fold(w), ())) or 1
        return math.log((self.unigrams[w] + _SMOOTHING) / (total + _SMOOTHING))

    def _log_transition(self, prev: str, w: str) -> float:
        # Bigram evidence first; fall back to how common the form is for its folded spelling.
        count = self.bigrams.get((prev, w), 0)
        return math.log(1 + 10 * count) + self._log_unigram(w)

    def restore(self, syllables: list[str]) -> list[str]:
        """The most likely accented spelling of each lower-cased syllable."""
        if not syllables:
            return []
        candidates = [sorted(self.forms.get(fold(s), ())) or [s] for s in syllables]
        best: dict[str, tuple[float, list[str]]] = {c: (self._log_unigram(c), [c]) for c in candidates[0]}
        for options in candidates[1:]:
            step: dict[str, tuple[float, list[str]]] = {}
            for c in options:
                score, path = max(
                    ((s + self._log_transition(p, c), path) for p, (s, path) in best.items()),
                    key=lambda item: item[0],
                )
                step[c] = (score, path + [c])
            best = step
        return max(best.values(), key=lambda item: item[0])[1]

    def restore_text(self, text: str) -> str:
        return " ".join(self.restore(words(text)))

    def known_share(self, syllables: list[str]) -> float:
        """Share of syllables whose folded form occurs in the corpus (a language signal)."""
        if not syllables:
            return 0.0
        return sum(1 for s in syllables if fold(s) in self.forms) / len(syllables)
