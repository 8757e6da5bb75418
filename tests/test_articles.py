from pathlib import Path

import pytest

from tests.conftest import SEEDS
from vectorstore.articles import article_id_for, load_article, parse_article
from vectorstore.errors import ArticleError


def test_date_line_gives_date_and_keeps_caption_in_body():
    article = load_article(SEEDS / "001_db0b2b193ebff8e5.txt", 10**7)
    assert article.date == "2025-10-17"
    assert article.body.startswith("Tổng thống Nga Vladimir Putin và Tổng thống Mỹ Donald Trump gặp nhau ở Alaska")
    assert "(Ảnh: AFP)" not in article.title and article.title.startswith("Trợ lý Điện Kremlin")


def test_headline_first_line_is_the_title():
    article = load_article(SEEDS / "004_e11a6bc5fe998e6e.txt", 10**7)
    assert article.title == "Quan hệ Mỹ - Nga sắp 'tan băng' sau cuộc họp hơn 4 tiếng ở Saudi Arabia"
    assert article.date == ""


def test_lede_first_article_gets_a_title_from_its_first_sentence():
    article = load_article(SEEDS / "000_10bd9dba5d87f1eb.txt", 10**7)
    assert article.title.startswith("Tổng thống Nga Vladimir Putin và người đồng cấp Mỹ")
    assert article.id == "000_10bd9dba5d87f1eb"


def test_markdown_title():
    article = parse_article("# Tiêu đề\n\nNội dung bài báo.", "x")
    assert article.title == "Tiêu đề" and "Nội dung bài báo." in article.body


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"\x00\x01binary", "binary"),
        ("Hà Nội, Việt Nam".encode("utf-16"), "not UTF-8|binary"),
        (b"caf\xe9 au lait", "not UTF-8"),
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleError, match=message) as info:
        load_article(path, 10**7)
    assert "bad.txt" in str(info.value)


def test_bom_crlf_and_nfd_are_normalised(tmp_path: Path):
    import unicodedata

    path = tmp_path / "nfd.txt"
    text = unicodedata.normalize("NFD", "Tiêu đề bài\r\n\r\nHội nghị thượng đỉnh diễn ra.\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    article = load_article(path, 10**7)
    assert article.body == "Tiêu đề bài\n\nHội nghị thượng đỉnh diễn ra."
    assert unicodedata.is_normalized("NFC", article.body)


def test_unsupported_suffix_is_refused(tmp_path: Path):
    path = tmp_path / "a.pdf"
    path.write_text("x")
    with pytest.raises(ArticleError, match="only .txt and .md"):
        load_article(path, 10**7)


def test_article_ids_are_safe():
    assert article_id_for(Path("../../etc/pass wd.txt")) == "pass_wd"
    assert article_id_for(Path("Bài báo 1.md")) == "Bài_báo_1"
