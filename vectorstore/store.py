"""The index in Chroma: chunk vectors (through llama-index) and one record per article.

Three collections per embedder, so vectors of different models never mix:
- `<base>_sentences`: one vector per sentence, its id `<article_id>@<start>-<end>`
  naming its span in the article; only a sentence that dates what it states carries
  metadata, its periods (`vectorstore.dates`), since metadata on every sentence would
  double the cost of the collection that holds five vectors per chunk;
- `<base>_chunks`: one vector per chunk (the normalised mean of its sentences' vectors),
  with its text, its span and its sentences' spans in the article;
- `<base>_articles`: one record per article holding the normalised body, title, date,
  where it came from (source file or URL, published URL, author, outlet, PDF page
  offsets) and content hash. It is written as `complete: false` before the chunks change and
  flipped to true after, so an ingest killed halfway leaves a record that the next
  ingest redoes (or `--prune` removes), never chunks that nothing accounts for.
The articles collection's metadata carries a `generation` token changed by every write;
readers (the lexical index, several app instances on one server) compare it to know
whether what they derived is still current.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from vectorstore.dates import Period
from vectorstore.errors import StoreUnavailableError

COLLECTION_PREFIX = "newsqa"
SCHEMA_VERSION = 1
# Chroma requires a vector for every record; article records are looked up by id
# only, so they all carry this placeholder.
_RECORD_VECTOR = [1.0]
# Records per page when reading a whole collection: at 100,000 chunks, pages of 5,000 read
# twice as fast as pages of 2,000 (each page re-scans its offset), for ~15 MB per page.
_PAGE = 5000


SentenceKey = tuple[str, int, int]
"""(article_id, start, end) of a sentence in its article body."""

SentenceDates = dict[SentenceKey, tuple[Period, ...]]
"""The periods of an article's dated sentences (the others are left out)."""

ArticleWrite = tuple["ArticleRecord", list[Any], list[tuple[SentenceKey, list[float]]], SentenceDates]
"""What replace_article stores for one article: its record, chunk nodes, sentence vectors
and sentence dates."""

# Sentence ids spell out their key, so a nearest-sentence search needs no metadata.
_SENTENCE_ID = re.compile(r"^(?P<article>.+)@(?P<start>\d+)-(?P<end>\d+)$")


@dataclass(frozen=True)
class ArticleRecord:
    """An article as the index holds it; `url`, `author`, `site` and `pages` as on
    `vectorstore.articles.Article` (empty for records written before they existed)."""

    id: str
    title: str
    date: str
    content_hash: str
    n_chunks: int
    source: str
    body: str = ""
    complete: bool = True
    url: str = ""
    author: str = ""
    site: str = ""
    pages: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A chunk as the query side holds it, every chunk of the corpus at once.

    So it carries what ranking needs and no text (read from Chroma for the few chunks a
    question ranks: ~180 MB less at 100,000 chunks), and keeps the sentences' spans flat
    as machine ints ([start0, end0, start1, ...]; as tuples of ints they cost ~1 KB a chunk)."""

    id: str
    article_id: str
    title: str
    date: str
    start: int
    end: int
    sentence_bounds: array

    @property
    def sentences(self) -> tuple[tuple[int, int], ...]:
        bounds = self.sentence_bounds
        return tuple(zip(bounds[::2], bounds[1::2]))


def chunk_metadata(article_id: str, title: str, date: str, start: int, end: int, sentences: Any) -> dict:
    return {
        "article_id": article_id,
        "title": title,
        "date": date,
        "start": start,
        "end": end,
        "sentences": json.dumps([list(s) for s in sentences]),
    }


def stored_chunk(chunk_id: str, meta: dict) -> StoredChunk:
    """A chunk as read back; the strings its article's chunks share are interned, since
    the query side holds every chunk in memory (a title is ~250 bytes, 100,000 times)."""
    return StoredChunk(
        id=chunk_id,
        article_id=sys.intern(str(meta["article_id"])),
        title=sys.intern(str(meta.get("title", ""))),
        date=sys.intern(str(meta.get("date", ""))),
        start=int(meta["start"]),
        end=int(meta["end"]),
        sentence_bounds=array("i", (bound for span in json.loads(meta.get("sentences", "[]")) for bound in span)),
    )


def dates_metadata(periods: Sequence[Period]) -> dict[str, Any]:
    """A dated sentence's metadata: its periods, and the first and last day they cover as
    YYYYMMDD numbers, which a Chroma `where` can compare."""
    return {
        "dates": json.dumps([p.as_list() for p in periods]),
        "date_from": int(min(p.start for p in periods).strftime("%Y%m%d")),
        "date_to": int(max(p.end for p in periods).strftime("%Y%m%d")),
    }


def sentence_id(key: SentenceKey) -> str:
    article_id, start, end = key
    return f"{article_id}@{start}-{end}"


def sentence_key(sentence_id: str) -> SentenceKey:
    match = _SENTENCE_ID.match(sentence_id)
    if match is None:
        raise ValueError(f"not a sentence id: {sentence_id!r}")
    return match["article"], int(match["start"]), int(match["end"])


def _unavailable(where: str, exc: Exception) -> StoreUnavailableError:
    # One line: the CLI prints the message as is, and server errors can span several.
    detail = " ".join(f"{exc.__class__.__name__}: {exc}".split()).rstrip(": ")
    return StoreUnavailableError(f"cannot reach the index at {where}: {detail}")


def make_client(index_dir: Path, chroma_url: str | None, create: bool) -> tuple[Any, str]:
    """An embedded PersistentClient in index_dir, or an HttpClient for a `chroma run` server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        if not parsed.hostname:
            raise StoreUnavailableError(f"bad Chroma server URL '{chroma_url}': use http://host:port")
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or 8000,
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - chromadb raises many types; all mean "unreachable"
            raise StoreUnavailableError(
                f"the Chroma server at {chroma_url} is not reachable ({exc.__class__.__name__}); "
                "start it with `chroma run --path DIR --port PORT` or check NEWSQA_CHROMA_URL"
            ) from None
        return client, chroma_url
    chroma_dir = index_dir / "chroma"
    if not create and not chroma_dir.is_dir():
        raise StoreUnavailableError(
            f"no index at {index_dir}: build it first with `qa ingest seeds/` (or your article folder)"
        )
    try:
        chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(chroma_dir), settings=chroma_settings), str(chroma_dir)
    except Exception as exc:  # noqa: BLE001 - chromadb raises many types for a bad folder
        raise StoreUnavailableError(
            f"cannot open the index at {chroma_dir} ({exc.__class__.__name__}: {exc}); "
            "check that the folder is writable, or remove it and run `qa ingest` again"
        ) from None


class ArticleStore:
    """One index (chunks + article records) for one embedder."""

    def __init__(self, client: Any, where: str, embedder_key: str, create: bool) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.where = where
        self._client = client
        base = f"{COLLECTION_PREFIX}_{embedder_key}"
        try:
            if create:
                self._chunks = client.get_or_create_collection(
                    f"{base}_chunks", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
                )
                self._sentences = client.get_or_create_collection(
                    f"{base}_sentences", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
                )
                self._articles = client.get_or_create_collection(
                    f"{base}_articles",
                    embedding_function=None,
                    metadata={"generation": uuid.uuid4().hex, "schema": SCHEMA_VERSION},
                )
            else:
                self._chunks = client.get_collection(f"{base}_chunks", embedding_function=None)
                self._sentences = client.get_collection(f"{base}_sentences", embedding_function=None)
                self._articles = client.get_collection(f"{base}_articles", embedding_function=None)
        except StoreUnavailableError:
            raise
        except Exception as exc:  # noqa: BLE001 - chromadb raises many types; all mean "unreachable"
            missing = "does not exist" in str(exc).lower() or "not found" in str(exc).lower()
            if not create and missing:
                raise StoreUnavailableError(
                    f"the index at {where} has no articles embedded with '{embedder_key}' yet: "
                    "run `qa ingest seeds/` (or your article folder) first"
                ) from None
            raise _unavailable(where, exc) from None
        schema = (self._articles.metadata or {}).get("schema", SCHEMA_VERSION)
        if schema != SCHEMA_VERSION:
            raise StoreUnavailableError(
                f"the index at {where} was built by another version of this tool (schema {schema}); "
                "remove it and run `qa ingest` again"
            )
        self.vector_store = ChromaVectorStore(chroma_collection=self._chunks)
        self._batch_limit: int | None = None
        self._pending: list[ArticleWrite] | None = None
        self._pending_limit = 1

    @classmethod
    def open(cls, index_dir: Path, chroma_url: str | None, embedder_key: str, create: bool = False) -> ArticleStore:
        client, where = make_client(index_dir, chroma_url, create)
        return cls(client, where, embedder_key, create)

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - chromadb raises many types; all mean "unreachable"
            raise _unavailable(self.where, exc) from None

    # --- reading -------------------------------------------------------------

    def generation(self) -> str:
        """The token of the last write; cheap enough to check on every question."""
        name = self._articles.name
        collection = self._call(self._client.get_collection, name, embedding_function=None)
        return str((collection.metadata or {}).get("generation", ""))

    def count_chunks(self) -> int:
        return int(self._call(self._chunks.count))

    def articles(self) -> list[ArticleRecord]:
        """Every article record without its body, sorted by id."""
        records: list[ArticleRecord] = []
        offset = 0
        while True:
            page = self._call(self._articles.get, include=["metadatas"], limit=_PAGE, offset=offset)
            records.extend(_record(i, m, "") for i, m in zip(page["ids"], page["metadatas"]))
            if len(page["ids"]) < _PAGE:
                break
            offset += _PAGE
        return sorted(records, key=lambda r: r.id)

    def article(self, article_id: str) -> ArticleRecord | None:
        page = self._call(self._articles.get, ids=[article_id], include=["metadatas", "documents"])
        if not page["ids"]:
            return None
        return _record(page["ids"][0], page["metadatas"][0], page["documents"][0])

    def iter_chunks(self) -> Iterator[tuple[StoredChunk, str]]:
        """All chunks with their texts, page by page; used to derive the lexical index,
        never per question."""
        offset = 0
        while True:
            page = self._call(self._chunks.get, include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                yield stored_chunk(cid, meta), doc or ""
            if len(page["ids"]) < _PAGE:
                break
            offset += _PAGE

    def chunk_texts(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """The texts of these chunks (those still stored), for the passages of an answer."""
        if not chunk_ids:
            return {}
        page = self._call(self._chunks.get, ids=list(chunk_ids), include=["documents"])
        return {cid: doc or "" for cid, doc in zip(page["ids"], page["documents"])}

    def chunk_ids_of(self, article_id: str) -> list[str]:
        return list(self._call(self._chunks.get, where={"article_id": article_id}, include=[])["ids"])

    def query(self, embedding: list[float], n: int) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk id, cosine similarity).

        Asks the collection directly, for ids and distances only: the query side holds
        every chunk's spans already and needs the text of a few, and fetching documents
        and metadata doubles the search time on a small index (3.7 ms against 1.6 ms on
        the seeds)."""
        if n <= 0:
            return []
        result = self._call(self._chunks.query, query_embeddings=[embedding], n_results=n, include=["distances"])
        return [(cid, 1.0 - float(distance)) for cid, distance in zip(result["ids"][0], result["distances"][0])]

    def query_sentences(self, embedding: list[float], n: int) -> list[tuple[SentenceKey, float]]:
        """Nearest sentences as ((article_id, start, end), cosine similarity); the key is
        read from the id, so no metadata is fetched."""
        if n <= 0:
            return []
        result = self._call(self._sentences.query, query_embeddings=[embedding], n_results=n, include=["distances"])
        return [(sentence_key(sid), 1.0 - float(d)) for sid, d in zip(result["ids"][0], result["distances"][0])]

    def sentence_dates(self) -> SentenceDates:
        """Every dated sentence with its periods, page by page (undated sentences have no
        metadata and are not read)."""
        dated: SentenceDates = {}
        offset = 0
        while True:
            page = self._call(
                self._sentences.get,
                where={"date_from": {"$gte": 0}},
                include=["metadatas"],
                limit=_PAGE,
                offset=offset,
            )
            for sid, meta in zip(page["ids"], page["metadatas"]):
                dated[sentence_key(sid)] = tuple(Period.from_list(p) for p in json.loads(meta["dates"]))
            if len(page["ids"]) < _PAGE:
                break
            offset += _PAGE
        return dated

    # --- writing -------------------------------------------------------------

    def _bump_generation(self) -> None:
        metadata = dict(self._articles.metadata or {})
        metadata.update(generation=uuid.uuid4().hex, schema=SCHEMA_VERSION)
        self._call(self._articles.modify, metadata=metadata)

    def _write_records(self, records: Sequence[ArticleRecord], complete: bool) -> None:
        """Upsert the records; the body goes with the `complete` write only, since Chroma
        indexes every document for full-text search (~3 ms per article) and the
        incomplete record is only a marker (an upsert without a document keeps the old one)."""
        bodies = {"documents": [r.body for r in records]} if complete else {}
        self._call(
            self._articles.upsert,
            ids=[r.id for r in records],
            embeddings=[_RECORD_VECTOR] * len(records),
            **bodies,
            metadatas=[
                {
                    "title": r.title,
                    "date": r.date,
                    "content_hash": r.content_hash,
                    "n_chunks": r.n_chunks,
                    "source": r.source,
                    "complete": complete,
                    "url": r.url,
                    "author": r.author,
                    "site": r.site,
                    # Chroma metadata holds scalars only.
                    "pages": json.dumps(list(r.pages)),
                }
                for r in records
            ],
        )

    def _max_batch(self) -> int:
        if self._batch_limit is None:
            self._batch_limit = max(1, int(self._call(self._client.get_max_batch_size)))
        return self._batch_limit

    def _in_batches(self, items: list[Any]) -> Iterator[list[Any]]:
        size = self._max_batch()
        for i in range(0, len(items), size):
            yield items[i : i + size]

    def replace_article(
        self,
        record: ArticleRecord,
        nodes: list[Any],
        sentences: list[tuple[SentenceKey, list[float]]],
        dates: SentenceDates | None = None,
    ) -> None:
        """Swap an article's chunks and sentence vectors (with the dates of its dated
        sentences) for new ones between two writes of its record.

        Inside `batched()` the write is queued and made together with its neighbours."""
        write = (record, nodes, sentences, dates or {})
        if self._pending is None:
            self.replace_articles([write])
            return
        self._pending.append(write)
        if len(self._pending) >= self._pending_limit:
            self._flush()

    def replace_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """replace_article for many articles in a handful of writes.

        Every Chroma write costs a transaction and an index update (5-30 ms embedded,
        a round trip on a server) whatever its size; grouped, that is paid per group,
        not five times per article. The protocol is the same for the group: all records
        marked incomplete, old vectors deleted, new ones added, records marked complete,
        one generation bump."""
        if not writes:
            return
        records = [record for record, _, _, _ in writes]
        ids = [r.id for r in records]
        for group in self._in_batches(records):
            self._write_records(group, complete=False)
        for group in self._in_batches(ids):
            self._delete_vectors(group)
        for group in self._in_batches([node for _, nodes, _, _ in writes for node in nodes]):
            self._call(self.vector_store.add, group)
        dated = {key: periods for _, _, _, dates in writes for key, periods in dates.items() if periods}
        sentences = [s for _, _, article_sentences, _ in writes for s in article_sentences]
        for group in self._in_batches([s for s in sentences if s[0] not in dated]):
            # No metadata: the id spells the key, and metadata is 40% of a sentence's write.
            self._call(
                self._sentences.add,
                ids=[sentence_id(key) for key, _ in group],
                embeddings=[vector for _, vector in group],
            )
        for group in self._in_batches([s for s in sentences if s[0] in dated]):
            self._call(
                self._sentences.add,
                ids=[sentence_id(key) for key, _ in group],
                embeddings=[vector for _, vector in group],
                metadatas=[dates_metadata(dated[key]) for key, _ in group],
            )
        for group in self._in_batches(records):
            self._write_records(group, complete=True)
        self._bump_generation()

    @contextmanager
    def batched(self, articles: int = 64) -> Iterator[ArticleStore]:
        """Queue replace_article calls and write them `articles` at a time.

        An ingest wrapped in this writes 64 articles with the cost of one. Queued
        articles are written when the block ends normally; if it raises, they are
        dropped, and since none of their records was written the next ingest redoes
        them. Reads inside the block do not see queued articles. One ingest at a time
        per store: the queue is the store's, not the caller's."""
        if self._pending is not None:
            raise RuntimeError("batched() blocks do not nest")
        self._pending, self._pending_limit = [], max(1, articles)
        try:
            yield self
            self._flush()
        finally:
            self._pending = None

    def _flush(self) -> None:
        pending, self._pending = self._pending or [], []
        self.replace_articles(pending)

    def _delete_vectors(self, article_ids: list[str]) -> None:
        """Delete the articles' sentences, found through their chunks' sentence spans
        (every sentence is in a chunk of its article), then the chunks. In this order,
        and with chunks added before sentences, no sentence outlives its chunks."""
        # llama-index files each chunk under its source article as `document_id`.
        where = {"document_id": {"$in": article_ids}}
        page = self._call(self._chunks.get, where=where, include=["metadatas"])
        sentence_ids = sorted(
            {
                sentence_id((str(meta["article_id"]), start, end))
                for meta in page["metadatas"]
                for start, end in json.loads(meta.get("sentences", "[]"))
            }
        )
        for group in self._in_batches(sentence_ids):
            self._call(self._sentences.delete, ids=group)
        self._call(self._chunks.delete, where=where)

    def delete_article(self, article_id: str) -> None:
        if self._pending:
            self._flush()
        self._delete_vectors([article_id])
        self._call(self._articles.delete, ids=[article_id])
        self._bump_generation()


def _record(article_id: str, meta: dict, body: str) -> ArticleRecord:
    return ArticleRecord(
        id=article_id,
        title=str(meta.get("title", "")),
        date=str(meta.get("date", "")),
        content_hash=str(meta.get("content_hash", "")),
        n_chunks=int(meta.get("n_chunks", 0)),
        source=str(meta.get("source", "")),
        body=body or "",
        complete=bool(meta.get("complete", True)),
        url=str(meta.get("url", "")),
        author=str(meta.get("author", "")),
        site=str(meta.get("site", "")),
        pages=tuple(int(p) for p in json.loads(meta.get("pages") or "[]")),
    )
