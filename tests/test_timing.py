"""Dated answers and the timeline, on articles the test writes: a plan, its cancellation,
then "not needed for now", in three articles, and one article without a date."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings

from qa.catalog import ingest
from qa.cli import main
from qa.pipeline import ask
from qa.resources import get_store
from qa.settings import Settings
from qa.types import DateFilterCheck
from vectorstore.dates import Period

PLAN = "Hai nước thống nhất tổ chức hội nghị thượng đỉnh tại Đà Lạt để bàn về hiệp định thương mại."
CANCEL = "Hôm 18/3, Thủ tướng Lâm tuyên bố hủy hội nghị thượng đỉnh tại Đà Lạt vì hai bên còn bất đồng."
NOW = "Người phát ngôn hôm nay cho biết hiện tại không cần thiết tổ chức hội nghị thượng đỉnh tại Đà Lạt."


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("dated-articles")
    articles = {
        "plan.txt": ("2025-03-03", PLAN + " Giới chuyên gia kỳ vọng cuộc gặp sẽ mở ra giai đoạn hợp tác mới."),
        "cancel.txt": ("2025-03-20", CANCEL + " Phía đối tác bày tỏ tiếc nuối trước quyết định này."),
        "now.txt": ("2025-04-02", NOW + " Ông nói các bộ trưởng sẽ tiếp tục đàm phán về thuế quan."),
    }
    for name, (date, text) in articles.items():
        (folder / name).write_text(f" date {date} Ảnh minh họa.\n\n{text}\n", encoding="utf-8")
    (folder / "undated.txt").write_text(
        "Giá cà phê tại Tây Nguyên tăng mạnh. Ngày 5/3 giá đạt kỷ lục mới.\n", encoding="utf-8"
    )
    settings = make_settings(tmp_path_factory.mktemp("dated-index"))
    assert len(ingest([folder], settings).added) == 4
    return settings


def _quoted_order(answer) -> list[str]:
    return [c.article_id for c in answer.citations]


def test_sentence_dates_are_stored_in_chroma(dated: Settings):
    dates = get_store(dated).sentence_dates()
    by_text = {key[0]: periods for key, periods in dates.items()}
    assert by_text["cancel"] == (Period.from_list(["2025-03-18", "2025-03-18", "day"]),)
    assert by_text["now"][0].label() == "2025-04-02"
    assert "plan" not in by_text  # no date in its sentences: no metadata
    assert "undated" not in by_text  # "ngày 5/3" needs a year the article does not give


@pytest.mark.parametrize(
    "question",
    [
        "Hội nghị thượng đỉnh tại Đà Lạt còn được tổ chức không?",
        "hoi nghi thuong dinh tai Da Lat con duoc to chuc khong",
        "Is the Da Lat summit still going ahead?",
    ],
)
def test_a_question_about_the_present_quotes_the_latest_first_with_dates(dated: Settings, question: str):
    answer = ask(question, settings=dated)
    assert answer.answered, answer.checks
    order = _quoted_order(answer)
    assert order[0] == "now" and "cancel" in order, order
    assert order == sorted(order, key=["now", "cancel", "plan"].index)
    assert "(2025-04-02)" in answer.answer and "(2025-03-18)" in answer.answer
    assert answer.checks.extractive.time.latest_article == "now"
    assert answer.answer.rstrip().endswith("(2025-04-02).")


def test_a_question_about_order_quotes_the_oldest_first(dated: Settings):
    answer = ask("Diễn biến của hội nghị thượng đỉnh tại Đà Lạt?", settings=dated)
    order = _quoted_order(answer)
    assert order == sorted(order, key=["plan", "cancel", "now"].index) and len(order) >= 2, order


def test_a_date_filter_keeps_only_that_period(dated: Settings):
    answer = ask("Trước ngày 10/3, hội nghị thượng đỉnh tại Đà Lạt được quyết định thế nào?", settings=dated)
    assert answer.answered and {c.article_id for c in answer.citations} == {"plan"}
    assert answer.checks.extractive.time.filters == (DateFilterCheck("before", "2025-03-10", "ngày 10/3"),)
    answer = ask("After 15 March, what happened to the summit in Da Lat?", settings=dated)
    assert answer.citations and "plan" not in {c.article_id for c in answer.citations}


def test_a_question_without_time_words_is_answered_as_before(dated: Settings):
    answer = ask("Vì sao Thủ tướng Lâm hủy hội nghị thượng đỉnh tại Đà Lạt?", settings=dated)
    assert answer.checks.extractive.time is None and not answer.answer.startswith("(")


def test_an_impossible_date_is_named_and_not_used(dated: Settings):
    answer = ask("Sau ngày 32/13, hội nghị thượng đỉnh tại Đà Lạt ra sao?", settings=dated)
    assert any("32/13" in n and "không phải là một ngày" in n for n in answer.notices)


def test_a_filter_with_nothing_in_its_period_says_so(dated: Settings):
    answer = ask("Trong tháng 12, hội nghị thượng đỉnh tại Đà Lạt ra sao?", settings=dated)
    assert not answer.answered and any("tháng 12" in n for n in answer.notices)


def test_timeline_cli_prints_events_in_order(dated: Settings, capsys):
    assert main(["timeline", "--index-dir", str(dated.store.index_dir)]) == 0
    out = capsys.readouterr().out
    assert out.index("2025-03-18") < out.index("2025-04-02") and CANCEL in out and "cancel [" in out
    assert main(["timeline", "da lat", "--from", "2025-04", "--index-dir", str(dated.store.index_dir)]) == 0
    out = capsys.readouterr().out
    assert NOW in out and CANCEL not in out


@pytest.mark.parametrize("args", [["--from", "32/13"], ["--from", "2025-05", "--to", "2025-04"]])
def test_timeline_bad_dates_give_one_line(dated: Settings, capsys, args: list[str]):
    assert main(["timeline", *args, "--index-dir", str(dated.store.index_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1


def test_timeline_of_an_empty_folder_is_a_clear_error(tmp_path: Path, capsys):
    assert main(["timeline", "--index-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: no index")


def test_timeline_tab_links_each_event_to_its_highlighted_source(dated: Settings):
    from ui import make_timeline

    page = make_timeline(dated)("Đà Lạt", "2025-03-10", "")
    assert page.count('<details class="event">') == 2 and f"<mark>{CANCEL}</mark>" in page
    assert page.index("2025-03-18") < page.index("2025-04-02")
    assert "error" in make_timeline(dated)("", "32/13", "") and "32/13" in make_timeline(dated)("", "32/13", "")
