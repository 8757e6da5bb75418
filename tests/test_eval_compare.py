"""`python -m eval.compare`: metric changes and the questions that moved between two runs."""

import json
from pathlib import Path

from eval.compare import compare, main


def run(mrr: float, questions: list[dict]) -> dict:
    return {
        "n": len(questions),
        "mrr": mrr,
        "by_lang": {"vi": {"n": len(questions), "mrr": mrr}},
        "questions": questions,
    }


def question(qid: str, rank: int | None, answered: bool = True) -> dict:
    return {
        "id": qid,
        "lang": "vi",
        "question": f"câu hỏi {qid}?",
        "answered": answered,
        "rank": rank,
        "keyword_recall": 1.0,
        "citations_good": 1,
        "citations_total": 1,
        "latency_ms": 20.0 + len(qid),
    }


def test_changed_metrics_and_questions_are_shown_and_unchanged_ones_are_not():
    before = run(0.5, [question("q1", None), question("q2", 1), question("q3", 1)])
    after = run(0.75, [question("q1", 1), question("q2", 1), question("q4", 2, answered=False)])

    text = compare(before, after)

    assert "| mrr | 0.500 → 0.750 | 0.500 → 0.750 |" in text
    assert "| n | = | = |" in text
    assert "- q1 (vi): rank – → 1 — câu hỏi q1?" in text
    assert "q2" not in text, "an unchanged question is not listed"
    assert "- q3: only in the first run" in text and "- q4: only in the second run" in text


def test_identical_runs_say_so(tmp_path: Path):
    same = run(0.5, [question("q1", 2)])
    assert compare(same, same).endswith("No question's outcome changed.")


def test_files_that_are_not_eval_output_get_a_clear_error(tmp_path: Path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(run(0.5, [question("q1", 1)])), encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "latin1.json").write_bytes('{"tên": 1}'.encode("latin-1"))

    assert main([str(good), str(good)]) == 0
    assert "No question's outcome changed." in capsys.readouterr().out
    for name, message in [
        ("missing.json", "cannot read"),
        ("list.json", "not a file written by `python -m eval --json-out`"),
        ("broken.json", "not valid JSON"),
        ("latin1.json", "not valid JSON"),
    ]:
        assert main([str(good), str(tmp_path / name)]) == 2
        assert message in capsys.readouterr().err
