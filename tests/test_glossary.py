"""English news words in the articles' Vietnamese (`qa.glossary`)."""

from pathlib import Path

import pytest

from qa import glossary
from qa.glossary import vietnamese_words


def test_each_word_gets_its_first_rendering_the_articles_contain():
    assert vietnamese_words("Why was the summit cancelled?", {"thượng đỉnh", "hủy"}.__contains__) == [
        "thượng đỉnh",
        "hủy",
    ]
    assert vietnamese_words("the summit", {"hội nghị thượng đỉnh"}.__contains__) == ["hội nghị thượng đỉnh"]
    assert vietnamese_words("the summit", set().__contains__) == [], "a rendering the articles lack is left out"


def test_a_phrase_wins_over_the_words_inside_it_and_each_rendering_comes_once():
    known = {"điện đàm", "gọi"}.__contains__
    assert vietnamese_words("After the phone call, Trump called again.", known) == ["điện đàm", "gọi"]
    assert vietnamese_words("a phone call and another phone call", known) == ["điện đàm"]


def test_words_match_whole_and_in_any_case():
    known = {"trừng phạt"}.__contains__
    assert vietnamese_words("SANCTIONS on oil", known) == ["trừng phạt"]
    assert vietnamese_words("unsanctionable", known) == []


@pytest.fixture()
def own_glossary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`qa.glossary` reading a list written here instead of the shipped one."""

    def use(text: str) -> None:
        path = tmp_path / "glossary.tsv"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(glossary, "_GLOSSARY_FILE", path)
        glossary._glossary.cache_clear()

    yield use
    glossary._glossary.cache_clear()


def test_a_form_written_with_capitals_is_found_in_any_case(own_glossary):
    own_glossary("# a comment\nGDP|Gross Domestic Product\ttổng sản phẩm quốc nội|GDP\n")
    known = {"tổng sản phẩm quốc nội"}.__contains__
    for question in ("What was the GDP growth?", "gdp growth", "Gross domestic product in 2025"):
        assert vietnamese_words(question, known) == ["tổng sản phẩm quốc nội"], question
