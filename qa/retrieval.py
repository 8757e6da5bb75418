"""Dense + lexical retrieval, fused by weighted scores into ranked `Passage`s.

Dense candidates come from Chroma's HNSW index; lexical scores for every chunk come
from one sparse product. Each side is min-max normalised over the candidate pool and
mixed with `dense_weight`; in trials on the question set this matched reciprocal rank
fusion while keeping a score that abstention can threshold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from qa.query import QueryAnalysis
from qa.resources import Resources
from qa.settings import Settings
from qa.types import Passage
from vectorstore.corpus import CorpusIndex
from vectorstore.store import StoredChunk


@dataclass
class Retrieved:
    passages: list[Passage]
    timings_ms: dict[str, float]


def _normalise(values: dict[str, float]) -> dict[str, float]:
    if not values:
        return {}
    lo, hi = min(values.values()), max(values.values())
    if hi - lo < 1e-9:
        return {k: (1.0 if hi > 0 else 0.0) for k in values}
    return {k: (v - lo) / (hi - lo) for k, v in values.items()}


def _passage(chunk: StoredChunk, score: float, dense: float | None, lexical: float | None) -> Passage:
    return Passage(
        chunk_id=chunk.id,
        article_id=chunk.article_id,
        title=chunk.title,
        date=chunk.date,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        sentences=chunk.sentences,
        score=round(float(score), 6),
        dense_score=None if dense is None else round(float(dense), 6),
        lexical_score=None if lexical is None else round(float(lexical), 6),
    )


def retrieve(query: QueryAnalysis, resources: Resources, corpus: CorpusIndex, settings: Settings, k: int) -> Retrieved:
    timings: dict[str, float] = {}
    pool = max(settings.candidates, k)
    mode = settings.retrieval_mode

    dense: dict[str, float] = {}
    chunks: dict[str, StoredChunk] = {}
    if mode in ("hybrid", "dense"):
        t0 = time.perf_counter()
        vector = resources.embedder.get_query_embedding(query.dense_text)
        timings["embed_query"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        for chunk, sim in resources.store.query(vector, pool):
            dense[chunk.id] = sim
            chunks[chunk.id] = chunk
        timings["dense_search"] = (time.perf_counter() - t0) * 1000

    lexical: dict[str, float] = {}
    all_scores = None
    if mode in ("hybrid", "lexical") and query.lexical_terms:
        t0 = time.perf_counter()
        all_scores = corpus.bm25.scores(query.lexical_terms)
        top = np.argsort(-all_scores)[:pool]
        for i in top:
            if all_scores[i] > 0:
                chunk = corpus.chunks[int(i)]
                lexical[chunk.id] = float(all_scores[i])
                chunks.setdefault(chunk.id, chunk)
        timings["lexical_search"] = (time.perf_counter() - t0) * 1000

    t0 = time.perf_counter()
    if all_scores is not None:
        # Dense candidates outside the lexical top list still have a BM25 score.
        for cid in dense:
            pos = corpus.positions.get(cid)
            if cid not in lexical and pos is not None:
                lexical[cid] = float(all_scores[pos])
    if dense and lexical:
        floor = min(dense.values())
        dense_full = {cid: dense.get(cid, floor) for cid in chunks}
        lex_full = {cid: lexical.get(cid, 0.0) for cid in chunks}
        dn, ln = _normalise(dense_full), _normalise(lex_full)
        w = settings.dense_weight
        fused = {cid: w * dn[cid] + (1 - w) * ln[cid] for cid in chunks}
    elif dense:
        fused = dict(dense)
    else:
        fused = dict(lexical)
    ranked = sorted(fused, key=lambda cid: (-fused[cid], cid))[:k]
    passages = [_passage(chunks[cid], fused[cid], dense.get(cid), lexical.get(cid)) for cid in ranked]
    timings["fusion"] = (time.perf_counter() - t0) * 1000
    return Retrieved(passages, timings)
