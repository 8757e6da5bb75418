"""Against a real `chroma run` server: ingest and ask from separate processes, the
lexical index following another process's ingest, and a server that goes away and
comes back while the app keeps running."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eval.bench import ChromaServer, clean_env
from eval.questions import DEFAULT_QUESTIONS, load_questions
from eval.runner import run_eval
from qa.pipeline import ask
from qa.resources import get_resources
from qa.settings import Settings
from tests.conftest import BUDAPEST_ARTICLE, SEEDS, make_settings
from vectorstore.errors import StoreUnavailableError

pytestmark = [pytest.mark.server, pytest.mark.slow]

BUDAPEST_QUESTION = "Vì sao Budapest được chọn làm nơi tổ chức hội nghị thượng đỉnh?"
BRIDGE_QUESTION = "Cây cầu mới qua sông Hồng dài bao nhiêu km?"
BRIDGE_ARTICLE = (
    " date 2025-01-02 Ảnh minh họa.\n\nHà Nội công bố kế hoạch xây cầu mới qua sông Hồng. "
    "Cây cầu dài 5 km và dự kiến hoàn thành năm 2030.\n"
)


def qa(*args: str, url: str, tmp: Path) -> subprocess.CompletedProcess:
    """`python -m qa.cli ...` against the server at url, without the developer's NEWSQA_* environment."""
    env = clean_env()
    env["NEWSQA_INDEX_DIR"] = str(tmp / "unused-local-index")
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args, "--chroma-url", url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    with ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db") as running:
        yield running


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-mode")


@pytest.fixture(scope="module")
def seeded(server: ChromaServer, tmp: Path) -> ChromaServer:
    result = qa("ingest", str(SEEDS), url=server.url, tmp=tmp)
    assert result.returncode == 0, result.stderr
    assert "5 added" in result.stdout
    return server


@pytest.fixture(scope="module")
def settings(seeded: ChromaServer, tmp: Path) -> Settings:
    return make_settings(tmp / "unused-local-index", chroma_url=seeded.url)


def test_a_second_process_answers_from_what_the_first_ingested(seeded: ChromaServer, tmp: Path):
    result = qa("ask", BUDAPEST_QUESTION, "--json", url=seeded.url, tmp=tmp)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["answered"]
    assert answer["citations"][0]["article_id"] == BUDAPEST_ARTICLE
    assert not (tmp / "unused-local-index").exists(), "server mode must not create a local index"


def test_the_eval_runner_works_against_the_server(settings: Settings):
    questions = load_questions(DEFAULT_QUESTIONS)[:5]
    run = run_eval(questions, settings, k=5)
    assert run.summary["n"] == 5
    assert run.summary["doc_hit_at_k"] >= 0.8


def test_the_lexical_index_follows_an_ingest_by_another_process(settings: Settings, tmp: Path):
    before = ask(BRIDGE_QUESTION, settings=settings)
    generation = get_resources(settings).corpus.get().generation
    assert not any(c.article_id == "bridge" for c in before.citations)

    folder = tmp / "more"
    folder.mkdir()
    (folder / "bridge.txt").write_text(BRIDGE_ARTICLE, encoding="utf-8")
    result = qa("ingest", str(folder), url=settings.store.chroma_url, tmp=tmp)
    assert result.returncode == 0 and "1 added" in result.stdout, result.stderr

    after = ask(BRIDGE_QUESTION, settings=settings)
    assert get_resources(settings).corpus.get().generation != generation
    assert after.answered and after.citations[0].article_id == "bridge"
    assert after.passages[0].lexical_score, "the new article is scored by the rebuilt BM25 index"


def test_a_stopped_server_gives_one_clear_line_and_the_app_recovers(
    seeded: ChromaServer, settings: Settings, tmp: Path
):
    assert ask(BUDAPEST_QUESTION, settings=settings).answered  # handles cached and warm
    seeded.stop()
    try:
        with pytest.raises(StoreUnavailableError) as raised:
            ask(BUDAPEST_QUESTION, settings=settings)
        assert seeded.url in str(raised.value) and "\n" not in str(raised.value)

        result = qa("ask", BUDAPEST_QUESTION, url=seeded.url, tmp=tmp)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:") and seeded.url in lines[0], result.stderr
    finally:
        seeded.start()  # same port, same folder

    answer = ask(BUDAPEST_QUESTION, settings=settings)  # same process, no restart
    assert answer.answered and answer.citations[0].article_id == BUDAPEST_ARTICLE
