"""English news words in the articles' Vietnamese (`qa.glossary`)."""

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
