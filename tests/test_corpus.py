"""The query side's in-memory view of the store: chunks, sentence → chunk map, BM25."""

import json
import weakref
from collections.abc import Iterator

from vectorstore.corpus import ChunkTexts, CorpusIndex, CorpusIndexCache
from vectorstore.store import stored_chunk


def chunk(chunk_id: str, article: str, spans: list[tuple[int, int]]) -> tuple:
    meta = {"article_id": article, "title": "T", "date": "", "start": spans[0][0], "end": spans[-1][1]}
    meta["sentences"] = json.dumps([list(s) for s in spans])
    return stored_chunk(chunk_id, meta), f"chunk {chunk_id} of article {article}"


def test_sentence_chunks_maps_every_sentence_to_the_chunks_holding_it():
    chunks = [
        chunk("b#1", "b", [(0, 10), (11, 20)]),
        chunk("a#2", "a", [(30, 40), (41, 50)]),
        chunk("a#1", "a", [(0, 15), (16, 30), (30, 40)]),
    ]
    index = CorpusIndex.build("g1", chunks)
    expected: dict[tuple[str, int, int], list[int]] = {}
    for position, c in enumerate(index.chunks):
        for start, end in c.sentences:
            expected.setdefault((c.article_id, start, end), []).append(position)

    assert dict(index.sentence_chunks) == {k: tuple(v) for k, v in expected.items()}
    assert sorted(index.sentence_chunks[("a", 30, 40)]) == sorted((index.positions["a#1"], index.positions["a#2"]))
    assert ("a", 30, 41) not in index.sentence_chunks and ("c", 0, 10) not in index.sentence_chunks
    assert index.sentence_chunks.get(("b", 0, 11), ()) == ()
    assert index.chunks[index.positions["a#1"]].sentences == ((0, 15), (16, 30), (30, 40))


def test_an_empty_store_gives_an_empty_index():
    index = CorpusIndex.build("g0", [])
    assert len(index.sentence_chunks) == 0 and index.chunks == () and index.bm25.n_docs == 0


def test_chunk_texts_are_fetched_once_kept_within_bounds_and_missing_ones_left_out():
    stored = {f"c{i}": f"text {i}" for i in range(5)}
    fetches: list[list[str]] = []

    def fetch(ids: list[str]) -> dict[str, str]:
        fetches.append(ids)
        return {i: stored[i] for i in ids if i in stored}

    texts = ChunkTexts(capacity=3)
    assert texts.get(["c0", "c1", "gone"], fetch) == {"c0": "text 0", "c1": "text 1"}
    assert texts.get(["c1", "c0"], fetch) == {"c1": "text 1", "c0": "text 0"}
    assert fetches == [["c0", "c1", "gone"]]
    texts.get(["c2", "c3"], fetch)  # c1 is now the least recently used of four: evicted
    assert texts.get(["c0", "c1"], fetch) == {"c0": "text 0", "c1": "text 1"}
    assert fetches[-1] == ["c1"]


def test_the_restorer_learns_accented_spellings_from_the_chunk_texts():
    meta = {"article_id": "a", "title": "Hội nghị", "date": "", "start": 0, "end": 10, "sentences": "[[0, 10]]"}
    text = "Budapest được chọn làm nơi tổ chức hội nghị thượng đỉnh. Hà Nội được chọn vì vị trí."
    index = CorpusIndex.build("g1", [(stored_chunk("a#0", meta), text)])
    assert index.restorer.restore(["budapest", "duoc", "chon", "lam", "noi", "to", "chuc"]) == (
        ["budapest", "được", "chọn", "làm", "nơi", "tổ", "chức"]
    )
    assert index.restorer.restore(["vi", "sao"]) == ["vì", "sao"]  # from the general model


def test_the_sentence_before_is_found_within_its_article_only():
    index = CorpusIndex.build("g1", [chunk("a#1", "a", [(0, 15), (16, 30)]), chunk("b#1", "b", [(0, 10), (11, 20)])])
    assert index.sentence_chunks.previous(("a", 16, 30)) == ("a", 0, 15)
    assert index.sentence_chunks.previous(("b", 0, 10)) is None
    assert index.sentence_chunks.previous(("a", 16, 31)) is None


class _Text(str):
    """A chunk text that can be watched for when it is freed."""


def test_the_cache_builds_from_the_stores_chunks_as_they_arrive_never_holding_all_texts():
    alive: list[weakref.ref] = []
    most_alive = 0

    class Store:
        def generation(self) -> str:
            return "g1"

        def iter_chunks(self) -> Iterator[tuple]:
            nonlocal most_alive
            for i in range(50):
                stored, text = chunk(f"a#{i}", "a", [(i * 10, i * 10 + 9)])
                most_alive = max(most_alive, sum(ref() is not None for ref in alive))
                text = _Text(text)
                alive.append(weakref.ref(text))
                yield stored, text

        def sentence_dates(self) -> dict:
            return {}

    index = CorpusIndexCache(Store()).get()
    assert len(index.chunks) == 50 and index.bm25.n_docs == 50
    assert most_alive <= 2, f"{most_alive} chunk texts held at once"
