"""The question set itself, and the runner end to end on a fresh seed index."""

import json
from pathlib import Path

import pytest

from eval.questions import (
    BLIND_QUESTIONS,
    BLIND_WHICH_QUESTIONS,
    DEFAULT_QUESTIONS,
    ENGLISH_QUESTIONS,
    HELDOUT_QUESTIONS,
    KIND_QUESTIONS,
    LANGS,
    WHICH_QUESTIONS,
    load_questions,
)
from tests.conftest import SEEDS, run_python_m_eval
from vectorstore.articles import load_article
from vectorstore.errors import NewsQAError

QUESTIONS = load_questions(DEFAULT_QUESTIONS)
ARTICLES = {a.id: a for a in (load_article(p, 10**7) for p in SEEDS.glob("*.txt"))}


@pytest.mark.parametrize(
    "path",
    [
        DEFAULT_QUESTIONS,
        HELDOUT_QUESTIONS,
        KIND_QUESTIONS,
        BLIND_QUESTIONS,
        ENGLISH_QUESTIONS,
        WHICH_QUESTIONS,
        BLIND_WHICH_QUESTIONS,
    ],
    ids=["questions", "heldout", "kinds", "blind", "english", "which", "blind-which"],
)
def test_every_evidence_string_is_verbatim_in_one_of_its_sources(path: Path):
    for q in load_questions(path):
        assert not q.answerable or (q.evidence and q.answer_keywords), q.id
        for evidence in q.evidence:
            assert any(evidence in ARTICLES[s].body for s in q.sources), (q.id, evidence)


def test_the_set_covers_every_language_and_unanswerable_questions():
    assert len(QUESTIONS) >= 60
    for lang in LANGS:
        assert sum(q.lang == lang for q in QUESTIONS) >= 15
    unanswerable = [q for q in QUESTIONS if not q.answerable]
    assert len(unanswerable) >= 8
    assert all(not (q.sources or q.evidence or q.answer_keywords) for q in unanswerable)
    assert sum(len(q.sources) >= 2 for q in QUESTIONS) >= 4


def test_malformed_question_files_give_a_clear_error(tmp_path: Path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "x", "question": "?", "lang": "fr", "answerable": false}\n', encoding="utf-8")
    with pytest.raises(NewsQAError, match="lang must be one of"):
        load_questions(bad)
    bad.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(NewsQAError, match=":1: not valid JSON"):
        load_questions(bad)


@pytest.mark.slow
def test_runner_end_to_end_writes_json_report_and_applies_bars(seed_settings, tmp_path: Path):
    subset = tmp_path / "few.jsonl"
    lines = DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
    picked = [lines[0], lines[25], lines[50], next(x for x in lines if '"answerable": false' in x)]
    subset.write_text("\n".join(picked) + "\n", encoding="utf-8")
    out, report = tmp_path / "out.json", tmp_path / "report"
    flags = ["--k", "5", "--json-out", str(out), "--report", str(report)]
    run = run_python_m_eval(subset, seed_settings.store.index_dir, *flags)
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    keys = {
        "n",
        "hit_at_k",
        "mrr",
        "doc_hit_at_k",
        "keyword_recall",
        "citation_precision",
        "abstention_accuracy",
        "false_abstention_rate",
        "latency_p50_ms",
        "latency_p95_ms",
    }
    assert keys <= set(data) and data["n"] == 4
    assert set(data["by_lang"]) == set(LANGS) and keys <= set(data["by_lang"]["vi"])
    assert len(data["questions"]) == 4
    assert (report / "report.md").read_text(encoding="utf-8").startswith("# Evaluation report")
    assert (report / "metrics_by_lang.png").stat().st_size > 1000
    assert "question 4/4" in run.stderr  # progress

    failing = run_python_m_eval(subset, seed_settings.store.index_dir, *flags, "--min-mrr", "1.01")
    assert failing.returncode == 1 and "below the bar: mrr" in failing.stderr


def test_python_m_eval_refuses_a_set_whose_evidence_is_not_in_its_source_naming_the_line(seed_settings, tmp_path):
    lines = DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines()
    wrong = json.loads(lines[0]) | {"id": "made-up", "evidence": ["Một câu không có trong bài nào."]}
    subset = tmp_path / "few.jsonl"
    subset.write_text("\n".join([lines[1], json.dumps(wrong, ensure_ascii=False)]) + "\n", encoding="utf-8")
    run = run_python_m_eval(subset, seed_settings.store.index_dir)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{subset}:2 (made-up)" in run.stderr and "is not in its sources" in run.stderr
    assert "question 1/" not in run.stderr  # nothing was run half-way
