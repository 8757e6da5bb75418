import itertools

from tests.conftest import SEEDS
from vectorstore.articles import load_article
from vectorstore.chunking import chunk_article
from vectorstore.text import count_tokens


def seed_articles():
    return [load_article(p, 10**7) for p in sorted(SEEDS.glob("*.txt"))]


def test_chunk_spans_map_back_to_the_exact_article_text():
    for article in seed_articles():
        chunks = chunk_article(article, 256, 48)
        assert chunks
        for chunk in chunks:
            assert article.body[chunk.start : chunk.end] == chunk.text
            for s, e in chunk.sentences:
                assert chunk.start <= s < e <= chunk.end
            assert chunk.sentences[0][0] == chunk.start and chunk.sentences[-1][1] == chunk.end


def test_chunks_cover_every_sentence_and_respect_the_size():
    for article in seed_articles():
        chunks = chunk_article(article, 128, 24)
        covered = {s for c in chunks for s in c.sentences}
        from vectorstore.text import split_sentences

        assert covered == set(split_sentences(article.body))
        for chunk in chunks:
            assert count_tokens(chunk.text) <= 128 or len(chunk.sentences) == 1


def test_consecutive_chunks_overlap_by_whole_sentences():
    article = seed_articles()[0]
    chunks = chunk_article(article, 128, 48)
    overlaps = [set(a.sentences) & set(b.sentences) for a, b in itertools.pairwise(chunks)]
    assert any(overlaps)
    for a, b in itertools.pairwise(chunks):
        assert b.start > a.start
