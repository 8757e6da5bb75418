"""What the query side derives from the stored chunks: their spans, BM25 and the
diacritic restorer, the dates of the dated sentences (and a small cache of the chunk
texts questions cite).

It is rebuilt only when the store's generation token changes (after an ingest, by
this process or by another instance sharing the same Chroma server), never per
question.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from vectorstore.diacritics import DiacriticRestorer
from vectorstore.lexical import BM25Index
from vectorstore.store import ArticleStore, SentenceDates, SentenceKey, StoredChunk


class SentenceChunks(Mapping[SentenceKey, tuple[int, ...]]):
    """Sentence (article_id, start, end) -> positions of the chunks holding it.

    Kept in flat arrays rather than a dict of tuples: at 100,000 chunks there are over
    half a million sentences, and a dict spends ~250 bytes on each (~140 MB); these
    arrays spend ~20. Sentences are sorted by article, then start; a lookup finds the
    article's range and bisects it."""

    def __init__(self, chunks: Sequence[StoredChunk]) -> None:
        found: dict[SentenceKey, list[int]] = {}
        for position, chunk in enumerate(chunks):
            for start, end in chunk.sentences:
                found.setdefault((chunk.article_id, start, end), []).append(position)
        keys = sorted(found)
        self._articles: dict[str, tuple[int, int]] = {}
        for i, (article_id, _, _) in enumerate(keys):
            first, _ = self._articles.get(article_id, (i, i))
            self._articles[article_id] = (first, i + 1)
        self._starts = np.fromiter((k[1] for k in keys), dtype=np.int64, count=len(keys))
        self._ends = np.fromiter((k[2] for k in keys), dtype=np.int64, count=len(keys))
        counts = np.fromiter((len(found[k]) for k in keys), dtype=np.int64, count=len(keys))
        self._offsets = np.concatenate(([0], np.cumsum(counts)))
        self._positions = np.fromiter((p for k in keys for p in found[k]), dtype=np.int32, count=int(self._offsets[-1]))

    def _index(self, key: SentenceKey) -> int | None:
        article_id, start, end = key
        first, last = self._articles.get(article_id, (0, 0))
        i = first + int(np.searchsorted(self._starts[first:last], start))
        if i < last and self._starts[i] == start and self._ends[i] == end:
            return i
        return None

    def previous(self, key: SentenceKey) -> SentenceKey | None:
        """The sentence before `key` in its article, if any chunk holds one."""
        i = self._index(key)
        if i is None or i == self._articles[key[0]][0]:
            return None
        return key[0], int(self._starts[i - 1]), int(self._ends[i - 1])

    def __getitem__(self, key: SentenceKey) -> tuple[int, ...]:
        i = self._index(key)
        if i is None:
            raise KeyError(key)
        return tuple(self._positions[self._offsets[i] : self._offsets[i + 1]].tolist())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 3 and self._index(key) is not None

    def __iter__(self) -> Iterator[SentenceKey]:
        for article_id, (first, last) in self._articles.items():
            for i in range(first, last):
                yield article_id, int(self._starts[i]), int(self._ends[i])

    def __len__(self) -> int:
        return len(self._starts)


class ChunkTexts:
    """The texts of recently cited chunks, read from the store on a miss.

    Chunk texts are not held for the whole corpus (~180 MB at 100,000 chunks); a
    question needs the few it ranks, and popular passages come up again and again.
    Bounded, and belongs to one generation of the corpus, so it is never stale."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, chunk_ids: Sequence[str], fetch: Callable[[list[str]], dict[str, str]]) -> dict[str, str]:
        """Texts by chunk id; ids the store no longer holds are left out."""
        with self._lock:
            found = {cid: self._texts[cid] for cid in chunk_ids if cid in self._texts}
            for cid in found:
                self._texts.move_to_end(cid)
        missing = [cid for cid in chunk_ids if cid not in found]
        if missing:
            fetched = fetch(missing)
            found.update(fetched)
            with self._lock:
                self._texts.update(fetched)
                while len(self._texts) > self._capacity:
                    self._texts.popitem(last=False)
        return found


@dataclass(frozen=True)
class CorpusIndex:
    generation: str
    chunks: tuple[StoredChunk, ...]
    positions: dict[str, int]
    sentence_chunks: SentenceChunks
    bm25: BM25Index
    restorer: DiacriticRestorer
    texts: ChunkTexts = field(default_factory=ChunkTexts, compare=False)
    # The periods of every sentence that dates what it states (`vectorstore.dates`).
    sentence_dates: SentenceDates = field(default_factory=dict, compare=False)

    @classmethod
    def build(
        cls, generation: str, rows: Iterable[tuple[StoredChunk, str]], dates: SentenceDates | None = None
    ) -> CorpusIndex:
        """In one pass over every stored chunk with its text, in the store's order.

        Each text is used as it arrives and dropped, so given the store's page-by-page
        iterator (as `CorpusIndexCache` gives it) the build never holds them all.
        Positions follow the store's order; rankings break ties by chunk id."""
        chunks: list[StoredChunk] = []
        restorer = DiacriticRestorer()

        def texts() -> Iterator[str]:
            for chunk, text in rows:
                chunks.append(chunk)
                restorer.add(f"{chunk.title}\n{text}")
                yield text

        bm25 = BM25Index.build(texts())
        restorer.index_forms()
        return cls(
            generation=generation,
            chunks=tuple(chunks),
            positions={c.id: i for i, c in enumerate(chunks)},
            sentence_chunks=SentenceChunks(chunks),
            bm25=bm25,
            restorer=restorer,
            sentence_dates=dates or {},
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
                self._current = CorpusIndex.build(generation, self._store.iter_chunks(), self._store.sentence_dates())
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
