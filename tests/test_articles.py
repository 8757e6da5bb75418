from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import SEEDS
from vectorstore.articles import article_id_for, find_article_files, load_article, page_at, parse_article
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
    path = tmp_path / "a.docx"
    path.write_text("x")
    with pytest.raises(ArticleError, match=r"a\.docx: unsupported type \('\.docx'\)"):
        load_article(path, 10**7)


def test_article_ids_are_safe():
    assert article_id_for(Path("../../etc/pass wd.txt")) == "pass_wd"
    assert article_id_for(Path("Bài báo 1.md")) == "Bài_báo_1"


def test_front_matter_gives_title_date_url_outlet_and_author(tmp_path: Path):
    path = tmp_path / "cau.md"
    path.write_text(
        "---\n"
        'title: "Hà Nội khởi công cầu: sáu làn xe"\n'
        "date: 2025-08-19\n"
        "url: https://tinnhanh.vn/cau-4912345.html\n"
        "source: Báo Tin Nhanh\n"
        "author: Hoàng Minh\n"
        "tags:\n"
        "  - giao thông\n"
        "---\n"
        "Hà Nội khởi công cầu Trần Hưng Đạo. Cây cầu dài hơn 5 km.\n",
        encoding="utf-8",
    )
    article = load_article(path, 10**7)
    assert article.title == "Hà Nội khởi công cầu: sáu làn xe"
    assert (article.date, article.url, article.site, article.author) == (
        "2025-08-19",
        "https://tinnhanh.vn/cau-4912345.html",
        "Báo Tin Nhanh",
        "Hoàng Minh",
    )
    assert article.body == "Hà Nội khởi công cầu Trần Hưng Đạo. Cây cầu dài hơn 5 km."
    assert article.source == str(path)


def test_front_matter_datetime_keeps_the_day_and_no_date_stays_undated():
    dated = parse_article("---\ndate: 2025-08-19T08:30:00+07:00\n---\nTin ngắn. Câu hai.", "a")
    assert dated.date == "2025-08-19"
    undated = parse_article("---\ntitle: Tin ngắn\n---\nHôm qua, ngày 19/8/2025, cầu được khởi công.", "b")
    assert undated.date == "" and undated.title == "Tin ngắn"


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("date: 19/8/2025", "not a date written YYYY-MM-DD"),
        ("date: 2025-02-30", "not a date"),
        ("url: javascript:alert(1)", "http"),
    ],
)
def test_bad_front_matter_values_are_refused_by_name(front: str, message: str):
    with pytest.raises(ArticleError, match=message):
        parse_article(f"---\n{front}\n---\nNội dung bài báo.", "x", source="bai.md")


def test_a_markdown_rule_at_the_top_is_text_not_front_matter():
    article = parse_article("---\nHà Nội mưa lớn cả ngày.\n---\nNgập nhiều tuyến phố.", "x")
    assert article.body.startswith("---\nHà Nội mưa lớn") and article.date == ""
    unclosed = parse_article("---\ntitle: Không đóng\nNội dung.", "y")
    assert unclosed.title != "Không đóng" and "title: Không đóng" in unclosed.body


def test_seed_date_line_still_works_beside_front_matter_support():
    article = parse_article(" date 2025-10-17 Ảnh: AFP.\n\nTin chính. Câu hai.", "x")
    assert article.date == "2025-10-17" and article.url == "" and article.pages == ()


def test_text_articles_keep_their_content_hash():
    """Indexes built before url/author/site/pages existed must not be re-embedded."""
    import hashlib

    article = parse_article("# Tiêu đề\n\nNội dung bài báo.", "x")
    old = hashlib.sha256(f"{article.title}\x1f{article.date}\x1f{article.body}".encode()).hexdigest()
    assert article.content_hash == old
    assert replace(article, url="https://a.vn/x").content_hash != old


def test_page_at_maps_offsets_to_pages():
    pages = (0, 100, 100, 250)  # page 2 is empty: it starts where page 3 does
    assert [page_at(pages, o) for o in (0, 99, 100, 249, 250, 10**6)] == [1, 1, 3, 3, 4, 4]
    assert page_at((), 5) is None


def test_folders_list_every_file_but_hidden_ones(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Tin.")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.html").write_text("<html></html>")
    (tmp_path / "Bài báo.html").write_text("<html></html>")
    assets = tmp_path / "Bài báo_files"
    assets.mkdir()
    for name in ("style.css", "app.js", "anh.jpg"):
        (assets / name).write_bytes(b"x")
    found = find_article_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "Bài báo.html",
        "Bài báo_files",
        "a.txt",
        "notes.docx",
        "sub/b.html",
    ]
    with pytest.raises(ArticleError, match=r"the 3 files saved with the web page Bài báo\.html"):
        load_article(assets, 10**7)
    with pytest.raises(ArticleError, match="unsupported type"):
        load_article(tmp_path / "notes.docx", 10**7)


def test_special_files_are_refused_not_read(tmp_path: Path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(ArticleError, match="not a regular file"):
        load_article(fifo, 10**7)
