from hypothesis import given, settings
from hypothesis import strategies as st

from qa.asked import (
    asked_kinds,
    asked_thing,
    counted,
    counts,
    names_new,
    sought_fact,
    states,
    unstated_kind,
    wants_number,
)
from vectorstore.text import fold, words


def test_questions_are_read_for_the_kind_of_fact_they_ask_for_in_either_language_and_without_diacritics():
    assert asked_kinds("Lễ khởi công diễn ra ngày nào?") == ["date"]
    assert asked_kinds("bao nhieu con tin duoc tha") == ["count"]
    assert asked_kinds("How many hostages were released?") == ["count"]
    assert asked_kinds("Nga thiệt hại bao nhiêu tiền?") == ["money", "count"]
    assert asked_kinds("Why was the summit called off?") == []
    assert asked_kinds("ban ghi nho budapest duoc ky nam nao") == ["year"]
    assert asked_kinds("How much did the Riyadh talks cost to organise?") == ["money"]
    assert asked_kinds("Why did the costs of the talks rise?") == []
    assert wants_number("cuoc hoi dam keo dai may tieng") and not wants_number("Vì sao Budapest được chọn?")


def test_a_count_is_stated_in_digits_or_in_words():
    assert states("count", "Mỹ trừng phạt 36 công ty con.")
    assert states("count", "Hai mươi con tin được thả.")
    assert states("count", "The talks lasted three hours.")
    assert not states("count", "Thỏa thuận mở đường cho việc trao trả con tin.")


def test_an_ordinal_in_words_counts_nothing():
    assert not states("count", "Các nhà lãnh đạo lên kế hoạch gặp thượng đỉnh lần thứ hai tại Budapest.")
    assert not states("count", "Cuộc họp diễn ra vào thứ Ba.")
    assert states("count", "Đây là cuộc điện đàm lần thứ 8 kể từ đầu năm.")


def test_what_a_question_counts_is_the_word_after_bao_nhieu_unless_it_is_a_unit():
    assert counted("Bao nhiêu nhà báo đã đưa tin về cuộc gặp?") == "nha"
    assert counted("ke hoach chien thang co bao nhieu diem") == "diem"
    assert counted("Cuộc hội đàm kéo dài bao nhiêu tiếng?") is None
    assert counted("Mức tín nhiệm của ông là bao nhiêu?") is None
    assert counted("How many journalists covered the talks?") is None


def test_a_count_of_something_else_does_not_answer_how_many():
    question = "Bao nhiêu nhà báo đã đưa tin về cuộc gặp ở Riyadh?"
    assert unstated_kind(question, ["Hai cường quốc đã gặp nhau ở Riyadh."]) == "count"
    assert unstated_kind(question, ["Có 40 nhà báo đưa tin về cuộc gặp."]) is None
    officials = "Bao nhiêu quan chức Mỹ tham dự cuộc gặp?"
    assert (
        unstated_kind(officials, ["Các quan chức Mỹ và Nga gặp nhau, mở ra triển vọng cho hai cường quốc."]) == "count"
    )


def test_a_number_counts_the_noun_right_after_it():
    assert counts("cong", "Mỹ trừng phạt Rosneft và Lukoil, cùng 36 công ty con.")
    assert counts("con", "Hai mươi con tin được thả.")
    assert not counts("quan", "Các quan chức gặp nhau, mở ra triển vọng cho hai cường quốc.")
    assert not counts("nha", "Ngày 18/2 nhà báo đưa tin."), "a date counts nothing"


def test_the_fact_asked_for_must_be_stated_about_what_the_question_names():
    question = "cuoc dien dam rubio lavrov dien ra vao ngay nao"
    other_call = ["Hôm 16/10, ông Putin và ông Trump đã điện đàm."]
    assert unstated_kind(question, other_call, ["rubio", "lavrov"]) == "date"
    assert unstated_kind(question, ["Ngày 20/10, ông Rubio điện đàm với ông Lavrov."], ["rubio", "lavrov"]) is None
    assert unstated_kind(question, other_call) is None, "without names there is nothing to check"
    cost = "Chi phí xây cầu ở Đà Nẵng là bao nhiêu tiền?"
    stated = ["Chi phí xây cầu ước tính 2.000 tỷ đồng, lấy từ ngân sách thành phố."]
    assert unstated_kind(cost, stated, ["da nang"], ["Thành phố Đà Nẵng sẽ xây cầu mới."]) is None, "named before"
    assert unstated_kind(cost, stated, ["da nang"], ["Hà Nội sẽ xây cầu mới."]) == "money"
    assert unstated_kind("Vì sao Budapest được chọn?", ["Budapest trung lập."], ["budapest"]) is None


def test_the_best_sentence_of_an_answer_must_state_the_kind_of_fact_asked_for():
    question = "How many hostages were released under the ceasefire?"
    assert unstated_kind(question, ["The ceasefire freed 20 hostages.", "Talks went on."]) is None
    # The number is about something else: the sentence about hostages states none.
    assert unstated_kind(question, ["The ceasefire freed hostages.", "The 2 countries agreed."]) == "count"
    assert unstated_kind(question, ["The ceasefire freed hostages."]) == "count"


def test_a_question_asking_for_two_kinds_needs_both_stated_and_one_of_them_in_the_best_sentence():
    question = "Ngày nào và bao nhiêu con tin được thả?"
    assert unstated_kind(question, ["Ngày 13/10, 20 con tin được thả."]) is None
    assert unstated_kind(question, ["Ngày 13/10, con tin được thả.", "Có 20 con tin."]) is None
    assert unstated_kind(question, ["Ngày 13/10, con tin được thả."]) == "count"
    assert unstated_kind(question, ["Con tin được thả.", "Ngày 13/10 có 20 người đến."]) == "date"


def test_a_question_for_a_year_needs_a_year_not_a_day():
    assert unstated_kind("zelenskiy sinh nam nao", ["Ông dự kiến thăm Saudi Arabia vào ngày 19/4."]) == "year"
    assert unstated_kind("In what year was the memorandum signed?", ["Nó được ký vào năm 1994."]) is None


def test_a_question_asking_for_no_particular_kind_is_never_refused_for_one():
    assert unstated_kind("Vì sao Budapest được chọn?", ["Budapest trung lập."]) is None


def test_a_sentence_ranks_up_for_the_kind_of_figure_asked_for_not_for_any_number():
    percent = sought_fact("trump noi zelensky co bao nhieu phan tram ung ho")
    assert percent("một nhà lãnh đạo chỉ được 4% ủng hộ") and not percent("khi gặp Zelensky vào ngày 17/10")
    count = sought_fact("Mỹ trừng phạt bao nhiêu công ty con?")
    assert count("cùng 36 công ty con") and not count("hôm 22/10 Mỹ công bố trừng phạt")
    duration = sought_fact("cuoc hoi dam keo dai bao lau")
    assert duration("kéo dài hơn 3 giờ") and not duration("kéo dài")
    assert sought_fact("Vì sao Budapest được chọn?") is None


CUES = ["bao nhiêu", "bao nhieu", "ngày nào", "năm nào", "how many", "how much did it cost", "what date", "thứ hai"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(CUES), st.text(max_size=12)), max_size=6).map(" ".join),
    st.lists(st.one_of(st.sampled_from([*CUES, "36 công ty", "ngày 16/10", "năm 1994"]), st.text(max_size=30))),
    st.lists(st.text(max_size=10), max_size=3),
)
def test_any_text_gets_a_kind_it_asked_for_or_none(question, answer, names):
    kind = unstated_kind(question, answer, names, answer[:1])
    assert kind is None or kind in asked_kinds(question)
    noun = counted(question)
    assert noun is None or counts(noun, f"có 12 {noun} ở đó"), "a number right before the noun counts it"


def test_a_question_for_a_named_thing_is_read_in_either_language_and_without_diacritics():
    assert asked_thing("Hội nghị diễn ra ở thành phố nào?") == "city"
    assert asked_thing("dang nao thang cu o duc") == "party"
    assert asked_thing("Which hotel hosted the Riyadh meeting?") == "hotel"
    assert asked_thing("Which officials lead the working groups?") == "officials"
    assert asked_thing("Mỹ trừng phạt những tập đoàn nào?") == "company"
    assert asked_thing("Vì sao Budapest được chọn?") is None
    assert asked_thing("Ông Trump đang ở đâu khi nói vậy?") is None, "'where' is answered without a noun"
    assert asked_thing("Tổng thống Zelensky thuộc đảng chính trị nào?") == "party", "a modifier between"
    assert asked_thing("nhung cong ty con nao bi trung phat") == "company"
    assert asked_thing("Which Saudi official hosted the talks?") == "officials"
    assert asked_thing("Ông ấy làm bằng cách nào?") is None


def _known(question: str) -> set[str]:
    return set(words(fold(question)))


def test_a_named_thing_is_its_noun_then_a_name_the_question_does_not_hold_in_the_same_clause():
    city = _known("Cuộc gặp ở Alaska diễn ra tại thành phố nào?")
    assert names_new("city", "Cuộc gặp diễn ra tại thành phố Anchorage, bang Alaska.", city)
    assert not names_new("city", "Hôm 15/8, hai tổng thống hội đàm tại Alaska (Mỹ).", city), "Alaska is asked"
    assert names_new("city", "Hai nhà lãnh đạo sẽ gặp nhau tại Budapest.", city), "a city without its noun"
    assert not names_new("city", "Cuộc gặp diễn ra ở thành phố lớn nhất bang Alaska.", city), "Alaska is asked"
    assert not names_new("city", "Họ đến thành phố, rồi tới Washington.", city), "the name is in another clause"
    officials = _known("Which officials lead the Mỹ–Nga working groups agreed in Riyadh?")
    sentence = "Các quan chức cấp cao Mỹ và Nga gặp nhau tại thành phố Riyadh (Saudi Arabia)."
    assert not names_new("officials", sentence, officials)
    assert names_new("company", "Mỹ trừng phạt 2 tập đoàn dầu khí lớn nhất của Nga là Rosneft và Lukoil.", _known("Mỹ"))
    assert names_new("party", "ĐẢNG CDU giành chiến thắng.", _known("dang nao thang")), "any case of the noun"


def test_a_name_after_cua_owns_the_thing_and_does_not_name_it():
    sanctions = "Mỹ trừng phạt 2 tập đoàn dầu khí lớn nhất của Nga là Rosneft và Lukoil, cùng 36 công ty con."
    assert not names_new("company", sanctions, _known("Which subsidiaries of Rosneft and Lukoil were sanctioned?"))
    assert names_new("company", sanctions, _known("Mỹ trừng phạt những tập đoàn nào của Nga?"))


def test_an_official_is_named_after_a_capitalised_title_not_after_a_generic_one():
    known = _known("Which officials will hold a phone call to prepare the Putin-Trump summit?")
    call = "Công tác chuẩn bị bắt đầu với cuộc điện đàm giữa Ngoại trưởng Mỹ Marco Rubio và Ngoại trưởng Nga Sergei Lavrov."
    assert names_new("officials", call, known)
    assert not names_new(
        "officials", "Sau đó, bộ trưởng Ngoại giao của hai nước đã thống nhất lập nhóm công tác.", known
    )


def test_a_named_thing_must_be_named_about_what_the_question_names():
    question = "Tòa án ra lệnh bắt ông Putin đặt trụ sở tại thành phố nào?"
    elsewhere = ["Các quan chức đã gặp nhau tại thành phố Riyadh."]
    assert unstated_kind(question, elsewhere, ["putin"]) == "city"
    assert unstated_kind(question, ["Tòa án xét xử ông Putin đặt tại thành phố The Hague."], ["putin"]) is None
    assert unstated_kind(question, ["Lệnh bắt ông Putin do ICC ban hành."], ["putin"]) == "city", "no city named"
    english = "Which city did the officials of the US meet in?"
    assert unstated_kind(english, ["Các quan chức gặp nhau ở thành phố Mỹ."], known={"my"}) == "city"
    assert unstated_kind(english, ["Các quan chức gặp nhau ở thành phố Riyadh."], known={"my"}) is None
