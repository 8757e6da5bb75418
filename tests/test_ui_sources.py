"""Articles by URL and in other formats in the chat page and `qa ask`: a page added from its
address, web pages and PDFs uploaded, and their metadata (link, page) shown with the
sources. The page's functions are called directly: no browser, no served app."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import ui
from eval.load import html_text
from qa import cli
from qa.catalog import get_article, list_articles
from qa.settings import Settings
from qa.types import Answer, Citation
from tests.conftest import make_settings
from tests.news_pages import BRIDGE_STORY, RICE_STORY, STORM_STORY, bridge_page
from tests.pdf_files import text_pdf
from tests.test_fetch import closed_port
from vectorstore.articles import page_at
from vectorstore.store import ArticleRecord

BRIDGE = bridge_page()


class PageHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/tin/cau-tran-hung-dao.html":
            self.send_error(404, "Not Found")
            return
        body = BRIDGE.html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def formats_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An index made by uploading a saved web page and a two-page PDF through the page."""
    root = tmp_path_factory.mktemp("formats")
    settings = make_settings(root / "index")
    (root / "cau.html").write_text(BRIDGE.html, encoding="utf-8")
    (root / "bao.pdf").write_bytes(text_pdf([list(RICE_STORY), list(STORM_STORY)], title="Tin tổng hợp"))
    status, _, _ = ui.make_add_articles(settings)([str(root / "cau.html"), str(root / "bao.pdf")])
    assert "2 added" in html_text(status), status
    return settings


def record_of(settings: Settings, suffix_or_title: str) -> ArticleRecord:
    """The stored record, with its body (the article list leaves bodies out)."""
    listed = next(r for r in list_articles(settings) if suffix_or_title in (r.id, r.title))
    return get_article(listed.id, settings)


def citation_of(record: ArticleRecord, sentence: str, n: int = 1) -> Citation:
    start = record.body.index(sentence)
    return Citation(n, record.id, record.title, record.date, sentence, start, start + len(sentence))


def test_a_url_added_in_the_page_is_ingested_and_listed(tmp_path: Path, site: str):
    settings = make_settings(tmp_path / "index")
    url = f"{site}/tin/cau-tran-hung-dao.html"
    status, table, field = ui.make_add_url(settings)(url)
    assert "1 added" in html_text(status), status
    assert field == "", "the field is cleared once the page is in"
    record = record_of(settings, BRIDGE.title)
    assert BRIDGE_STORY[1] in record.body and record.url.startswith("http://127.0.0.1:")
    assert BRIDGE.title in html_text(table) and f'<a href="{record.url}" rel="noopener noreferrer"' in table
    again, _, _ = ui.make_add_url(settings)(url)
    assert "1 added" not in html_text(again) and len(list_articles(settings)) == 1


def test_a_url_that_cannot_be_fetched_gives_one_line_and_ingests_nothing(tmp_path: Path):
    settings = make_settings(tmp_path / "index")
    url = f"http://127.0.0.1:{closed_port()}/tin.html"
    status, table, field = ui.make_add_url(settings)(url)
    lines = html_text(status).strip().splitlines()
    assert len(lines) == 1 and url in lines[0] and "Traceback" not in status, status
    assert field == url, "the address stays in the field to be corrected"
    assert not settings.store.index_dir.exists() and "no index" in html_text(table)


@pytest.mark.parametrize("url", ["", "   "])
def test_an_empty_url_asks_for_one(tmp_path: Path, url: str):
    status, _, _ = ui.make_add_url(make_settings(tmp_path / "index"))(url)
    assert "enter a URL" in html_text(status)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", "//x.vn/a"]
)
def test_a_url_that_is_not_http_is_never_a_link(url: str):
    record = ArticleRecord("a", "Tiêu đề <b>", "", "h", 1, "s", body="Câu một. Câu hai.", url=url)
    citation = citation_of(record, "Câu hai.")
    card = ui.source_card("src-0-1", "[1]", citation, record.body, record)
    cells = "".join(ui._article_cells(record))
    for markup in (card, cells):
        assert "<a " not in markup and "href" not in markup and "<b>" not in markup
    assert "Tiêu đề &lt;b&gt;" in card


def test_an_http_url_is_a_link_opening_in_a_new_tab_escaped():
    url = 'https://tin.vn/a?x=1&y="2"'
    record = ArticleRecord("a", "T", "2025-01-02", "h", 1, "s", body="Câu một.", url=url, site="Tin")
    card = ui.source_card("src-0-1", "[1]", citation_of(record, "Câu một."), record.body, record)
    link = '<a href="https://tin.vn/a?x=1&amp;y=&quot;2&quot;" rel="noopener noreferrer" target="_blank">'
    assert f"{link}T</a>" in card
    assert f"{link}Tin</a>" in "".join(ui._article_cells(record))


def test_an_undated_article_shows_as_undated_in_the_table_and_the_card():
    record = ArticleRecord("a", "T", "", "h", 1, "s", body="Câu một.")
    assert "undated" in "".join(ui._article_cells(record))
    assert "no date" in ui.source_card("s", "[1]", citation_of(record, "Câu một."), record.body, record)


def test_uploaded_web_pages_and_pdfs_are_ingested(formats_index: Settings):
    web = record_of(formats_index, BRIDGE.title)
    pdf = record_of(formats_index, "Tin tổng hợp")
    assert web.url == BRIDGE.url and BRIDGE_STORY[1] in web.body and BRIDGE.furniture[0] not in web.body
    assert len(pdf.pages) == 2 and STORM_STORY[2] in pdf.body


def test_a_pdf_citation_shows_its_page_and_a_web_citation_links(formats_index: Settings):
    pdf = record_of(formats_index, "Tin tổng hợp")
    web = record_of(formats_index, BRIDGE.title)
    citations = [
        citation_of(pdf, STORM_STORY[2], 1),
        citation_of(pdf, RICE_STORY[1], 2),
        citation_of(web, BRIDGE_STORY[1], 3),
    ]
    answer = Answer(question="q", answer="a [1] [2] [3]", answered=True, language="vi", citations=citations)
    panel = ui.sources_html(answer, 0, formats_index)
    cards = panel.split('<section class="source"')[1:]
    assert len(cards) == 3
    assert "tr./p. 2" in cards[0] and "tr./p. 1" in cards[1] and "tr./p." not in cards[2]
    assert f'<a href="{BRIDGE.url}" rel="noopener noreferrer" target="_blank">' in cards[2]
    assert "<a " not in cards[0], "a PDF has no address to link"


def test_a_moved_pdf_article_never_shows_a_wrong_page(formats_index: Settings):
    pdf = record_of(formats_index, "Tin tổng hợp")
    card = ui.source_card("s", "[1]", citation_of(pdf, STORM_STORY[2]), pdf.body, replace(pdf, pages=()))
    assert "tr./p." not in card


def test_qa_ask_prints_the_url_and_page_of_its_citations(
    formats_index: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    for name in [k for k in os.environ if k.startswith("NEWSQA_")]:
        monkeypatch.delenv(name)
    code = cli.main(["ask", "Cầu Trần Hưng Đạo dài bao nhiêu km?", "--index-dir", str(formats_index.store.index_dir)])
    out = capsys.readouterr().out
    assert code == 0 and "[1]" in out, out
    web = record_of(formats_index, BRIDGE.title)
    assert web.id in out and f"    {BRIDGE.url}" in out.splitlines()


def test_format_answer_names_the_pdf_page(formats_index: Settings):
    pdf = record_of(formats_index, "Tin tổng hợp")
    citation = citation_of(pdf, STORM_STORY[2])
    answer = Answer(question="q", answer="a [1]", answered=True, language="vi", citations=[citation])
    text = cli.format_answer(answer, cli.cited_records(answer, formats_index))
    assert page_at(pdf.pages, citation.start) == 2 and "tr./p. 2" in text.splitlines()[3]
    assert "tr./p." not in cli.format_answer(answer)
