"""Saved web pages become articles: the story kept, the page's furniture dropped, the
metadata read, any charset decoded, and hostile or pathological pages handled."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.news_pages import BRIDGE_STORY, NewsPage, all_pages, bridge_page, legacy_page, windows_1258
from vectorstore.articles import load_article
from vectorstore.errors import ArticleError
from vectorstore.sandbox import Sandbox
from vectorstore.web import decode_html

MB = 1_000_000


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as shared:
        yield shared


def save(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def page_bytes(page: NewsPage) -> bytes:
    return windows_1258(page.html) if "cp1258" in page.name else page.html.encode("utf-8")


@pytest.mark.parametrize("page", all_pages(), ids=lambda p: p.name)
def test_story_is_kept_and_furniture_dropped(tmp_path: Path, sandbox: Sandbox, page: NewsPage):
    article = load_article(save(tmp_path, f"{page.name}.html", page_bytes(page)), MB, sandbox)
    missing = [s for s in page.story if s not in article.body]
    leaked = [f for f in page.furniture if f in article.body]
    assert missing == [] and leaked == []
    assert article.body.startswith(page.title + "\n\n")
    assert unicodedata.is_normalized("NFC", article.body)


@pytest.mark.parametrize("page", all_pages(), ids=lambda p: p.name)
def test_metadata_is_read_from_the_markup(tmp_path: Path, sandbox: Sandbox, page: NewsPage):
    article = load_article(save(tmp_path, f"{page.name}.htm", page_bytes(page)), MB, sandbox)
    assert (article.title, article.date, article.author, article.url) == (page.title, page.date, page.author, page.url)
    assert article.id == page.name and article.source == str(tmp_path / f"{page.name}.htm")


def test_the_lead_outside_the_story_box_comes_first(tmp_path: Path, sandbox: Sandbox):
    article = load_article(save(tmp_path, "bridge.html", bridge_page().html), MB, sandbox)
    paragraphs = article.body.split("\n\n")
    assert paragraphs[1] == BRIDGE_STORY[0] and paragraphs[2] == BRIDGE_STORY[1]


def test_a_date_only_in_the_text_is_not_taken():
    """htmldate reads the markup; "19/8/2025" in a paragraph is no publication date."""
    html = (
        "<html><head><title>Tin</title></head><body><article><h1>Tin không ngày</h1>"
        "<p>Ngày 19/8/2025, Hà Nội khởi công cầu Trần Hưng Đạo bắc qua sông Hồng với sáu làn xe.</p>"
        "<p>Công trình dự kiến hoàn thành vào năm 2027 theo kế hoạch của thành phố Hà Nội.</p>"
        "</article></body></html>"
    )
    from vectorstore.web import parse_web_page

    assert parse_web_page(html.encode(), "x", "x.html", "x.html").date == ""


def test_windows_1258_page_is_decoded_to_nfc(tmp_path: Path, sandbox: Sandbox):
    page = legacy_page()
    data = windows_1258(page.html)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert b"\xcc" in data or b"\xec" in data  # tone marks written as separate characters
    article = load_article(save(tmp_path, "hue.html", data), MB, sandbox)
    assert all(s in article.body for s in page.story)
    assert article.title == "Trùng tu cổng Ngọ Môn"


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (windows_1258(legacy_page().html.replace("; charset=windows-1258", "")), ""),  # detected
        (windows_1258(legacy_page().html.replace("; charset=windows-1258", "")), "windows-1258"),  # from HTTP
        (b"\xef\xbb\xbf" + legacy_page().html.encode("utf-8"), ""),
        (legacy_page().html.encode("utf-16"), ""),  # with its byte-order mark
    ],
    ids=["detected", "http-header", "utf8-bom", "utf16-bom"],
)
def test_charsets_without_a_meta_tag(data: bytes, declared: str):
    text = decode_html(data, declared)
    assert all(s in text for s in legacy_page().story)


def test_a_lying_meta_charset_does_not_garble_utf8():
    html = '<meta charset="iso-8859-1"><p>Hà Nội khởi công cầu</p>'
    assert "Hà Nội khởi công cầu" in decode_html(html.encode("utf-8"))


def test_saved_from_mark_gives_the_url_when_there_is_no_canonical_link():
    html = bridge_page().html.replace('<link rel="canonical"', '<link rel="alternate"')
    html = "<!-- saved from url=(0042)https://tinnhanh.vn/cau-tran-hung-dao.html -->\n" + html
    from vectorstore.web import parse_web_page

    assert parse_web_page(html.encode(), "x", "x.html", "x.html").url == "https://tinnhanh.vn/cau-tran-hung-dao.html"


def test_hostile_markup_is_stored_as_text_only(tmp_path: Path, sandbox: Sandbox):
    hostile = bridge_page().html.replace(
        '<p class="Normal">',
        '<p class="Normal"><script>alert("xss")</script><iframe src="javascript:alert(2)">khung</iframe>'
        '<a href="javascript:alert(3)" onclick="alert(4)">liên kết</a> <img src=x onerror="alert(5)">',
        1,
    )
    article = load_article(save(tmp_path, "hostile.html", hostile), MB, sandbox)
    for needle in ("<", ">", "alert", "javascript:", "onerror", "document.write", "do mã quảng cáo chèn"):
        assert needle not in article.body
    assert all(s in article.body for s in BRIDGE_STORY)


def test_huge_inline_data_is_dropped_quickly(tmp_path: Path, sandbox: Sandbox):
    blob = "iVBORw0KGgo" * 150_000  # 1.6 MB of base64 in an image and a script
    html = bridge_page().html.replace('"A' + "A" * 3999, f'"{blob}', 1).replace("var ads = {};", f"var x = '{blob}';")
    started = time.perf_counter()
    article = load_article(save(tmp_path, "inline.html", html), 4 * MB, sandbox)
    assert time.perf_counter() - started < 10
    assert "iVBOR" not in article.body and all(s in article.body for s in BRIDGE_STORY)


@pytest.mark.parametrize("name", ["big.html", "big.pdf"])
def test_a_50_mb_page_or_pdf_is_refused_by_the_size_limit(tmp_path: Path, name: str):
    path = tmp_path / name
    with path.open("wb") as f:
        f.truncate(50 * MB)  # sparse: the size is what is checked, before anything is read
    with pytest.raises(ArticleError, match=r"50\.0 MB is over the 2\.0 MB limit"):
        load_article(path, 2 * MB)


def test_deeply_nested_html_does_not_hang(tmp_path: Path, sandbox: Sandbox):
    depth = 100_000
    html = bridge_page().html.replace("<article", "<div>" * depth + "<article", 1)
    started = time.perf_counter()
    try:
        load_article(save(tmp_path, "deep.html", html), MB, sandbox)
    except ArticleError as exc:
        assert "deep.html" in str(exc)
    assert time.perf_counter() - started < sandbox.timeout_s


def test_a_page_that_parses_too_long_is_skipped_and_the_next_one_read(tmp_path: Path):
    paragraphs = "".join(
        f"<p>Đoạn {i}: cầu Trần Hưng Đạo và giao thông Hà Nội trong tương lai gần.</p>" for i in range(15_000)
    )
    slow = save(tmp_path, "slow.html", f"<html><body><article>{paragraphs}</article></body></html>")
    fine = save(tmp_path, "fine.html", bridge_page().html)
    with Sandbox(timeout_s=0.2) as strict:
        with pytest.raises(ArticleError, match=r"slow\.html: took longer than 0\.2 s"):
            load_article(slow, 2 * MB, strict)
        strict.timeout_s = 30
        assert load_article(fine, MB, strict).title == bridge_page().title


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"   \n", "empty"),
        (b"<html><body></body></html>", "no article text"),
        (b"<html><body><nav><a href='/'>Trang ch\xe1\xbb\xa7</a></nav></body></html>", "no article text"),
        (bytes(range(256)) * 50, "no article text|not a web page|could not be parsed"),
    ],
    ids=["blank", "empty-body", "no-story", "binary"],
)
def test_pages_without_a_story_get_a_reason(tmp_path: Path, sandbox: Sandbox, data: bytes, message: str):
    with pytest.raises(ArticleError, match=message) as info:
        load_article(save(tmp_path, "x.html", data), MB, sandbox)
    assert str(info.value).startswith("x.html: ")


_PIECES = st.sampled_from(
    [
        "<div>",
        "</div>",
        "<table><tr><td>",
        "</td></tr></table>",
        "<p class='sapo'>",
        "</p>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<meta charset='windows-1258'>",
        "<article>",
        "<nav>",
        "&#0;",
        "&amp;",
        "\x00",
        "\ufeff",
        "Hà Nội khởi công cầu Trần Hưng Đạo bắc qua sông Hồng. ",
        "Người dân kỳ vọng cầu mới giảm ùn tắc. ",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_PIECES, max_size=60), st.sampled_from(["utf-8", "cp1258", "utf-16"]))
def test_any_markup_gives_an_article_or_a_reason(tmp_path: Path, sandbox: Sandbox, pieces: list[str], codec: str):
    path = tmp_path / "fuzz.html"
    path.write_bytes("".join(pieces).encode(codec, errors="replace"))
    try:
        article = load_article(path, MB, sandbox)
    except ArticleError as exc:
        assert str(exc).startswith("fuzz.html: ") and "\n" not in str(exc)
    else:
        assert article.body.strip() and "<script" not in article.body
