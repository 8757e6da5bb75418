"""Bring article files into the index: incremental, idempotent, and safe to interrupt.

An article is re-embedded only when its content hash (text plus chunking settings)
differs from the committed record, so re-running an ingest on unchanged files embeds
nothing.

What gets embedded is each sentence, once. A chunk's vector is the normalised mean of
its sentences' vectors. On the evaluation set this retrieved better than embedding
the chunk text itself (dense MRR 0.78 -> 0.90 with the sentence scores added, see
README), and it costs less, since overlapping sentences are embedded once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from vectorstore.articles import Article, find_article_files, load_article, load_fetched_page
from vectorstore.chunking import Chunk, chunk_article
from vectorstore.dates import dating_fingerprint, parse_reference, sentence_periods
from vectorstore.errors import ArticleError
from vectorstore.fetch import FetchedPage, looks_like_url
from vectorstore.sandbox import DEFAULT_TIMEOUT_S, Sandbox
from vectorstore.store import ArticleRecord, ArticleStore, SentenceDates, chunk_metadata

Progress = Callable[[int, int, str], None]
"""Called as progress(sentences_done, sentences_total, article_id) while embedding."""

_EMBED_BATCH = 16
# Bump when chunking or embedding logic changes, so existing indexes are rebuilt.
CHUNKER_VERSION = 2


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one message per bad file
    chunks_stored: int = 0
    sentences_embedded: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped; "
            f"{self.sentences_embedded} sentences embedded into {self.chunks_stored} chunks"
        )


@dataclass(frozen=True)
class ChunkingConfig:
    """How articles are read and become chunks; the chunk sizes are part of every
    article's fingerprint, the limits on reading (size, seconds to parse a web page or
    PDF) are not."""

    max_tokens: int
    overlap_tokens: int
    max_article_bytes: int
    extract_timeout_s: float = DEFAULT_TIMEOUT_S

    def fingerprint(self, article: Article) -> str:
        """The article's content hash under these chunking settings and dating rules."""
        payload = f"{article.content_hash}|{self.max_tokens}|{self.overlap_tokens}|{CHUNKER_VERSION}"
        payload += f"|{dating_fingerprint()}"
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _mean_vector(vectors: list[np.ndarray]) -> list[float]:
    mean = np.mean(vectors, axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).tolist()


def _nodes(article: Article, chunks: list[Chunk], vectors: dict[tuple[int, int], np.ndarray]) -> list[TextNode]:
    nodes = []
    for chunk in chunks:
        node = TextNode(
            id_=chunk.id,
            text=chunk.text,
            embedding=_mean_vector([vectors[span] for span in chunk.sentences]),
            metadata=chunk_metadata(article.id, article.title, article.date, chunk.start, chunk.end, chunk.sentences),
        )
        node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=article.id)
        nodes.append(node)
    return nodes


def _sentence_spans(chunks: list[Chunk]) -> list[tuple[int, int]]:
    """Each sentence once, although chunk overlap repeats some."""
    return sorted({span for chunk in chunks for span in chunk.sentences})


def _sentence_dates(article: Article, spans: list[tuple[int, int]]) -> SentenceDates:
    """The periods of the article's sentences that date what they state, resolved against
    its date (`vectorstore.dates`)."""
    reference = parse_reference(article.date)
    dated = {(article.id, s, e): sentence_periods(article.body[s:e], reference) for s, e in spans}
    return {key: periods for key, periods in dated.items() if periods}


def _is_under(source: str, roots: Sequence[Path]) -> bool:
    if looks_like_url(source):
        return False
    path = Path(source).resolve()
    return any(path == root or root in path.parents for root in roots)


def _record_source(article: Article) -> str:
    if not article.source or looks_like_url(article.source):
        return article.source
    return str(Path(article.source).resolve())


def _load_all(
    paths: Sequence[Path | FetchedPage], chunking: ChunkingConfig, report: IngestReport
) -> list[tuple[str, Article]]:
    """Every article under `paths` with the name it was given by; what cannot be read goes
    into the report's skipped list with its reason. One sandbox parses all web pages and
    PDFs (started only if there is one)."""
    files = find_article_files([p for p in paths if isinstance(p, Path)])
    pages = [p for p in paths if isinstance(p, FetchedPage)]
    loaded: list[tuple[str, Article]] = []
    with Sandbox(chunking.extract_timeout_s) as sandbox:
        for source in [*files, *pages]:
            try:
                if isinstance(source, FetchedPage):
                    loaded.append((source.url, load_fetched_page(source, chunking.max_article_bytes, sandbox)))
                else:
                    loaded.append((str(source), load_article(source, chunking.max_article_bytes, sandbox)))
            except ArticleError as exc:
                report.skipped.append(str(exc))
    return loaded


def ingest_paths(
    paths: Sequence[Path | FetchedPage],
    store: ArticleStore,
    embedder: BaseEmbedding,
    chunking: ChunkingConfig,
    prune: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest every article file under `paths` and every fetched page among them; each file
    that is not ingested is reported with its reason, and the rest are ingested."""
    report = IngestReport()
    committed = {r.id: r for r in store.articles()}
    todo: list[tuple[Article, str, list[Chunk]]] = []
    by_fingerprint = {r.content_hash: r.id for r in committed.values()}
    seen: dict[str, str] = {}
    for name, article in _load_all(paths, chunking, report):
        if article.id in seen:
            fix = "the same page was given twice" if looks_like_url(name) else "rename one of the files"
            report.skipped.append(f"{name}: same article id '{article.id}' as {seen[article.id]}; {fix}")
            continue
        fingerprint = chunking.fingerprint(article)
        twin = by_fingerprint.setdefault(fingerprint, article.id)
        if twin != article.id:
            report.skipped.append(f"{name}: same text as article '{twin}' already in the index; not added twice")
            continue
        seen[article.id] = name
        previous = committed.get(article.id)
        if previous and previous.complete and previous.content_hash == fingerprint:
            report.unchanged.append(article.id)
            continue
        chunks = chunk_article(article, chunking.max_tokens, chunking.overlap_tokens)
        todo.append((article, fingerprint, chunks))

    total = sum(len(_sentence_spans(chunks)) for _, _, chunks in todo)
    done = 0
    if progress and total:
        progress(0, total, "")
    for article, fingerprint, chunks in todo:
        spans = _sentence_spans(chunks)
        vectors: dict[tuple[int, int], np.ndarray] = {}
        for i in range(0, len(spans), _EMBED_BATCH):
            batch = spans[i : i + _EMBED_BATCH]
            embedded = embedder.get_text_embedding_batch([article.body[s:e] for s, e in batch])
            vectors.update(zip(batch, (np.asarray(v, dtype=np.float32) for v in embedded)))
            done += len(batch)
            if progress:
                progress(done, total, article.id)
        record = ArticleRecord(
            id=article.id,
            title=article.title,
            date=article.date,
            content_hash=fingerprint,
            n_chunks=len(chunks),
            source=_record_source(article),
            body=article.body,
            url=article.url,
            author=article.author,
            site=article.site,
            pages=article.pages,
        )
        sentences = [((article.id, s, e), vectors[(s, e)].tolist()) for s, e in spans]
        store.replace_article(record, _nodes(article, chunks, vectors), sentences, _sentence_dates(article, spans))
        report.chunks_stored += len(chunks)
        report.sentences_embedded += len(spans)
        (report.updated if article.id in committed else report.added).append(article.id)

    if prune:
        roots = [p.resolve() for p in paths if isinstance(p, Path)]
        for record in committed.values():
            if record.id in seen or not record.source:
                continue
            if _is_under(record.source, roots) and not Path(record.source).exists():
                store.delete_article(record.id)
                report.removed.append(record.id)
    return report
