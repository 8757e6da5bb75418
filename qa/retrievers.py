"""The retrieval sides and their fusion, as llama-index retrievers.

- `DenseChunkRetriever`: the nearest chunks to the question's vector (each chunk's vector
  is the mean of its sentences').
- `DenseSentenceRetriever`: the nearest sentences, as nodes keyed by their span.
- `LexicalRetriever`: BM25 over the corpus's accented, folded and paired syllables.
- `FusionRetriever`: asks the sides it is given (settings choose them) and mixes them.

A chunk's dense score is its own similarity plus that of its best sentence, so a chunk
holding one sentence that answers the question is not drowned by the rest of its text. A
question that asks several things (`QueryAnalysis.parts`) also gets each part's nearest
sentences, and a chunk's best sentence is its best for the question or for any one part:
the chunk that answers only the second part is as much wanted as the one answering the
first. Each side is min-max normalised over the candidate pool and mixed with the dense
weight; weighted fusion matched reciprocal rank fusion in trials and keeps a score that
abstention can use.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from qa.query import QueryAnalysis
from vectorstore.corpus import CorpusIndex
from vectorstore.store import ArticleStore, SentenceKey, StoredChunk

# Runs the sentence searches beside the chunk search (Chroma releases the GIL). Sized for
# the chat's concurrent questions.
_SEARCHES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sentence-search")


@dataclass
class Question(QueryBundle):
    """A question as the retrievers take it: the analysed question (its vector is embedded
    once, by the fusion) and what retrieval found on the way, for the steps after it: the
    similarity of the nearest sentences to the question and to each of its parts, and the
    time each step took."""

    analysis: QueryAnalysis | None = None
    sentence_similarity: dict[SentenceKey, float] = field(default_factory=dict)
    part_similarity: tuple[dict[SentenceKey, float], ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, analysis: QueryAnalysis) -> Question:
        return cls(query_str=analysis.embedded_text, analysis=analysis)

    def timed(self, step: str, started: float) -> None:
        self.timings_ms[step] = (time.perf_counter() - started) * 1000


def sentence_key(node: NodeWithScore) -> SentenceKey:
    meta = node.node.metadata
    return meta["article_id"], meta["start"], meta["end"]


class DenseChunkRetriever(BaseRetriever):
    def __init__(self, store: ArticleStore, corpus: CorpusIndex, n: int) -> None:
        super().__init__()
        self._store, self._corpus, self._n = store, corpus, n

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        known = self._corpus.positions  # a chunk removed since the corpus was read is skipped
        return [
            NodeWithScore(node=TextNode(id_=chunk_id, text=""), score=sim)
            for chunk_id, sim in self._store.query(query_bundle.embedding, self._n)
            if chunk_id in known
        ]


class DenseSentenceRetriever(BaseRetriever):
    def __init__(self, store: ArticleStore, n: int) -> None:
        super().__init__()
        self._store, self._n = store, n

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [
            NodeWithScore(
                node=TextNode(id_=f"{a}:{s}-{e}", text="", metadata={"article_id": a, "start": s, "end": e}),
                score=sim,
            )
            for (a, s, e), sim in self._store.query_sentences(query_bundle.embedding, self._n)
        ]


class LexicalRetriever(BaseRetriever):
    """The `n` chunks with the best BM25 score for the question's lexical terms."""

    def __init__(self, corpus: CorpusIndex, n: int) -> None:
        super().__init__()
        self._corpus, self._n = corpus, n

    def scores(self, query: QueryAnalysis) -> np.ndarray:
        """The BM25 score of every chunk, by its position in the corpus."""
        return self._corpus.bm25.scores(query.lexical_terms)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        assert isinstance(query_bundle, Question) and query_bundle.analysis is not None
        return self.top(self.scores(query_bundle.analysis))

    def top(self, scores: np.ndarray) -> list[NodeWithScore]:
        if not scores.size:
            return []
        best = np.argpartition(-scores, min(self._n, len(scores) - 1))[: self._n]
        chunks = self._corpus.chunks
        return [
            NodeWithScore(node=TextNode(id_=chunks[i].id, text=""), score=float(scores[i]))
            for i in best
            if scores[i] > 0
        ]


@dataclass
class _Dense:
    """Similarities from the nearest-neighbour searches; anything not found scores as the
    weakest hit of its kind."""

    chunk: dict[int, float]
    sentence: dict[SentenceKey, float]
    parts: tuple[dict[SentenceKey, float], ...] = ()

    def __post_init__(self) -> None:
        self._chunk_floor = min(self.chunk.values(), default=0.0)
        self._similar = [(found, min(found.values(), default=0.0)) for found in (self.sentence, *self.parts)]

    def sentence_keys(self) -> set[SentenceKey]:
        return set(self.sentence).union(*self.parts)

    def score(self, position: int, chunk: StoredChunk) -> float:
        best_sentence = max(
            (found.get((chunk.article_id, s, e), floor) for found, floor in self._similar for s, e in chunk.sentences),
            default=min(self.sentence.values(), default=0.0),
        )
        return self.chunk.get(position, self._chunk_floor) + best_sentence


def _normalise(values: dict[int, float]) -> dict[int, float]:
    if not values:
        return {}
    lo, hi = min(values.values()), max(values.values())
    if hi - lo < 1e-9:
        return {k: (1.0 if hi > 0 else 0.0) for k in values}
    return {k: (v - lo) / (hi - lo) for k, v in values.items()}


@dataclass(frozen=True)
class DenseSide:
    embedder: BaseEmbedding
    chunks: DenseChunkRetriever
    sentences: DenseSentenceRetriever


class FusionRetriever(BaseRetriever):
    """The best `k` chunks by the weighted mix of the sides it has (a missing side is left
    out: `retrieval_mode`). Its nodes hold no text yet; their metadata carry the chunk's
    position in the corpus and each side's score, which the answer model reads."""

    def __init__(
        self,
        corpus: CorpusIndex,
        k: int,
        dense: DenseSide | None,
        lexical: LexicalRetriever | None,
        dense_weight: float,
    ) -> None:
        super().__init__()
        self._corpus, self._k = corpus, k
        self._dense, self._lexical, self._weight = dense, lexical, dense_weight

    def _dense_search(self, question: Question, side: DenseSide) -> _Dense:
        analysis = question.analysis
        t0 = time.perf_counter()
        vector, *part_vectors = (
            side.embedder.get_query_embedding(text)
            for text in (analysis.embedded_text, *(p.embedded_text for p in analysis.parts))
        )
        question.embedding = vector
        question.timed("embed_query", t0)
        t0 = time.perf_counter()
        searches = [
            _SEARCHES.submit(side.sentences.retrieve, QueryBundle(text, embedding=v))
            for text, v in zip(
                (analysis.embedded_text, *(p.embedded_text for p in analysis.parts)), (vector, *part_vectors)
            )
        ]
        positions = self._corpus.positions
        chunks = {positions[n.node.node_id]: n.score for n in side.chunks.retrieve(question)}
        sentences, *parts = ({sentence_key(n): n.score for n in search.result()} for search in searches)
        question.timed("dense_search", t0)
        question.sentence_similarity, question.part_similarity = sentences, tuple(parts)
        return _Dense(chunks, sentences, tuple(parts))

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        assert isinstance(query_bundle, Question) and query_bundle.analysis is not None
        question, corpus = query_bundle, self._corpus
        candidates: set[int] = set()
        found = self._dense_search(question, self._dense) if self._dense else None
        if found:
            candidates.update(found.chunk)
            for key in found.sentence_keys():
                candidates.update(corpus.sentence_chunks.get(key, ()))
        lexical_scores = None
        if self._lexical and question.analysis.lexical_terms:
            t0 = time.perf_counter()
            # A chunk the dense side proposes gets its own BM25 score, not that of the weakest hit.
            lexical_scores = self._lexical.scores(question.analysis)
            candidates.update(corpus.positions[n.node.node_id] for n in self._lexical.top(lexical_scores))
            question.timed("lexical_search", t0)

        t0 = time.perf_counter()
        dense = {i: found.score(i, corpus.chunks[i]) for i in candidates} if found else {}
        lexical = {i: float(lexical_scores[i]) for i in candidates} if lexical_scores is not None else {}
        if dense and lexical:
            dn, ln = _normalise(dense), _normalise(lexical)
            fused = {i: self._weight * dn[i] + (1 - self._weight) * ln[i] for i in candidates}
        else:
            fused = _normalise(dense or lexical)
        ranked = sorted(fused, key=lambda i: (-fused[i], corpus.chunks[i].id))[: self._k]
        question.timed("fusion", t0)
        return [
            NodeWithScore(
                node=TextNode(
                    id_=corpus.chunks[i].id,
                    text="",
                    metadata={"position": i, "dense_score": dense.get(i), "lexical_score": lexical.get(i)},
                ),
                score=fused[i],
            )
            for i in ranked
        ]
