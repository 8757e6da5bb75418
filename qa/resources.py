"""The one place that builds heavy objects, cached per index and embedder.

Loading the embedder and opening Chroma cost seconds; a question must not pay that.
A failed open is not cached, so the app recovers by itself once a missing index is
built or a stopped Chroma server is back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from llama_index.core.base.embeddings.base import BaseEmbedding

from qa.settings import Settings
from vectorstore.corpus import CorpusIndexCache
from vectorstore.embedders import embedder_key, load_embedder
from vectorstore.store import ArticleStore

_lock = threading.Lock()
_embedders: dict[str, BaseEmbedding] = {}
_stores: dict[tuple[str, str, str, bool], ArticleStore] = {}
_corpora: dict[int, CorpusIndexCache] = {}


@dataclass(frozen=True)
class Resources:
    embedder: BaseEmbedding
    store: ArticleStore
    corpus: CorpusIndexCache


def get_embedder(settings: Settings) -> BaseEmbedding:
    with _lock:
        if settings.embedder.embed_model not in _embedders:
            _embedders[settings.embedder.embed_model] = load_embedder(settings.embedder.embed_model)
        return _embedders[settings.embedder.embed_model]


def get_store(settings: Settings, create: bool = False) -> ArticleStore:
    """The store for these settings; `create=True` (ingest) makes the collections if needed."""
    key = (
        str(settings.store.index_dir),
        settings.store.chroma_url,
        embedder_key(settings.embedder.embed_model),
        create,
    )
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = ArticleStore.open(
                settings.store.index_dir, settings.store.chroma_url or None, key[2], create=create
            )
            _stores[key] = store
        return store


def get_resources(settings: Settings) -> Resources:
    store = get_store(settings)
    embedder = get_embedder(settings)
    with _lock:
        corpus = _corpora.setdefault(id(store), CorpusIndexCache(store))
    return Resources(embedder=embedder, store=store, corpus=corpus)


def forget_store(settings: Settings) -> None:
    """Drop cached handles (after a server error), so the next call reconnects."""
    with _lock:
        for key in [k for k in _stores if k[0] == str(settings.store.index_dir) and k[1] == settings.store.chroma_url]:
            _corpora.pop(id(_stores[key]), None)
            del _stores[key]
