import socket

import pytest

from vectorstore.diacritics import DiacriticRestorer
from vectorstore.text import words
from vectorstore.vi_syllables import GeneralSyllables, general_syllables

ARTICLES = (
    "Budapest được chọn làm nơi tổ chức hội nghị thượng đỉnh.",
    "Ông Bùi Thanh Sơn gặp Ngoại trưởng Lavrov tại Hà Nội.",
)


def restorer(*texts: str, general: GeneralSyllables | None = None) -> DiacriticRestorer:
    built = DiacriticRestorer(general=general)
    for text in texts:
        built.add(text)
    built.index_forms()
    return built


def restored(built: DiacriticRestorer, unaccented: str) -> str:
    return " ".join(built.restore(words(unaccented)))


@pytest.mark.parametrize(
    ("unaccented", "expected"),
    [
        ("hoc sinh di hoc", "học sinh đi học"),
        ("benh vien", "bệnh viện"),
        ("dien thoai", "điện thoại"),
        ("xe may", "xe máy"),
    ],
)
def test_everyday_words_the_articles_lack_are_restored(unaccented: str, expected: str):
    corpus_only = restorer(*ARTICLES)
    assert restored(corpus_only, unaccented) == unaccented  # the articles alone know none of these
    assert restored(restorer(*ARTICLES, general=general_syllables()), unaccented) == expected


def test_the_articles_counts_still_win_for_their_names_and_words():
    combined = restorer(*ARTICLES, general=general_syllables())
    # On its own the general model reads "thanh son" as the commoner "thành sơn" and "noi" as "nói".
    general_only = restorer(general=general_syllables())
    assert restored(general_only, "bui thanh son") == "bùi thành sơn"
    assert restored(combined, "ong bui thanh son gap ngoai truong lavrov") == (
        "ông bùi thanh sơn gặp ngoại trưởng lavrov"
    )
    assert restored(general_only, "lam noi to chuc") == "làm nói tổ chức"
    assert restored(combined, "budapest duoc chon lam noi to chuc") == "budapest được chọn làm nơi tổ chức"


def test_a_pair_the_articles_write_outweighs_the_general_frequencies():
    # "gia" is usually "gia" (gia đình, quốc gia); articles about prices make it "giá".
    prices = ("Giá dầu tăng. Giá vàng giảm, giá điện ổn định.",) * 3
    assert restored(restorer(general=general_syllables()), "gia dau") != "giá dầu"
    assert restored(restorer(*prices, general=general_syllables()), "gia dau") == "giá dầu"


def test_question_phrases_beat_the_spellings_prose_prefers():
    # Prose writes "có thể" far more than "thế", and a dictionary lists "như thể" and "thể nào".
    prose = ("Nga có thể đáp trả. Ông nói có thể gặp lại, như thể không có gì.",)
    combined = restorer(*prose, general=general_syllables())
    assert restored(combined, "nga se phan ung nhu the nao") == "nga sẽ phản ứng như thế nào"
    assert restored(combined, "ho gap nhau o dau") == "họ gặp nhau ở đâu"
    assert restored(combined, "nga co the dap tra") == "nga có thể đáp trả"


def test_a_syllable_nobody_knows_is_kept_as_typed():
    assert restored(restorer(*ARTICLES, general=general_syllables()), "xyzzy duoc") == "xyzzy được"


def test_the_general_model_loads_from_the_installed_packages_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the general syllable model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    general_syllables.cache_clear()
    model = general_syllables()
    assert general_syllables() is model  # loaded once per process
    assert {"đầu", "dầu", "đâu", "đau"} <= set(model.forms["dau"])
    assert model.probability["đầu"] > model.probability["dầu"]
    assert ("giá", "cả") in model.pairs and ("xe", "máy") in model.pairs
    assert sum(model.probability[f] for f in model.forms["dau"]) == pytest.approx(1.0)


def test_the_general_model_keeps_single_syllables_only():
    model = GeneralSyllables.build({"đầu": 0.3, "dầu": 0.1, "tp.hcm": 0.2, "00": 0.5}, ["dầu mỏ", "Giá cả"])
    assert model.forms == {"dau": ("dầu", "đầu")}
    assert model.probability == {"đầu": pytest.approx(0.75), "dầu": pytest.approx(0.25)}
    assert model.pairs == {("dầu", "mỏ"), ("giá", "cả")}


def test_no_syllables_restore_to_nothing():
    assert restorer(*ARTICLES, general=general_syllables()).restore([]) == []
