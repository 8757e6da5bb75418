"""How sentences lean on their neighbours: the rules behind an answer's context."""

import pytest

from qa.discourse import announces_next, carries_on, is_heading, is_photo_caption, points_back


@pytest.mark.parametrize(
    "sentence",
    [
        '"Nga thực sự muốn tiến triển", ông nhận định.',
        "“Chúng tôi sẵn sàng”, bà nói với báo giới.",
        "Ông nói thêm rằng hai bên sẽ gặp lại.",
        "Theo ông, sau đó hai bên đã đồng ý.",
        "Điều này cho thấy quan hệ đang cải thiện.",
        "Các đề xuất gồm: từ bỏ vùng Donbass.",
        "Cuộc gặp này diễn ra trong 3 giờ.",
        "Sau cuộc điện đàm “thực chất, cởi mở” này, hai bên sẽ gặp lại.",
        "He said the talks went well.",
        "Tất cả đều được xác nhận”, Ngoại trưởng Lavrov ngày 27/10 nói.",
    ],
)
def test_sentences_that_need_the_one_before(sentence):
    assert points_back(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Ông Peskov nói thêm, vấn đề bây giờ là Ukraine.",
        "Bà Bryn Rosenfeld, phó giáo sư tại Đại học Cornell, nhận định.",
        "“Tôi phải chắc chắn”, ông Trump nói hôm 25/10.",
        "Tổng thống Trump nói hôm nay rằng cuộc gặp sẽ diễn ra.",
        "Sau cuộc điện đàm, hai bên sẽ gặp lại vào tháng này.",
        "Trump said the talks went well.",
        'Thủ tướng Orban gọi đây là “tin tuyệt vời cho hòa bình".',
    ],
)
def test_sentences_that_stand_alone(sentence):
    assert not points_back(sentence)


def test_a_colon_announces_the_next_sentence():
    assert announces_next("Các đề xuất của Nga như sau:")
    assert not announces_next("Nga đưa ra các đề xuất.")


def test_a_quotation_running_into_the_next_sentence_announces_it():
    assert announces_next("“Ông Putin hỏi điều này có đúng không? Có phải như vậy không?’.")
    assert announces_next('"Chúng tôi muốn hòa bình.')
    assert not announces_next("“Tôi phải chắc chắn”, ông Trump nói.")
    assert not announces_next('Thủ tướng Orban gọi đây là “tin tuyệt vời cho hòa bình".')
    assert not announces_next("Tất cả đều được xác nhận”, ông Lavrov nói.")


@pytest.mark.parametrize(
    ("sentence", "caption"),
    [
        ("Ông Putin và ông Trump gặp nhau ở Alaska hồi tháng 8 (Ảnh: AFP).", True),
        ("Ngoại trưởng Nga Sergei Lavrov (ảnh: RBC)", True),
        ("Putin and Trump in Alaska (Photo: Reuters)", True),
        ("Ông Putin nói với hãng AFP rằng cuộc gặp rất tốt.", False),
    ],
)
def test_photo_captions_are_told_by_their_credit(sentence, caption):
    assert is_photo_caption(sentence) is caption


def test_headings_have_no_closing_punctuation():
    assert is_heading("Hội nghị thượng đỉnh Nga - Mỹ mới")
    assert not is_heading("Hội nghị diễn ra ở Budapest.")
    assert not is_heading("“Chúng tôi sẵn sàng”")


@pytest.mark.parametrize(
    ("sentence", "carries"),
    [
        ("Đồng thời, nhà lãnh đạo Nga nhấn mạnh cam kết của Moscow.", True),
        ("Tuy nhiên, hai bên chưa ấn định ngày gặp.", True),
        ("However, no date was set.", True),
        ("Theo ông, sau đó hai bên đã đồng ý.", True),
        ("Hai bên đồng thời công bố tuyên bố chung.", False),
        ("Tổng thống Putin thông báo với Tổng thống Trump về chiến sự.", False),
    ],
)
def test_a_sentence_opening_on_a_connective_carries_on_from_the_one_before(sentence, carries):
    assert carries_on(sentence) is carries
