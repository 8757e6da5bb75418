"""BM25 over Vietnamese-aware terms, derived from the chunks Chroma holds.

Each chunk is indexed under three kinds of term:
- `w:` accented syllables, as written;
- `f:` accent-folded syllables, so "duoc chon" finds "được chọn";
- `b:` accent-folded syllable bigrams, which stand in for Vietnamese multi-syllable
  words ("hội nghị", "thượng đỉnh") without a word segmenter.
The weights are precomputed into one sparse matrix, so a question costs a sparse row
sum, not a pass over the corpus in Python.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from vectorstore.text import fold, words

_K1 = 1.2
_B = 0.75


def document_terms(text: str) -> list[str]:
    syllables = words(text)
    folded = [fold(w) for w in syllables]
    terms = [f"w:{w}" for w in syllables]
    terms += [f"f:{w}" for w in folded]
    terms += [f"b:{a}_{b}" for a, b in itertools.pairwise(folded)]
    return terms


def query_terms(syllables: Sequence[str], accented: bool) -> list[str]:
    """Terms for a question: accented syllables when it has diacritics, folded ones when not."""
    folded = [fold(w) for w in syllables]
    unigrams = [f"w:{w}" for w in syllables] if accented else [f"f:{w}" for w in folded]
    return unigrams + [f"b:{a}_{b}" for a, b in itertools.pairwise(folded)]


@dataclass
class BM25Index:
    """Precomputed BM25 weights: rows are terms, columns are documents."""

    vocabulary: dict[str, int]
    weights: sparse.csr_matrix
    idf: np.ndarray
    n_docs: int

    @classmethod
    def build(cls, documents: Iterable[str]) -> BM25Index:
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        lengths: list[int] = []
        for doc_index, text in enumerate(documents):
            counts = Counter(document_terms(text))
            lengths.append(sum(1 for t in counts.elements() if t.startswith("w:")))
            for term, tf in counts.items():
                rows.append(vocabulary.setdefault(term, len(vocabulary)))
                cols.append(doc_index)
                tfs.append(tf)
        n_docs = len(lengths)
        n_terms = len(vocabulary)
        if n_docs == 0:
            return cls(vocabulary, sparse.csr_matrix((0, 0), dtype=np.float32), np.zeros(0, np.float32), 0)
        row_idx = np.asarray(rows, dtype=np.int64)
        col_idx = np.asarray(cols, dtype=np.int64)
        tf = np.asarray(tfs, dtype=np.float32)
        doc_len = np.asarray(lengths, dtype=np.float32)
        avg_len = max(float(doc_len.mean()), 1.0)
        df = np.bincount(row_idx, minlength=n_terms).astype(np.float32)
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = _K1 * (1 - _B + _B * doc_len[col_idx] / avg_len)
        values = idf[row_idx] * tf * (_K1 + 1) / (tf + norm)
        weights = sparse.csr_matrix((values, (row_idx, col_idx)), shape=(n_terms, n_docs), dtype=np.float32)
        return cls(vocabulary, weights, idf, n_docs)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for these query terms."""
        ids = [self.vocabulary[t] for t in terms if t in self.vocabulary]
        if not ids or self.n_docs == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        counts = Counter(ids)
        term_ids = np.fromiter(counts.keys(), dtype=np.int64)
        query_tf = np.fromiter(counts.values(), dtype=np.float32)
        return np.asarray(self.weights[term_ids].T @ query_tf).ravel()

    def term_idf(self, term: str) -> float:
        index = self.vocabulary.get(term)
        return float(self.idf[index]) if index is not None else 0.0

    def knows(self, term: str) -> bool:
        return term in self.vocabulary
