from qa.asked import asked_kinds, sought_fact, states, unstated_kind, wants_number


def test_questions_are_read_for_the_kind_of_fact_they_ask_for_in_either_language_and_without_diacritics():
    assert asked_kinds("Lễ khởi công diễn ra ngày nào?") == ["date"]
    assert asked_kinds("bao nhieu con tin duoc tha") == ["count"]
    assert asked_kinds("How many hostages were released?") == ["count"]
    assert asked_kinds("Nga thiệt hại bao nhiêu tiền?") == ["money", "count"]
    assert asked_kinds("Why was the summit called off?") == []
    assert wants_number("cuoc hoi dam keo dai may tieng") and not wants_number("Vì sao Budapest được chọn?")


def test_a_count_is_stated_in_digits_or_in_words():
    assert states("count", "Mỹ trừng phạt 36 công ty con.")
    assert states("count", "Hai mươi con tin được thả.")
    assert states("count", "The talks lasted three hours.")
    assert not states("count", "Thỏa thuận mở đường cho việc trao trả con tin.")


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
