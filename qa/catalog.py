"""The articles in the index: ingest files, list them, fetch one for reading."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qa.resources import forget_store, get_embedder, get_store
from qa.settings import Settings
from vectorstore.errors import StoreUnavailableError
from vectorstore.ingest import ChunkingConfig, IngestReport, Progress, ingest_paths
from vectorstore.store import ArticleRecord


def chunking(settings: Settings) -> ChunkingConfig:
    return ChunkingConfig(
        settings.store.chunk_tokens, settings.store.chunk_overlap_tokens, settings.ingest.max_article_bytes
    )


def ingest(
    paths: Sequence[Path], settings: Settings, prune: bool = False, progress: Progress | None = None
) -> IngestReport:
    """Ingest article files or folders into the index named by settings (created if needed)."""
    try:
        store = get_store(settings, create=True)
        return ingest_paths(paths, store, get_embedder(settings), chunking(settings), prune=prune, progress=progress)
    except StoreUnavailableError:
        forget_store(settings)
        raise


def list_articles(settings: Settings) -> list[ArticleRecord]:
    """Committed articles (an ingest in progress or killed halfway is left out)."""
    try:
        return [r for r in get_store(settings).articles() if r.complete]
    except StoreUnavailableError:
        forget_store(settings)
        raise


def get_article(article_id: str, settings: Settings) -> ArticleRecord | None:
    try:
        return get_store(settings).article(article_id)
    except StoreUnavailableError:
        forget_store(settings)
        raise
