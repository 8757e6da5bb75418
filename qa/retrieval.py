"""Dense + lexical retrieval, fused by weighted scores into ranked `Passage`s.

The dense side asks Chroma twice with one query vector, at once: for the nearest chunks
(each chunk's vector is the mean of its sentences') and for the nearest sentences. A chunk's
dense score is its own similarity plus that of its best sentence, so a chunk holding
one sentence that answers the question is not drowned by the rest of its text. A question
that asks several things (`QueryAnalysis.parts`) also gets each part's nearest sentences,
and a chunk's best sentence is its best for the question or for any one part: the chunk
that answers only the second part is as much wanted as the one answering the first.
The lexical side scores every chunk in one pass over the question's postings. Each side is min-max
normalised over the candidate pool and mixed with `dense_weight`; weighted fusion
matched reciprocal rank fusion in trials and keeps a score that abstention can use.
"""

from __future__ import annotations

import time
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from qa.discourse import carries_on
from qa.query import QueryAnalysis
from qa.resources import Resources
from qa.settings import Settings
from qa.types import Passage
from vectorstore.corpus import CorpusIndex
from vectorstore.store import SentenceKey, StoredChunk

# Sentences fetched per question, relative to the chunk candidate pool.
_SENTENCES_PER_CHUNK = 3
# Runs the sentence search beside the chunk search (Chroma releases the GIL): 1.2 ms of
# a 3.3 ms dense search on the seeds. Sized for the chat's concurrent questions.
_SEARCHES = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sentence-search")


@dataclass
class Retrieved:
    passages: list[Passage]
    timings_ms: dict[str, float]
    # For each of `QueryAnalysis.parts`, its nearest sentences and their similarity to it.
    part_sentences: tuple[dict[SentenceKey, float], ...] = ()


@dataclass
class _Dense:
    """Similarities from the two nearest-neighbour searches; anything not found scores
    as the weakest hit of its kind."""

    chunk: dict[int, float]
    sentence: dict[SentenceKey, float]
    parts: tuple[dict[SentenceKey, float], ...] = ()

    def __post_init__(self) -> None:
        self._chunk_floor = min(self.chunk.values(), default=0.0)
        self._sentence_floor = min(self.sentence.values(), default=0.0)
        self._similar = [(found, min(found.values(), default=0.0)) for found in (self.sentence, *self.parts)]

    def sentence_keys(self) -> set[SentenceKey]:
        return set(self.sentence).union(*self.parts)

    def score(self, position: int, chunk: StoredChunk) -> float:
        best_sentence = max(
            (found.get((chunk.article_id, s, e), floor) for found, floor in self._similar for s, e in chunk.sentences),
            default=self._sentence_floor,
        )
        return self.chunk.get(position, self._chunk_floor) + best_sentence


def _normalise(values: dict[int, float]) -> dict[int, float]:
    if not values:
        return {}
    lo, hi = min(values.values()), max(values.values())
    if hi - lo < 1e-9:
        return {k: (1.0 if hi > 0 else 0.0) for k in values}
    return {k: (v - lo) / (hi - lo) for k, v in values.items()}


def _dense_search(
    query: QueryAnalysis, resources: Resources, corpus: CorpusIndex, pool: int, timings: dict[str, float]
) -> _Dense:
    t0 = time.perf_counter()
    vector, *part_vectors = (
        resources.embedder.get_query_embedding(text)
        for text in (query.embedded_text, *(p.embedded_text for p in query.parts))
    )
    timings["embed_query"] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    n_sentences = pool * _SENTENCES_PER_CHUNK
    searches = [_SEARCHES.submit(resources.store.query_sentences, v, n_sentences) for v in (vector, *part_vectors)]
    chunks = {
        corpus.positions[chunk_id]: sim
        for chunk_id, sim in resources.store.query(vector, pool)
        if chunk_id in corpus.positions
    }
    sentences, *parts = (dict(search.result()) for search in searches)
    timings["dense_search"] = (time.perf_counter() - t0) * 1000
    return _Dense(chunks, sentences, tuple(parts))


def _passage(
    chunk: StoredChunk, text: str, score: float, dense: float | None, lexical: float | None, found: _Dense | None
) -> Passage:
    spans = chunk.sentences  # unpacked from the chunk's flat bounds on every access
    sentence_scores = tuple(None if found is None else found.sentence.get((chunk.article_id, s, e)) for s, e in spans)
    return Passage(
        chunk_id=chunk.id,
        article_id=chunk.article_id,
        title=chunk.title,
        date=chunk.date,
        text=text,
        start=chunk.start,
        end=chunk.end,
        sentences=spans,
        score=round(float(score), 6),
        dense_score=None if dense is None else round(float(dense), 6),
        lexical_score=None if lexical is None else round(float(lexical), 6),
        sentence_scores=sentence_scores,
    )


def _sentence_before(chunk: StoredChunk, text: str, corpus: CorpusIndex) -> tuple[SentenceKey, StoredChunk] | None:
    """The sentence before the chunk, and a chunk holding both it and the chunk's first
    sentence, when that first sentence carries on from it ("Đồng thời, ...", "Theo ông, ...")."""
    first = chunk.sentences[0]
    if not carries_on(text[: first[1] - first[0]]):
        return None
    key = (chunk.article_id, *first)
    before = corpus.sentence_chunks.previous(key)
    holders = set(corpus.sentence_chunks.get(before, ())) & set(corpus.sentence_chunks[key]) if before else set()
    return (before, corpus.chunks[min(holders)]) if holders else None


def _with_lead_ins(
    chunks: list[StoredChunk], texts: dict[str, str], corpus: CorpusIndex, resources: Resources
) -> list[tuple[StoredChunk, str]]:
    """The chunks and their texts, each from one sentence earlier when its first sentence
    carries on from the one before: a passage shown or quoted should not open mid-thought,
    and the sentence before is often what the question asks ("Putin described the front
    line. At the same time, he stressed peace."). Ranking is untouched. The sentence is
    taken from a chunk holding both (the overlap between chunks usually makes one; without
    one the chunk stays as it is), all such chunks read in one call to the store."""
    wanted = {c.id: found for c in chunks if (found := _sentence_before(c, texts[c.id], corpus))}
    held = corpus.texts.get([holder.id for _, holder in wanted.values()], resources.store.chunk_texts) if wanted else {}
    out = []
    for chunk in chunks:
        text = texts[chunk.id]
        if chunk.id in wanted and (holder_text := held.get(wanted[chunk.id][1].id)) is not None:
            before, holder = wanted[chunk.id]
            bounds = array(chunk.sentence_bounds.typecode, [*before[1:], *chunk.sentence_bounds])
            text = holder_text[before[1] - holder.start : chunk.start - holder.start] + text
            chunk = replace(chunk, start=before[1], sentence_bounds=bounds)
        out.append((chunk, text))
    return out


def retrieve(query: QueryAnalysis, resources: Resources, corpus: CorpusIndex, settings: Settings, k: int) -> Retrieved:
    timings: dict[str, float] = {}
    pool = max(settings.candidates, k)
    mode = settings.retrieval_mode
    candidates: set[int] = set()

    found: _Dense | None = None
    if mode in ("hybrid", "dense"):
        found = _dense_search(query, resources, corpus, pool, timings)
        candidates.update(found.chunk)
        for key in found.sentence_keys():
            candidates.update(corpus.sentence_chunks.get(key, ()))

    weight = settings.dense_weight_en if query.language == "en" else settings.dense_weight
    lexical_scores = None
    use_lexical = mode == "lexical" or (mode == "hybrid" and weight < 1.0)
    if use_lexical and query.lexical_terms:
        t0 = time.perf_counter()
        lexical_scores = corpus.bm25.scores(query.lexical_terms)
        top = np.argpartition(-lexical_scores, min(pool, len(lexical_scores) - 1))[:pool]
        candidates.update(int(i) for i in top if lexical_scores[i] > 0)
        timings["lexical_search"] = (time.perf_counter() - t0) * 1000

    t0 = time.perf_counter()
    dense = {i: found.score(i, corpus.chunks[i]) for i in candidates} if found else {}
    lexical = {i: float(lexical_scores[i]) for i in candidates} if lexical_scores is not None else {}
    if dense and lexical:
        dn, ln = _normalise(dense), _normalise(lexical)
        fused = {i: weight * dn[i] + (1 - weight) * ln[i] for i in candidates}
    else:
        fused = _normalise(dense or lexical)
    ranked = sorted(fused, key=lambda i: (-fused[i], corpus.chunks[i].id))[:k]
    timings["fusion"] = (time.perf_counter() - t0) * 1000

    t0 = time.perf_counter()
    texts = corpus.texts.get([corpus.chunks[i].id for i in ranked], resources.store.chunk_texts)
    kept = [i for i in ranked if corpus.chunks[i].id in texts]  # else removed by an ingest since the corpus was read
    shown = _with_lead_ins([corpus.chunks[i] for i in kept], texts, corpus, resources)
    passages = [
        _passage(chunk, text, fused[i], dense.get(i), lexical.get(i), found) for i, (chunk, text) in zip(kept, shown)
    ]
    timings["passage_texts"] = (time.perf_counter() - t0) * 1000
    return Retrieved(passages, timings, found.parts if found else ())
