"""Dating sentences: the seed articles' dated sentences, checked by hand, and bad input."""

from __future__ import annotations

import datetime

import pytest
from conftest import SEEDS

from vectorstore.articles import load_article
from vectorstore.dates import mentions, parse_reference, sentence_periods
from vectorstore.text import split_sentences

# (article, a piece of the sentence, its dates as labels), read off the articles by hand:
# 000 and 004 have no date, so what needs one stays undated; 001 is of 2025-10-17, 002 of
# 2025-10-28 and 003 of 2025-11-02 (a Sunday: "tuần trước" is the week of 20-26 October).
SEED_DATES = [
    ("000_10bd9dba5d87f1eb", "ngày 16-10 vừa qua", ()),
    ("000_10bd9dba5d87f1eb", "từ tháng 10-2024", ("2024-10",)),
    ("000_10bd9dba5d87f1eb", "Ngày 6-10-2025, Tổng thống", ("2025-10-06",)),
    ("000_10bd9dba5d87f1eb", "Nhà Trắng ngày 17-10", ()),
    ("000_10bd9dba5d87f1eb", "trong những tuần tới", ()),
    ("000_10bd9dba5d87f1eb", "giữa tháng 8 vừa qua", ()),
    ("000_10bd9dba5d87f1eb", "31 năm trước, vào năm 1994", ("1994",)),
    ("000_10bd9dba5d87f1eb", "vào tháng 3-2023", ("2023-03",)),
    ("001_db0b2b193ebff8e5", "ở Alaska hồi tháng 8", ("2025-08",)),
    ("001_db0b2b193ebff8e5", "cho biết, hôm 16/10", ("2025-10-16",)),
    ("001_db0b2b193ebff8e5", "vào ngày 17/10", ("2025-10-17",)),
    ("001_db0b2b193ebff8e5", "tình trạng đối đầu hiện nay", ()),
    ("001_db0b2b193ebff8e5", "đến Washington hôm 16/10", ("2025-10-16",)),
    ("002_6255338c2fb240fd", "Lavrov ngày 27/10 nói", ("2025-10-27",)),
    ("002_6255338c2fb240fd", "Hôm 15/8, Tổng thống", ("2025-08-15",)),
    ("002_6255338c2fb240fd", "Sau cuộc điện đàm hôm 16/10", ("2025-10-16",)),
    ("003_5099deff2bd86761", "Peskov hôm nay lưu ý", ("2025-11-02",)),
    ("003_5099deff2bd86761", "tuyên bố hôm 2/11", ("2025-11-02",)),
    ("003_5099deff2bd86761", "ông Trump nói hôm 25/10", ("2025-10-25",)),
    ("003_5099deff2bd86761", "công bố hồi tuần trước", ("2025-10-20/2025-10-26",)),
    ("003_5099deff2bd86761", "hôm 22/10, ông Trump bất ngờ", ("2025-10-22",)),
    ("004_e11a6bc5fe998e6e", "đàm phán ngày 18/2", ()),
    ("004_e11a6bc5fe998e6e", "trong tháng này", ()),
    ("004_e11a6bc5fe998e6e", "vào ngày 19/4", ()),
    ("004_e11a6bc5fe998e6e", "hồi tháng 9/2024", ("2024-09",)),
    ("004_e11a6bc5fe998e6e", "vào ngày 23/2", ()),
    ("004_e11a6bc5fe998e6e", "trong tuần tới", ()),
]


def _sentence(article_id: str, piece: str, date: str | None = None) -> tuple[str, datetime.date | None]:
    article = load_article(SEEDS / f"{article_id}.txt", 2_000_000, None)
    found = [article.body[s:e] for s, e in split_sentences(article.body) if piece in article.body[s:e]]
    assert len(found) == 1, f"{piece!r} is in {len(found)} sentences of {article_id}"
    return found[0], parse_reference(article.date if date is None else date)


def test_every_hand_checked_seed_sentence_gets_its_dates():
    wrong = []
    for article_id, piece, expected in SEED_DATES:
        sentence, reference = _sentence(article_id, piece)
        got = tuple(p.label() for p in sentence_periods(sentence, reference))
        if got != expected:
            wrong.append((article_id, piece, got, expected))
    assert not wrong, f"{len(SEED_DATES) - len(wrong)}/{len(SEED_DATES)} right; wrong: {wrong}"


def test_an_undated_article_given_a_date_resolves_its_yearless_dates():
    sentence, reference = _sentence("000_10bd9dba5d87f1eb", "giữa tháng 8 vừa qua", "2025-10-20")
    assert [p.label() for p in sentence_periods(sentence, reference)] == ["2025-08-11/2025-08-20"]
    sentence, reference = _sentence("000_10bd9dba5d87f1eb", "31 năm trước", "2025-10-20")
    assert [p.label() for p in sentence_periods(sentence, reference)] == ["1994"]


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("ngày 28/12", "2025-01-05", ["2024-12-28"]),  # an early-January article: the December before
        ("ngày 3/1", "2025-12-28", ["2026-01-03"]),
        ("ngày 20/10 vừa qua", "2025-10-17", ["2024-10-20"]),  # "vừa qua": not after the article
        ("hom qua", "2025-03-01", ["2025-02-28"]),  # typed without diacritics
        ("tháng trước", "2025-01-15", ["2024-12"]),
        ("ngày 6 tháng 10 năm 2025", None, ["2025-10-06"]),
        ("On October 16, 2025, he said", None, ["2025-10-16"]),
        ("in mid-August", "2025-10-17", ["2025-08-11/2025-08-20"]),
        ("last week", "2025-11-02", ["2025-10-20/2025-10-26"]),
        ("3 years ago.", "2025-05-05", ["2022"]),
        ("it may rain in the spring", "2025-05-05", []),
        ("Ngày 29/2", "2025-10-17", ["2024-02-29"]),
        ("vào năm 9999", None, ["9999"]),  # far off, and shown as written
        # Where forms overlap the more precise and longer date wins, not the one that starts first.
        ("trusted him in September 2024, the poll said", "2025-11-02", ["2024-09"]),
        ("During the October 16 call, both sides", "2025-11-02", ["2025-10-16"]),
    ],
)
def test_date_forms(text: str, reference: str | None, expected: list[str]):
    assert [p.label() for p in sentence_periods(text, parse_reference(reference or ""))] == expected


@pytest.mark.parametrize("text", ["ngày 32/13", "ngày 30/2/2025", "5000 năm trước,", "tháng 13-2024"])
def test_impossible_dates_are_found_but_not_dated(text: str):
    (mention,) = mentions(text, datetime.date(2025, 10, 17))
    assert mention.period is None and mention.problem == "invalid"


def test_dates_that_need_the_article_date_stay_undated_without_one():
    found = mentions("hôm 16/10 và hôm qua, ngày 6-10-2025", None)
    assert [(m.text, m.problem) for m in found] == [
        ("hôm 16/10", "no_reference"),
        ("hôm qua", "no_reference"),
        ("ngày 6-10-2025", ""),
    ]


@pytest.mark.parametrize("value", ["", "2025-13-45", "not a date"])
def test_bad_article_dates_are_no_reference(value: str):
    assert parse_reference(value) is None


def test_a_sentence_with_two_dates_keeps_both():
    periods = sentence_periods("Ngày 6-10-2025 ông nói, nhưng ngày 17-10 ông đổi ý.", datetime.date(2025, 10, 20))
    assert [p.label() for p in periods] == ["2025-10-06", "2025-10-17"]
