"""What the query side derives from the stored chunks: BM25 and the diacritic restorer.

It is rebuilt only when the store's generation token changes (after an ingest, by
this process or by another instance sharing the same Chroma server), never per
question.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from dataclasses import dataclass

from vectorstore.diacritics import DiacriticRestorer
from vectorstore.lexical import BM25Index
from vectorstore.store import ArticleStore, SentenceKey, StoredChunk


@dataclass(frozen=True)
class CorpusIndex:
    generation: str
    chunks: tuple[StoredChunk, ...]
    positions: dict[str, int]
    sentence_chunks: dict[SentenceKey, tuple[int, ...]]
    bm25: BM25Index
    restorer: DiacriticRestorer

    @classmethod
    def build(cls, generation: str, chunks: list[StoredChunk]) -> CorpusIndex:
        ordered = tuple(sorted(chunks, key=lambda c: c.id))
        sentence_chunks: dict[SentenceKey, list[int]] = {}
        for i, chunk in enumerate(ordered):
            for start, end in chunk.sentences:
                sentence_chunks.setdefault((chunk.article_id, start, end), []).append(i)
        return cls(
            generation=generation,
            chunks=ordered,
            positions={c.id: i for i, c in enumerate(ordered)},
            sentence_chunks={k: tuple(v) for k, v in sentence_chunks.items()},
            bm25=BM25Index.build(c.text for c in ordered),
            restorer=DiacriticRestorer.build(f"{c.title}\n{c.text}" for c in ordered),
        )


class CorpusIndexCache:
    """Holds the current CorpusIndex for one store and refreshes it when the store changes."""

    def __init__(self, store: ArticleStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._current: CorpusIndex | None = None

    def get(self) -> CorpusIndex:
        generation = self._store.generation()
        current = self._current
        if current is not None and current.generation == generation:
            return current
        with self._lock:
            if self._current is None or self._current.generation != generation:
                self._current = None  # the old index is garbage before the new one is built
                self._current = CorpusIndex.build(generation, list(self._store.iter_chunks()))
                _return_freed_memory()
            return self._current


def _return_freed_memory() -> None:
    """Hand the build's freed temporaries back to the OS (glibc only).

    A rebuild at 100,000 chunks frees a few hundred MB (Chroma's result pages, the
    postings arrays) that glibc keeps in its heap; the HNSW index Chroma loads next
    would otherwise stack on top of them and the process's peak grows by that much."""
    libc_name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(libc_name) if libc_name else None
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
