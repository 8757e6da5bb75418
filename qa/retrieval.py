"""Retrieval assembled from its parts as the settings choose them: the sides and their
fusion (`qa.retrievers`), the postprocessors (`qa.postprocessors`), and the nodes they
leave as the `Passage`s an answer cites."""

from __future__ import annotations

import time
from dataclasses import dataclass

from llama_index.core.schema import NodeWithScore

from qa.postprocessors import ChunkTexts, LeadInExpander
from qa.query import QueryAnalysis
from qa.resources import Resources
from qa.retrievers import (
    DenseChunkRetriever,
    DenseSentenceRetriever,
    DenseSide,
    FusionRetriever,
    LexicalRetriever,
    Question,
)
from qa.settings import RetrievalSettings
from qa.types import Passage
from vectorstore.corpus import CorpusIndex


@dataclass(frozen=True)
class Retrieved:
    passages: list[Passage]
    timings_ms: dict[str, float]


def build_retriever(
    settings: RetrievalSettings, resources: Resources, corpus: CorpusIndex, language: str, k: int
) -> FusionRetriever:
    """The fusion of the sides `retrieval_mode` asks for. English questions share only
    names with the articles, so with a dense weight of 1 for them their lexical side is
    not asked at all."""
    pool = max(settings.candidates, k)
    weight = settings.dense_weight_for(language)
    mode = settings.retrieval_mode
    dense = None
    if mode in ("hybrid", "dense"):
        dense = DenseSide(
            resources.embedder,
            DenseChunkRetriever(resources.store, corpus, pool),
            DenseSentenceRetriever(resources.store, pool * settings.sentences_per_candidate),
        )
    use_lexical = mode == "lexical" or (mode == "hybrid" and weight < 1.0)
    return FusionRetriever(corpus, k, dense, LexicalRetriever(corpus, pool) if use_lexical else None, weight)


def retrieve(
    query: QueryAnalysis, resources: Resources, corpus: CorpusIndex, settings: RetrievalSettings, k: int
) -> Retrieved:
    """The `k` best passages for the question, with the time each step took."""
    question = Question.of(query)
    nodes = build_retriever(settings, resources, corpus, query.language, k).retrieve(question)
    t0 = time.perf_counter()
    for step in (ChunkTexts(corpus, resources.store), LeadInExpander(corpus, resources.store)):
        nodes = step.postprocess_nodes(nodes, question)
    passages = [_passage(n, corpus, question) for n in nodes]
    question.timed("passage_texts", t0)
    return Retrieved(passages, question.timings_ms)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _passage(node: NodeWithScore, corpus: CorpusIndex, question: Question) -> Passage:
    meta = node.node.metadata
    chunk = corpus.chunks[meta["position"]]
    lead_in = meta.get("lead_in")
    spans = ((lead_in,) if lead_in else ()) + chunk.sentences

    def similarity(found: dict) -> tuple[float | None, ...]:
        return tuple(found.get((chunk.article_id, s, e)) for s, e in spans)

    return Passage(
        chunk_id=chunk.id,
        article_id=chunk.article_id,
        title=chunk.title,
        date=chunk.date,
        text=node.node.get_content(),
        start=lead_in[0] if lead_in else chunk.start,
        end=chunk.end,
        sentences=spans,
        score=round(float(node.score), 6),
        dense_score=_rounded(meta["dense_score"]),
        lexical_score=_rounded(meta["lexical_score"]),
        sentence_scores=similarity(question.sentence_similarity),
        part_sentence_scores=tuple(similarity(found) for found in question.part_similarity),
    )
