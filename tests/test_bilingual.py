"""English names of places and institutions in the articles' Vietnamese (`qa.bilingual`)."""

from qa.bilingual import vietnamese_names, with_vietnamese_names


def _translate(text: str, known: set[str]) -> str:
    return with_vietnamese_names(text, vietnamese_names(text, known.__contains__))


def test_names_are_written_as_the_articles_write_them_article_and_all():
    known = {"Nga", "Trung Đông"}
    assert _translate("What is Russia's position on the Middle East?", known) == "What is Nga's position on Trung Đông?"


def test_the_first_variant_the_articles_contain_is_used_and_unknown_names_stay_english():
    assert _translate("Talks in Moscow", {"Mátxcơva"}) == "Talks in Mátxcơva"
    assert _translate("Talks in Moscow", {"Moscow", "Mátxcơva"}) == "Talks in Moscow"
    assert _translate("Talks in Beijing", set()) == "Talks in Beijing"


def test_longer_names_win_over_the_names_inside_them():
    known = {"Hàn Quốc", "Triều Tiên", "Bờ Tây", "phương Tây"}
    assert _translate("South Korea and North Korea", known) == "Hàn Quốc and Triều Tiên"
    assert _translate("Settlements in the West Bank", known) == "Settlements in Bờ Tây"
    assert _translate("Hungary between the West and the East", known) == "Hungary between phương Tây and the East"


def test_names_match_as_capitalised_whole_words_only():
    known = {"Mỹ", "Nga"}
    assert _translate("Tell us about US sanctions", known) == "Tell us about Mỹ sanctions"
    assert _translate("high-level US–Russia working groups", known) == "high-level Mỹ–Nga working groups"
    assert _translate("Russian missiles and a russia policy", known) == "Russian missiles and a russia policy"


def test_each_match_keeps_its_place_in_the_question_and_says_if_the_articles_lack_it():
    matches = vietnamese_names("Germany, China and France", {"Đức", "Pháp"}.__contains__)
    assert [(m.start, m.end, m.english, m.vietnamese) for m in matches] == [
        (0, 7, "Germany", "Đức"),
        (9, 14, "China", None),
        (19, 25, "France", "Pháp"),
    ]
