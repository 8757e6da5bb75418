"""Settings: one object nested by part, each setting reached by one flat name from the
environment, flags and code alike."""

from pathlib import Path

import pytest

from qa.settings import Settings
from vectorstore.errors import NewsQAError


def test_environment_and_overrides_land_in_their_parts_and_overrides_win():
    env = {"NEWSQA_TOP_K": "7", "NEWSQA_INDEX_DIR": "~/idx", "NEWSQA_PORT": "9000", "NEWSQA_DENSE_WEIGHT": "0.5"}
    settings = Settings.from_env(env=env, top_k=3, chunk_tokens=128)
    assert settings.retrieval.top_k == 3 and settings.retrieval.dense_weight == 0.5
    assert settings.store.index_dir == Path("~/idx").expanduser() and settings.store.chunk_tokens == 128
    assert settings.server.port == 9000
    assert Settings.from_env(env=env).retrieval.top_k == 7


def test_with_changes_one_part_and_leaves_the_rest_and_the_original():
    base = Settings.from_env(env={})
    changed = base.with_(answer_sentences=1, llm_url="http://127.0.0.1:1/v1", top_k=None)
    assert changed.answering.answer_sentences == 1 and changed.llm.llm_url == "http://127.0.0.1:1/v1"
    assert changed.retrieval == base.retrieval and changed.store == base.store
    assert base.answering.answer_sentences != 1 and hash(changed) != hash(base)


@pytest.mark.parametrize(
    "change",
    [{"top_k": 0}, {"retrieval_mode": "fuzzy"}, {"chunk_tokens": 16}, {"fetch_timeout_s": 0}, {"no_such_setting": 1}],
)
def test_a_bad_or_unknown_setting_is_refused_with_a_message(change):
    with pytest.raises(NewsQAError):
        Settings.from_env(env={}, **change)


def test_a_malformed_number_in_the_environment_names_the_variable():
    with pytest.raises(NewsQAError, match="NEWSQA_TOP_K"):
        Settings.from_env(env={"NEWSQA_TOP_K": "five"})
