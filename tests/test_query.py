"""Question analysis: what a question names, read the way the articles write it."""

import pytest

from qa.query import question_dates


@pytest.mark.parametrize(
    ("question", "dates"),
    [
        ("What did Trump say on 6 October 2025?", ["b:6_10"]),
        ("the October 16 phone call", ["b:16_10"]),
        ("on the 1st of March and on Feb. 3rd", ["b:1_3", "b:3_2"]),
        ("Ông Putin nói gì hôm 16/10 và ngày 17-10?", ["b:16_10", "b:17_10"]),
        ("in February, 50/50 odds, tháng 10-2024, may 40 be", []),
    ],
)
def test_dates_a_question_names_are_read_as_the_articles_write_them(question, dates):
    assert question_dates(question) == dates
