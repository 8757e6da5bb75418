"""PDFs become articles with their page numbers kept; scans, encrypted and broken PDFs
are refused with a reason, never a traceback."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.news_pages import BRIDGE_STORY, RICE_STORY, STORM_STORY
from tests.pdf_files import encrypted, image_pdf, text_pdf
from vectorstore.articles import load_article, page_at
from vectorstore.errors import ArticleError
from vectorstore.sandbox import Sandbox
from vectorstore.text import split_sentences

MB = 1_000_000
PAGES = [["Cầu Trần Hưng Đạo", *BRIDGE_STORY], [], [" ".join(RICE_STORY)], list(STORM_STORY)]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as shared:
        yield shared


@pytest.fixture(scope="module")
def story_pdf() -> bytes:
    return text_pdf(PAGES, author="Hoàng Minh")


def save(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_matplotlib_writes_a_vietnamese_text_layer(story_pdf: bytes):
    """The fixture itself: pypdf reads the Vietnamese back, so the tests below test the reader."""
    text = PdfReader(io.BytesIO(story_pdf)).pages[0].extract_text()
    assert "Hà Nội khởi công cầu Trần Hưng Đạo" in text


def test_every_page_is_read_and_each_sentence_knows_its_page(tmp_path: Path, sandbox: Sandbox, story_pdf: bytes):
    article = load_article(save(tmp_path, "bao.pdf", story_pdf), MB, sandbox)
    assert len(article.pages) == 4 and article.pages[0] == 0
    for page, sentences in ((1, BRIDGE_STORY), (3, RICE_STORY), (4, STORM_STORY)):
        for sentence in sentences:
            assert page_at(article.pages, article.body.index(sentence)) == page, sentence
    assert article.body[article.pages[2] :].startswith(RICE_STORY[0])


def test_lines_wrapped_by_the_layout_are_joined_into_whole_sentences(
    tmp_path: Path, sandbox: Sandbox, story_pdf: bytes
):
    article = load_article(save(tmp_path, "bao.pdf", story_pdf), MB, sandbox)
    sentences = {article.body[s:e] for s, e in split_sentences(article.body)}
    long_ones = [s for s in (*BRIDGE_STORY, *RICE_STORY, *STORM_STORY) if len(s) > 80]
    assert long_ones and all(s in sentences for s in long_ones)
    assert "Cầu Trần Hưng Đạo" in sentences  # a short heading keeps its own line


def test_title_and_author_from_the_pdf_metadata(tmp_path: Path, sandbox: Sandbox, story_pdf: bytes):
    article = load_article(save(tmp_path, "bao.pdf", story_pdf), MB, sandbox)
    assert (article.title, article.author, article.date) == ("Cầu Trần Hưng Đạo", "Hoàng Minh", "")
    titled = load_article(save(tmp_path, "t.pdf", text_pdf([list(STORM_STORY)], title="Bão số 5")), MB, sandbox)
    assert titled.title == "Bão số 5"
    junk = text_pdf([list(STORM_STORY)], title="Microsoft Word - bao so 5.docx")
    assert load_article(save(tmp_path, "j.pdf", junk), MB, sandbox).title.startswith("(Tin Việt) - Bão số 5")


def test_an_owner_password_alone_does_not_stop_reading(tmp_path: Path, sandbox: Sandbox, story_pdf: bytes):
    article = load_article(save(tmp_path, "locked.pdf", encrypted(story_pdf, "")), MB, sandbox)
    assert BRIDGE_STORY[1] in article.body


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (image_pdf, r"scan\.pdf: no text layer \(a scanned PDF\?\)"),
        (
            lambda: encrypted(text_pdf([list(STORM_STORY)]), "mật khẩu"),
            r"scan\.pdf: the PDF is encrypted and needs a password",
        ),
        (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF", r"scan\.pdf: "),
        (lambda: text_pdf([list(STORM_STORY)])[:3000], r"scan\.pdf: "),
        (lambda: b"", r"scan\.pdf: the file is empty"),
    ],
    ids=["image-only", "encrypted", "broken", "truncated", "empty"],
)
def test_unreadable_pdfs_get_a_reason(tmp_path: Path, sandbox: Sandbox, make, message: str):
    with pytest.raises(ArticleError, match=message) as info:
        load_article(save(tmp_path, "scan.pdf", make()), MB, sandbox)
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)
