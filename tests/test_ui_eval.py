"""The chat page's evaluation tab without a browser: its Run handler against the running
app's index gives the numbers of `python -m eval`, bad files are refused whole with one
line, a cancelled run says how far it got, and a SQuAD set never touches the index."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ui
from eval import session
from eval.questions import DEFAULT_QUESTIONS, LANGS, read_questions
from eval.runner import METRICS
from qa.catalog import list_articles
from tests.conftest import BUDAPEST_ARTICLE, run_python_m_eval
from tests.ui_server import RunningApp, shared_app

QUESTION_LINES = DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
# Latency differs from run to run; every other metric must be equal.
TIMED = {"latency_p50_ms", "latency_p95_ms"}
BUDAPEST_EVIDENCE = "Hungary đã rút khỏi Tòa án Hình sự quốc tế (ICC)"


@pytest.fixture(scope="session")
def app() -> RunningApp:
    return shared_app()


def write_set(path: Path, lines: list[str | dict]) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    return path


def repeated_questions(copies: int) -> list[dict]:
    """The bundled set `copies` times over, each copy's ids made unique: a run long enough
    to watch and to cancel."""
    questions = [json.loads(line) for line in QUESTION_LINES]
    return [{**q, "id": f"{q['id']}-{n}"} for n in range(copies) for q in questions]


def a_failing_question(qid: str = "must-fail", keyword: str = "từ-không-có-trong-bài") -> dict:
    """Answerable, with evidence that is in its source, and a keyword no answer can hold."""
    return {
        "id": qid,
        "question": "Vì sao ông Putin có thể đến Budapest mà không bị bắt?",
        "lang": "vi",
        "answerable": True,
        "sources": [BUDAPEST_ARTICLE],
        "evidence": [BUDAPEST_EVIDENCE],
        "answer_keywords": [[keyword]],
    }


def run_tab(app: RunningApp, upload: Path | None, k: int = 5, choice: str = ui.UPLOADED_SET) -> dict[str, Any]:
    """Drive the tab's Run handler as Gradio does; the downloads are read while the run
    still holds them (their folder goes when it ends)."""
    run, _ = ui.make_eval_events(app.settings)
    seen: dict[str, Any] = {"statuses": []}
    for status, table, chart, failures, json_file, report_file in run(
        choice, str(upload) if upload else None, k, "extractive", gr.Request(session_hash="api-test")
    ):
        seen["statuses"].append(status)
        if isinstance(json_file, gr.DownloadButton) and json_file.value:
            seen.update(
                table=table,
                chart=Path(chart.value["path"]).stat().st_size if chart else 0,
                failures=failures,
                json=json.loads(Path(json_file.value["path"]).read_text(encoding="utf-8")),
                report=Path(report_file.value["path"]).read_text(encoding="utf-8"),
            )
    return seen


@pytest.mark.slow
def test_the_tab_gives_the_numbers_of_python_m_eval_on_the_same_set_and_index(app: RunningApp, tmp_path: Path):
    picked = [QUESTION_LINES[i] for i in (0, 1, 20, 30, 45, 60)] + [
        x for x in QUESTION_LINES if '"answerable": false' in x
    ][:2]
    subset = write_set(tmp_path / "subset.jsonl", picked)
    shown = run_tab(app, subset, k=3)

    out = tmp_path / "cli.json"
    cli = run_python_m_eval(subset, app.settings.store.index_dir, "--k", "3", "--json-out", str(out))
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(out.read_text(encoding="utf-8"))
    tab = shown["json"]
    assert tab["n"] == expected["n"] == len(picked) and tab["planned"] == len(picked)
    for metric in set(METRICS) - TIMED:
        assert tab[metric] == expected[metric], metric
        for lang in expected["by_lang"]:
            assert tab["by_lang"][lang][metric] == expected["by_lang"][lang][metric], (lang, metric)
    per_question = ("id", "rank", "answered", "keyword_recall", "citations_good", "citations_total", "failed")
    assert [{k: q[k] for k in per_question} for q in tab["questions"]] == [
        {k: q[k] for k in per_question} for q in expected["questions"]
    ]
    assert "| mrr |" in shown["table"] and f"| {expected['mrr']:.3f} |" in shown["table"]
    assert shown["chart"] > 1000
    assert shown["report"].startswith("# Evaluation report") and "--k 3" in shown["report"]
    assert "Done: 8 câu hỏi / questions" in shown["statuses"][-1]


@pytest.mark.slow
def test_a_failed_question_links_its_markers_to_highlighted_source_cards(app: RunningApp, tmp_path: Path):
    upload = write_set(tmp_path / "fails.jsonl", [a_failing_question(keyword="<b>zzz</b>")])
    shown = run_tab(app, upload)
    failures = shown["failures"]
    assert 'data-question-id="must-fail"' in failures and "Failed questions (1 of 1)" in failures
    assert "missing keywords: &lt;b&gt;zzz&lt;/b&gt;" in failures and "<b>zzz" not in failures
    assert 'href="#src-eval0-1"' in failures and 'id="src-eval0-1"' in failures
    assert f'data-article-id="{BUDAPEST_ARTICLE}"' in failures and "<mark>" in failures
    assert "### must-fail (vi) — missing keywords: <b>zzz</b>" in shown["report"]
    assert [q["failed"] for q in shown["json"]["questions"]] == [True]


BAD_SETS = {
    "malformed line": (
        "bad.jsonl",
        [QUESTION_LINES[0], "{not json"],
        "bad.jsonl:2: not valid JSON",
    ),
    "evidence not in its source": (
        "bad.jsonl",
        [QUESTION_LINES[0], QUESTION_LINES[1], {**a_failing_question("q-x"), "evidence": ["Hà Nội mưa to"]}],
        "bad.jsonl:3 (q-x): evidence 'Hà Nội mưa to' is not in its sources " + BUDAPEST_ARTICLE,
    ),
    "source not in the index": (
        "bad.jsonl",
        [{**a_failing_question("q-y"), "sources": ["no_such_article"]}],
        "bad.jsonl:1 (q-y): source article 'no_such_article' is not in the index",
    ),
    "answerable without evidence": (
        "bad.jsonl",
        [{**a_failing_question("q-z"), "evidence": []}],
        "bad.jsonl:1 (q-z): an answerable question needs evidence",
    ),
    "repeated id": ("bad.jsonl", [QUESTION_LINES[0], QUESTION_LINES[0]], "bad.jsonl:2: question id 'q01' is already"),
    "empty": ("empty.jsonl", ["", "  "], "empty.jsonl: no questions"),
    "not a question file": ("notes.txt", ["hello"], "notes.txt: a question set is a .jsonl file"),
    "not SQuAD": ("set.json", ['{"questions": []}'], "set.json: not a SQuAD file"),
}


@pytest.mark.parametrize("case", list(BAD_SETS))
def test_a_bad_set_is_refused_whole_with_one_line_naming_the_place(app: RunningApp, tmp_path: Path, case: str):
    name, lines, message = BAD_SETS[case]
    upload = write_set(tmp_path / name, lines)
    with pytest.raises(ui.NewsQAError) as error:
        session.load_question_set(upload, name, app.settings)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
    assert str(tmp_path) not in str(error.value), "the server's path is never shown"


def test_a_set_over_the_limit_is_refused_at_the_first_line_past_it(app: RunningApp, tmp_path: Path):
    upload = write_set(tmp_path / "big.jsonl", [""] + QUESTION_LINES[:4])
    with pytest.raises(ui.NewsQAError, match=r"^big.jsonl:5: more than 3 questions, the most one run takes$"):
        session.load_question_set(upload, "big.jsonl", app.settings.with_(max_eval_questions=3))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
QUESTION_LIKE = st.fixed_dictionaries(
    {
        "id": st.text(max_size=6) | st.integers(),
        "question": st.text(max_size=30),
        "lang": st.sampled_from([*LANGS, "fr"]),
        "answerable": st.booleans(),
    },
    optional={
        "sources": st.lists(st.sampled_from([BUDAPEST_ARTICLE, "nowhere"]), max_size=2) | JSON_VALUES,
        "evidence": st.lists(st.sampled_from([BUDAPEST_EVIDENCE, "", "khác"]), max_size=2) | JSON_VALUES,
        "answer_keywords": st.lists(st.lists(st.text(max_size=8), max_size=2), max_size=2) | JSON_VALUES,
    },
)
SQUAD_LIKE = st.fixed_dictionaries(
    {"data": st.lists(st.fixed_dictionaries({"title": JSON_VALUES, "paragraphs": JSON_VALUES}), max_size=2)}
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(["set.jsonl", "set.json"]),
    lines=st.lists(st.text(max_size=30) | (JSON_VALUES | QUESTION_LIKE | SQUAD_LIKE).map(json.dumps), max_size=4),
)
def test_any_file_is_a_question_set_or_one_line_of_error(app: RunningApp, tmp_path: Path, name: str, lines: list):
    upload = tmp_path / name
    upload.write_text("\n".join(lines), encoding="utf-8")
    try:
        question_set = session.load_question_set(upload, name, app.settings)
    except ui.NewsQAError as exc:
        assert str(exc).startswith(name) and "\n" not in str(exc) and str(tmp_path) not in str(exc)
    else:
        assert question_set.questions


def test_the_page_shows_a_bad_set_as_one_message_and_runs_nothing(app: RunningApp, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(session, "run_eval", lambda *a, **k: pytest.fail("a bad set must not run"))
    upload = write_set(tmp_path / "bad.jsonl", [QUESTION_LINES[0], "{not json"])
    shown = run_tab(app, upload)
    assert 'class="error"' in shown["statuses"][-1] and "bad.jsonl:2: not valid JSON" in shown["statuses"][-1]
    assert "json" not in shown
    nothing = run_tab(app, None)
    assert "choose a question file first" in nothing["statuses"][-1]


def test_the_template_holds_one_question_of_each_kind_in_the_format():
    questions = [q for _, q in read_questions(session.TEMPLATE.read_text(encoding="utf-8"), "template.jsonl")]
    assert [(q.answerable, len(q.sources)) for q in questions] == [(True, 1), (True, 2), (False, 0)]
    for q in questions:
        assert not q.answerable or all(q.answer_keywords) and q.evidence


def test_the_template_is_refused_on_an_index_without_its_articles(app: RunningApp):
    with pytest.raises(ui.NewsQAError, match="template.jsonl:1 .*'article_id_1' is not in the index"):
        session.load_question_set(session.TEMPLATE, "template.jsonl", app.settings)


@pytest.mark.slow
def test_a_cancelled_run_says_how_many_questions_it_ran(app: RunningApp, tmp_path: Path):
    question_set = session.load_question_set(
        write_set(tmp_path / "five.jsonl", QUESTION_LINES[:5]), "five.jsonl", app.settings
    )
    steps: list[session.Step] = []
    outcome = session.run_question_set(
        question_set, app.settings, 5, progress=steps.append, stop=lambda: len(steps) >= 2
    )
    assert [(s.stage, s.done, s.total) for s in steps] == [("asking", 1, 5), ("asking", 2, 5)]
    assert not outcome.run.complete and len(outcome.run.details) == 2 and outcome.run.summary["n"] == 2
    json_path, report_path, _ = session.write_outputs(outcome, tmp_path / "out")
    assert json.loads(json_path.read_text(encoding="utf-8"))["planned"] == 5
    assert "Stopped after 2 of 5 questions" in report_path.read_text(encoding="utf-8")
    assert "Stopped after 2 of 5 questions" in ui.eval_status_html(outcome)


@pytest.mark.slow
def test_closing_the_stream_stops_its_run(app: RunningApp, tmp_path: Path):
    many = repeated_questions(4)
    question_set = session.load_question_set(write_set(tmp_path / "many.jsonl", many), "many.jsonl", app.settings)
    stop = threading.Event()
    stream = session.run_steps(question_set, app.settings, 5, stop)
    first = next(stream)
    assert isinstance(first, session.Step) and first.total == len(many)
    stream.close()
    assert stop.is_set()
    deadline = time.monotonic() + 5  # the question in hand; the whole set takes several times longer
    while any(t.name == "newsqa-eval" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "newsqa-eval" for t in threading.enumerate())


HANOI = "Hà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân vào năm 2023."
SQUAD = {
    "version": "2.0",
    "data": [
        {
            "title": "Ha_Noi",
            "paragraphs": [
                {
                    "context": HANOI,
                    "qas": [
                        {
                            "id": "h1",
                            "question": "Hà Nội có bao nhiêu dân?",
                            "answers": [{"text": "8 triệu", "answer_start": HANOI.index("8 triệu")}],
                        },
                        {"id": "h2", "question": "Hà Nội có bao nhiêu quận?", "answers": [], "is_impossible": True},
                    ],
                }
            ],
        }
    ],
}


@pytest.mark.slow
def test_a_squad_set_runs_on_its_own_temporary_index_and_leaves_the_users_alone(app: RunningApp, tmp_path: Path):
    upload = tmp_path / "hanoi.json"
    upload.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    before = [(r.id, r.content_hash) for r in list_articles(app.settings)]
    question_set = session.load_question_set(upload, "hanoi.json", app.settings)
    steps: list[session.Step] = []
    outcome = session.run_question_set(question_set, app.settings, 5, progress=steps.append)
    assert [(r.id, r.content_hash) for r in list_articles(app.settings)] == before
    assert {s.stage for s in steps} == {session.INDEXING, session.ASKING}
    assert outcome.run.complete and outcome.run.summary["n"] == 4  # each question as written and without diacritics
    assert outcome.command == "python -m eval.squad hanoi.json --k 5 --mode extractive"
    for record in outcome.records.values():
        assert record is not None and record.id.startswith("000_Ha_Noi")  # read before the index went
    with pytest.raises(ui.NewsQAError, match="hanoi.json: 4 questions .* more than 3"):
        session.load_question_set(upload, "hanoi.json", app.settings.with_(max_eval_questions=3))
