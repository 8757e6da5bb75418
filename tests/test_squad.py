"""A SQuAD-format file as an evaluation: conversion, left-out articles, bad files, a real run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.squad import load_squad, sample
from qa.settings import PROJECT_ROOT
from vectorstore.errors import NewsQAError


def _squad(articles: list[tuple[str, list[tuple[str, list[tuple[str, str, str | None]]]]]], version="1.1") -> dict:
    """articles: (title, [(context, [(id, question, answer or None for impossible)])])."""
    data = []
    for title, paragraphs in articles:
        ps = []
        for context, qas in paragraphs:
            entries = []
            for qid, question, answer in qas:
                entry = {"id": qid, "question": question}
                if answer is None:
                    entry.update(is_impossible=True, answers=[])
                else:
                    entry["answers"] = [{"text": answer, "answer_start": context.index(answer)}]
                entries.append(entry)
            ps.append({"context": context, "qas": entries})
        data.append({"title": title, "paragraphs": ps})
    return {"version": version, "data": data}


HANOI = (
    "Ha_Noi",
    [
        (
            "Hà Nội là thủ đô của Việt Nam. Thành phố có hơn 8 triệu dân vào năm 2023. Sông Hồng chảy qua thành phố.",
            [("h1", "Hà Nội có bao nhiêu dân?", "8 triệu"), ("h2", "Sông nào chảy qua Hà Nội?", "Sông Hồng")],
        )
    ],
)
HUE = (
    "Hue",
    [
        (
            "Huế là cố đô của triều Nguyễn. Kinh thành Huế được xây dựng từ năm 1805.",
            [("u1", "Kinh thành Huế xây năm nào?", "1805")],
        )
    ],
)
CAN_THO = (
    "Can_Tho",
    [("Cần Thơ nằm bên sông Hậu. Chợ nổi Cái Răng họp từ sáng sớm.", [("c1", "Chợ nổi nào ở Cần Thơ?", "Cái Răng")])],
)


def _write(path: Path, obj: dict) -> Path:
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_squad_file_becomes_articles_and_questions_in_three_forms(tmp_path: Path):
    vi = _write(tmp_path / "vi.json", _squad([HANOI, HUE]))
    en = _write(
        tmp_path / "en.json",
        {
            "data": [
                {"title": "x", "paragraphs": [{"context": "", "qas": [{"id": "h1", "question": "How many people?"}]}]}
            ]
        },
    )
    squad = load_squad(vi, en)
    assert [a.title for a in squad.articles] == ["Ha Noi", "Hue"]
    by_id = {q.id: q for q in squad.questions}
    assert by_id["h1:vi"].question == "Hà Nội có bao nhiêu dân?"
    assert by_id["h1:vi-noaccent"].question == "ha noi co bao nhieu dan?"
    assert by_id["h1:en"].question == "How many people?"
    assert "h2:en" not in by_id  # no parallel question: no English form
    # The evidence is the whole sentence holding the answer span, the keyword the answer.
    assert by_id["h1:vi"].evidence == ("Thành phố có hơn 8 triệu dân vào năm 2023.",)
    assert by_id["h1:vi"].answer_keywords == (("8 triệu",),)
    assert by_id["u1:vi"].sources == (squad.articles[1].id,)
    assert all(q.evidence[0] in squad.articles[0].as_markdown() for q in squad.questions if q.id.startswith("h"))


def test_left_out_articles_are_the_same_whatever_the_order_and_their_questions_unanswerable(tmp_path: Path):
    one = load_squad(_write(tmp_path / "a.json", _squad([HANOI, HUE, CAN_THO])), leave_out=1)
    two = load_squad(_write(tmp_path / "b.json", _squad([CAN_THO, HANOI, HUE])), leave_out=1)
    assert [a.title for a in one.left_out] == [a.title for a in two.left_out]
    left = one.left_out[0]
    unanswerable = [q for q in one.questions if one.origin[q.id] == left.id]
    assert unanswerable and all(not q.answerable and not q.sources and not q.evidence for q in unanswerable)
    assert left.title not in [a.title for a in one.articles]
    # Another rotation leaves out another article.
    other = load_squad(_write(tmp_path / "c.json", _squad([HANOI, HUE, CAN_THO])), leave_out=1, rotation=1)
    assert other.left_out[0].title != left.title


def test_squad_v2_impossible_questions_are_unanswerable(tmp_path: Path):
    article = ("Hue", [(HUE[1][0][0], [("u1", "Kinh thành Huế xây năm nào?", "1805"), ("u2", "Ai xây cầu?", None)])])
    squad = load_squad(_write(tmp_path / "v2.json", _squad([article], version="v2.0")))
    by_id = {q.id: q for q in squad.questions}
    assert by_id["u1:vi"].answerable and not by_id["u2:vi"].answerable


def test_a_fixed_sample_keeps_each_question_in_every_language(tmp_path: Path):
    squad = load_squad(_write(tmp_path / "a.json", _squad([HANOI, HUE, CAN_THO])))
    drawn = sample(squad.questions, 2)
    assert drawn == sample(squad.questions, 2)
    bases = {q.id.rsplit(":", 1)[0] for q in drawn}
    assert len(bases) == 2 and len(drawn) == 4  # vi and vi-noaccent of each


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("{not json", "not valid JSON"),
        ('{"version": "1.1"}', "no top-level 'data' list"),
        (
            '{"data": [{"title": "A", "paragraphs": [{"qas": []}]}]}',
            "data[0] (A) paragraphs[0]: missing or malformed 'context'",
        ),
        (
            '{"data": [{"title": "A", "paragraphs": [{"context": "x", "qas": [{"id": "1"}]}]}]}',
            "qas[0]: missing or malformed 'question'",
        ),
    ],
)
def test_a_malformed_file_gets_one_line_naming_the_place(tmp_path: Path, content: str, where: str):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(NewsQAError, match=None) as raised:
        load_squad(path)
    assert where in str(raised.value) and "\n" not in str(raised.value)
    run = subprocess.run(
        [sys.executable, "-m", "eval.squad", str(path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2 and where in run.stderr and "Traceback" not in run.stderr


def test_the_runner_ingests_into_its_own_index_and_prints_every_language(tmp_path: Path):
    vi = _write(tmp_path / "vi.json", _squad([HANOI, HUE, CAN_THO]))
    out = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, "-m", "eval.squad", str(vi), "--leave-out", "1", "--json-out", str(out)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result["by_lang"]) == {"vi", "vi-noaccent"}
    assert "| mrr |" in run.stdout
    answerable = [q for q in result["questions"] if q["answerable"]]
    assert answerable and all(q["rank"] is not None for q in answerable)
    assert not (PROJECT_ROOT / ".index" / "squad").exists()
