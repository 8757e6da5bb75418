"""BM25 over Vietnamese-aware terms, derived from the chunks Chroma holds.

Each chunk is indexed under three kinds of term:
- accented syllables, as written (`accented_term`);
- accent-folded syllables, so "duoc chon" finds "được chọn" (`folded_term`);
- accent-folded syllable pairs, which stand in for Vietnamese multi-syllable words
  ("hội nghị", "thượng đỉnh") without a word segmenter (`pair_term`).
A term is a string; only this module knows how each kind is spelled.
The term-frequency part of each weight is precomputed into one sparse matrix, so a
question costs a sparse row sum, not a pass over the corpus in Python.
"""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

from vectorstore.text import fold, words

_K1 = 1.2
_B = 0.75
# A posting's saturated term frequency lies in [0, K1 + 1); it is stored as one byte
# on this scale. At 100,000 chunks there are ~50 million postings: a byte each instead
# of a float32 saves ~150 MB, and the rounding (at most 0.2% of the weight) is far
# below the differences that decide a ranking.
_LEVELS = 255
_TF_SCALE = (_K1 + 1) / _LEVELS


@lru_cache(maxsize=1 << 18)
def _fold(syllable: str) -> str:
    """fold() of one syllable, remembered: a corpus has a few thousand distinct
    syllables but millions of occurrences, and fold() is three Unicode passes."""
    return fold(syllable)


_ACCENTED, _FOLDED, _PAIR = "w:", "f:", "b:"


def accented_term(syllable: str) -> str:
    """The term of a syllable as written."""
    return _ACCENTED + syllable


def folded_term(syllable: str) -> str:
    """The term of a syllable without its diacritics (it is folded here)."""
    return _FOLDED + _fold(syllable)


def pair_term(first: str, second: str) -> str:
    """The term of two syllables side by side, diacritics aside ("16", "10" is the date 16/10)."""
    return f"{_PAIR}{_fold(first)}_{_fold(second)}"


def is_pair_term(term: str) -> bool:
    return term.startswith(_PAIR)


def term_syllable(term: str) -> str:
    """The syllable a one-syllable term (accented or folded) stands for."""
    if is_pair_term(term):
        raise ValueError(f"{term!r} stands for two syllables")
    return term[len(_ACCENTED) :]


def _terms(syllables: list[str]) -> list[str]:
    folded = [_fold(w) for w in syllables]
    terms = [_ACCENTED + w for w in syllables]
    terms += [_FOLDED + w for w in folded]
    terms += [f"{_PAIR}{a}_{b}" for a, b in itertools.pairwise(folded)]
    return terms


def document_terms(text: str) -> list[str]:
    return _terms(words(text))


def syllable_terms(syllables: list[str]) -> list[str]:
    """`document_terms` of a text already split into syllables (`words`)."""
    return _terms(syllables)


def folded_syllables(syllables: Iterable[str]) -> list[str]:
    """The syllables without diacritics, each folded once per process."""
    return [_fold(w) for w in syllables]


def query_terms(syllables: Sequence[str], accented: bool) -> list[str]:
    """Terms for a question: accented syllables when it has diacritics, folded ones when not."""
    folded = [_fold(w) for w in syllables]
    unigrams = [_ACCENTED + w for w in syllables] if accented else [_FOLDED + w for w in folded]
    return unigrams + [f"{_PAIR}{a}_{b}" for a, b in itertools.pairwise(folded)]


class _TermIds(dict):
    """Numbers one kind of term (syllable, folded syllable, folded pair) by its key, and
    adds the term's spelling to the shared vocabulary the first time a key is seen."""

    def __init__(self, vocabulary: dict[str, int], spell: Callable[[Any], str]) -> None:
        super().__init__()
        self._vocabulary = vocabulary
        self._spell = spell

    def __missing__(self, key: Any) -> int:
        term_id = self[key] = self._vocabulary.setdefault(self._spell(key), len(self._vocabulary))
        return term_id


@dataclass
class BM25Index:
    """Precomputed BM25: `saturation` holds each posting's term-frequency part in bytes
    (rows are terms, columns documents); the idf is applied on the question's side."""

    vocabulary: dict[str, int]
    saturation: sparse.csr_matrix
    idf: np.ndarray
    n_docs: int

    @classmethod
    def build(cls, documents: Iterable[str]) -> BM25Index:
        """One pass over the documents into compact arrays, then vectorised weighting.

        At 100,000 chunks there are tens of millions of (term, document) postings: they
        are kept at 8 bytes each in arrays, not as Python ints in lists (gigabytes), and
        each document's terms are counted and numbered by C-level Counter and map calls
        over its syllables, without spelling out a term string per occurrence."""
        vocabulary: dict[str, int] = {}
        numbering = [
            _TermIds(vocabulary, accented_term),
            _TermIds(vocabulary, folded_term),
            _TermIds(vocabulary, lambda pair: pair_term(*pair)),
        ]
        term_ids, tfs, ends, lengths = array("i"), array("f"), array("q", [0]), array("i")
        for text in documents:
            syllables = words(text)
            folded = list(map(_fold, syllables))
            counts = (Counter(syllables), Counter(folded), Counter(itertools.pairwise(folded)))
            for ids, counted in zip(numbering, counts):
                term_ids.extend(map(ids.__getitem__, counted))
                tfs.extend(counted.values())
            ends.append(len(term_ids))
            lengths.append(len(syllables))
        return cls._weighted(
            vocabulary,
            np.frombuffer(term_ids, dtype=np.int32),
            np.frombuffer(tfs, dtype=np.float32),
            np.frombuffer(ends, dtype=np.int64),
            np.frombuffer(lengths, dtype=np.int32).astype(np.float32),
        )

    @classmethod
    def _weighted(
        cls, vocabulary: dict[str, int], terms_of: np.ndarray, tf: np.ndarray, ends: np.ndarray, doc_len: np.ndarray
    ) -> BM25Index:
        """BM25 weights from per-document postings (`terms_of[ends[d]:ends[d + 1]]` for document d)."""
        n_docs, n_terms = len(doc_len), len(vocabulary)
        if n_docs == 0:
            return cls(vocabulary, sparse.csr_matrix((0, 0), dtype=np.uint8), np.zeros(0, np.float32), 0)
        avg_len = max(float(doc_len.mean()), 1.0)
        df = np.bincount(terms_of, minlength=n_terms).astype(np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        # In place, one posting-sized array at a time: these arrays are the peak memory of a rebuild.
        values = np.repeat((_K1 * (1 - _B + _B * doc_len / avg_len)).astype(np.float32), np.diff(ends))
        values += tf
        np.divide(tf * np.float32((_K1 + 1) / _TF_SCALE), values, out=values)
        np.rint(values, out=values)
        levels = values.astype(np.uint8)
        del values
        by_doc = sparse.csr_matrix((levels, terms_of, ends), shape=(n_docs, n_terms))
        return cls(vocabulary, by_doc.T.tocsr(), idf, n_docs)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for these query terms."""
        ids = [self.vocabulary[t] for t in terms if t in self.vocabulary]
        if not ids or self.n_docs == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        # Term by term, on views of the postings: a sparse product over the question's rows
        # copies them (half a million postings a question at 100,000 chunks), and those
        # short-lived copies of varying size left the heap ~150 MB larger after a few
        # dozen questions. A document occurs once in a term's row, so += is exact.
        scores = np.zeros(self.n_docs, dtype=np.float32)
        indptr, docs, levels = self.saturation.indptr, self.saturation.indices, self.saturation.data
        for term_id, tf in Counter(ids).items():
            row = slice(indptr[term_id], indptr[term_id + 1])
            scores[docs[row]] += levels[row] * np.float32(tf * self.idf[term_id] * _TF_SCALE)
        return scores

    def term_idf(self, term: str) -> float:
        index = self.vocabulary.get(term)
        return float(self.idf[index]) if index is not None else 0.0

    def knows(self, term: str) -> bool:
        return term in self.vocabulary

    def knows_phrase(self, text: str) -> bool:
        """Whether the corpus has the syllables of `text` side by side (accents aside):
        a one-syllable name as a word, a longer one as its chain of bigrams."""
        folded = [_fold(w) for w in words(text)]
        if len(folded) == 1:
            return self.knows(_FOLDED + folded[0])
        return bool(folded) and all(self.knows(f"{_PAIR}{a}_{b}") for a, b in itertools.pairwise(folded))
