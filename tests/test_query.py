"""Question analysis: what a question names, read the way the articles write it."""

import pytest

from qa.query import detect_language, names, question_dates, question_parts
from vectorstore.lexical import pair_term


@pytest.mark.parametrize(
    ("question", "dates"),
    [
        ("What did Trump say on 6 October 2025?", [pair_term("6", "10")]),
        ("the October 16 phone call", [pair_term("16", "10")]),
        ("on the 1st of March and on Feb. 3rd", [pair_term("1", "3"), pair_term("3", "2")]),
        ("Ông Putin nói gì hôm 16/10 và ngày 17-10?", [pair_term("16", "10"), pair_term("17", "10")]),
        ("in February, 50/50 odds, tháng 10-2024, may 40 be", []),
    ],
)
def test_dates_a_question_names_are_read_as_the_articles_write_them(question, dates):
    assert question_dates(question) == dates


@pytest.mark.parametrize(
    ("question", "found"),
    [
        ("Theo Lavrov, ở Alaska ông Putin đã làm gì?", ["Lavrov", "Alaska", "Putin"]),
        ("Ông Tập Cận Bình nói gì về Budapest?", ["Tập Cận Bình", "Budapest"]),
        ("Budapest được chọn vì sao?", []),
        ("Hai ông Putin – Trump gặp nhau", ["Putin", "Trump"]),
    ],
)
def test_names_leave_out_the_sentence_case_of_the_first_word(question, found):
    assert names(question) == found


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "Ai đề xuất gặp ở Budapest, và ông Putin đáp lại thế nào?",
            ["Ai đề xuất gặp ở Budapest", "ông Putin đáp lại thế nào?"],
        ),
        ("ngay nao, keo dai bao lau va dat duoc gi", ["ngay nao", "keo dai bao lau", "dat duoc gi"]),
        # Pieces that ask nothing belong to a question: a lead-in, a name pair, a tail.
        ("Theo ông Peskov, điều cấp bách là gì?", ["Theo ông Peskov, điều cấp bách là gì?"]),
        ("Vì sao đối đầu giữa Nga và Mỹ là nghịch lý?", ["Vì sao đối đầu giữa Nga và Mỹ là nghịch lý?"]),
        ("Ai ký, và khi nào, theo Reuters?", ["Ai ký", "khi nào, theo Reuters?"]),
    ],
)
def test_a_question_is_split_into_the_questions_it_asks(question, parts):
    assert question_parts(question) == parts


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("What did José Mujica say about the war?", "en"),
        ("Why did Pérez visit São Paulo?", "en"),
        ("Cà phê có giá bao nhiêu?", "vi"),  # only letters Western languages share, no English word
        ("Ông Trump nói gì về São Paulo?", "vi"),
        ("tai sao budapest duoc chon", "vi-noaccent"),
        ("why was Budapest chosen?", "en"),
    ],
)
def test_accented_western_names_do_not_make_an_english_question_vietnamese(question, lang):
    assert detect_language(question) == lang
