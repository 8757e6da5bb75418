import unicodedata

from vectorstore.text import clean_question, count_tokens, fold, has_diacritics, normalize, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_split_keeps_abbreviations_dates_and_quotes_together():
    text = (
        "Theo kế hoạch do Tổng thống D.Trump hậu thuẫn, hội nghị diễn ra ngày 16-10. "
        "Ông nói: “Chúng tôi cũng muốn Tomahawk. Chúng tôi cần chúng”. "
        "TP. Hồ Chí Minh có mưa. Ông D. Trump đến."
    )
    assert sentences(text) == [
        "Theo kế hoạch do Tổng thống D.Trump hậu thuẫn, hội nghị diễn ra ngày 16-10.",
        "Ông nói: “Chúng tôi cũng muốn Tomahawk. Chúng tôi cần chúng”.",
        "TP. Hồ Chí Minh có mưa.",
        "Ông D. Trump đến.",
    ]


def test_split_on_paragraphs_and_question_marks():
    text = "Có phải như vậy không? Tất cả đều được xác nhận.\n- Một dòng tin\n\nĐoạn mới."
    assert sentences(text) == ["Có phải như vậy không?", "Tất cả đều được xác nhận.", "- Một dòng tin", "Đoạn mới."]


def test_sentence_spans_index_the_original_text():
    text = "  Câu một.   Câu hai!\nCâu ba "
    for s, e in split_sentences(text):
        assert text[s:e] == text[s:e].strip() and text[s:e]


def test_fold_and_diacritics():
    assert fold("Tại sao Budapest được chọn? Đà Nẵng") == "tai sao budapest duoc chon? da nang"
    assert has_diacritics("được") and not has_diacritics("duoc chon budapest")


def test_normalize_makes_nfc_and_unix_newlines():
    nfd = unicodedata.normalize("NFD", "Hội nghị\r\nthượng đỉnh")
    assert normalize(nfd) == "Hội nghị\nthượng đỉnh"


def test_clean_question_drops_control_and_zero_width_characters():
    assert clean_question("  Vì\u200b sao\x00 Budapest\t?\n") == "Vì sao Budapest ?"


def test_count_tokens_counts_syllables_and_punctuation():
    assert count_tokens("Hội nghị, ngày 16-10.") == 8
