"""The query side's in-memory view of the store: chunks, sentence → chunk map, BM25."""

import json

from vectorstore.corpus import CorpusIndex
from vectorstore.store import stored_chunk


def chunk(chunk_id: str, article: str, spans: list[tuple[int, int]]) -> object:
    meta = {"article_id": article, "title": "T", "date": "", "start": spans[0][0], "end": spans[-1][1]}
    meta["sentences"] = json.dumps([list(s) for s in spans])
    return stored_chunk(chunk_id, "x" * spans[-1][1], meta)


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
    assert index.sentence_chunks[("a", 30, 40)] == (index.positions["a#1"], index.positions["a#2"])
    assert ("a", 30, 41) not in index.sentence_chunks and ("c", 0, 10) not in index.sentence_chunks
    assert index.sentence_chunks.get(("b", 0, 11), ()) == ()
    assert index.chunks[index.positions["a#1"]].sentences == ((0, 15), (16, 30), (30, 40))


def test_an_empty_store_gives_an_empty_index():
    index = CorpusIndex.build("g0", [])
    assert len(index.sentence_chunks) == 0 and index.chunks == () and index.bm25.n_docs == 0
