"""The retrieval parts work as llama-index retrievers and postprocessors, and the settings
choose which sides the fusion asks."""

import pytest
from llama_index.core.schema import QueryBundle

from qa.catalog import get_article
from qa.query import analyse
from qa.resources import get_resources
from qa.retrieval import build_retriever, retrieve
from qa.retrievers import DenseSentenceRetriever, LexicalRetriever, Question
from tests.conftest import BUDAPEST_ARTICLE

QUESTION = "Vì sao Budapest được chọn làm nơi tổ chức hội nghị thượng đỉnh?"


@pytest.fixture(scope="module")
def parts(seed_settings):
    resources = get_resources(seed_settings)
    corpus = resources.corpus.get()
    return resources, corpus, analyse(QUESTION, corpus)


def test_each_side_is_a_llama_index_retriever_returning_scored_nodes(parts):
    resources, corpus, query = parts
    vector = resources.embedder.get_query_embedding(query.embedded_text)
    sentences = DenseSentenceRetriever(resources.store, 7).retrieve(QueryBundle(QUESTION, embedding=vector))
    assert len(sentences) == 7 and all(-1 <= n.score <= 1 for n in sentences)
    assert [n.score for n in sentences] == sorted((n.score for n in sentences), reverse=True)
    lexical = LexicalRetriever(corpus, 4).retrieve(Question.of(query))
    assert 0 < len(lexical) <= 4 and all(n.score > 0 for n in lexical)
    assert {corpus.chunks[corpus.positions[n.node.node_id]].article_id for n in lexical} >= {BUDAPEST_ARTICLE}


@pytest.mark.parametrize(
    ("mode", "language", "sides"),
    [
        ("hybrid", "vi", {"dense", "lexical"}),
        ("dense", "vi", {"dense"}),
        ("lexical", "vi", {"lexical"}),
        ("hybrid", "en", {"dense"}),
    ],  # English: a dense weight of 1 leaves the lexical side out
)
def test_the_settings_choose_the_sides_the_fusion_asks(parts, seed_settings, mode, language, sides):
    resources, corpus, query = parts
    retriever = build_retriever(seed_settings.with_(retrieval_mode=mode).retrieval, resources, corpus, language, 5)
    question = Question.of(query)
    nodes = retriever.retrieve(question)
    assert len(nodes) == 5 and [n.score for n in nodes] == sorted((n.score for n in nodes), reverse=True)
    assert {corpus.chunks[n.node.metadata["position"]].article_id for n in nodes[:2]} >= {BUDAPEST_ARTICLE}
    asked = {side for side in ("dense", "lexical") if f"{side}_search" in question.timings_ms}
    assert asked == sides
    assert all((n.node.metadata["lexical_score"] is None) == ("lexical" not in sides) for n in nodes)


def test_passages_are_their_article_text_exactly_with_a_score_per_sentence(parts, seed_settings):
    resources, corpus, query = parts
    found = retrieve(query, resources, corpus, seed_settings.retrieval, 5)
    for p in found.passages:
        assert get_article(p.article_id, seed_settings).body[p.start : p.end] == p.text
        assert len(p.sentence_scores) == len(p.sentences) and p.sentences[0][0] == p.start
    assert {"embed_query", "dense_search", "lexical_search", "fusion", "passage_texts"} <= set(found.timings_ms)
