"""The `qa` command end to end, as a user runs it, on a fresh index in a temporary folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa import cli
from tests.conftest import BUDAPEST_ARTICLE, SEEDS


def qa(*args: str, index_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env["NEWSQA_INDEX_DIR"] = str(index_dir)
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def assert_one_line_error(result: subprocess.CompletedProcess, needle: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0], result.stderr


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("cli-index")
    result = qa("ingest", str(SEEDS), index_dir=index_dir)
    assert result.returncode == 0, result.stderr
    assert "5 added" in result.stdout
    assert "embedding sentences" in result.stderr
    return index_dir


def test_ask_prints_a_cited_answer(cli_index: Path):
    result = qa("ask", "Vì sao Budapest được chọn làm nơi tổ chức hội nghị thượng đỉnh?", index_dir=cli_index)
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and BUDAPEST_ARTICLE in result.stdout


def test_ask_json_is_the_result_type(cli_index: Path):
    result = qa("ask", "Why was Budapest chosen to host the summit?", "--json", "--k", "3", index_dir=cli_index)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answered"] is True and data["language"] == "en"
    assert len(data["passages"]) == 3
    assert {"n", "article_id", "title", "date", "text", "start", "end"} <= set(data["citations"][0])
    assert data["timings_ms"]["total"] > 0


def test_reingest_through_the_cli_embeds_nothing(cli_index: Path):
    result = qa("ingest", str(SEEDS), index_dir=cli_index)
    assert result.returncode == 0 and "5 unchanged" in result.stdout and "0 sentences embedded" in result.stdout


@pytest.mark.parametrize(
    ("question", "needle"),
    [("", "empty"), ("   ?!  ", "empty"), ("x" * 2001, "limit is 2,000")],
)
def test_bad_questions_give_one_clear_line(cli_index: Path, question: str, needle: str):
    assert_one_line_error(qa("ask", question, index_dir=cli_index), needle)


def test_missing_index_says_what_to_run(tmp_path: Path):
    assert_one_line_error(qa("ask", "Budapest?", index_dir=tmp_path / "nothing"), "qa ingest")


def test_missing_article_path_is_reported(tmp_path: Path):
    assert_one_line_error(qa("ingest", str(tmp_path / "nope"), index_dir=tmp_path / "idx"), "no such file")


def test_chat_loop_answers_until_end_of_input(cli_index: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env["NEWSQA_INDEX_DIR"] = str(cli_index)
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "chat"],
        input="Ai là Ngoại trưởng Nga?\n\nCòn Hungary thì sao?\n",
        capture_output=True,
        check=False,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[1]") >= 2


def test_ui_on_a_public_host_without_a_password_refuses_to_start(tmp_path: Path):
    result = qa("ui", "--host", "0.0.0.0", index_dir=tmp_path / "idx")
    assert_one_line_error(result, "set NEWSQA_AUTH_USER and NEWSQA_AUTH_PASSWORD")
    assert "--no-auth" in result.stderr


def test_ui_with_no_auth_serves_a_public_host_with_a_warning(monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path):
    import ui

    served: list[dict] = []

    class Page:
        def launch(self, **options) -> None:
            served.append(options)

    monkeypatch.setattr(ui, "build_app", lambda settings: Page())
    for name in [k for k in os.environ if k.startswith("NEWSQA_")]:
        monkeypatch.delenv(name)
    args = ["ui", "--host", "0.0.0.0", "--no-auth", "--index-dir", str(tmp_path)]
    assert cli.main(args) == 0
    assert served and served[0]["server_name"] == "0.0.0.0" and served[0]["auth"] is None
    warning = capsys.readouterr().err
    assert warning.startswith("warning:") and "without a password" in warning and len(warning.splitlines()) == 1


def test_ingest_progress_says_how_long_is_left_until_it_is_done(capsys):
    line = cli._ProgressLine()
    line(10, 40, "a1")
    middle = capsys.readouterr().err
    line(40, 40, "a2")
    last = capsys.readouterr().err
    assert "10/40" in middle and "s left" in middle
    assert "40/40" in last and "left" not in last and last.endswith("\n")
