"""URLs as articles: pages served by a loopback HTTP server in the test, including ones
that redirect in a loop, hang, drip, are too big or are not web pages."""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qa.catalog import get_article, ingest, list_articles
from tests.conftest import make_settings
from tests.news_pages import BRIDGE_STORY, bridge_page, legacy_page, windows_1258
from vectorstore.articles import article_id_for_url, load_fetched_page
from vectorstore.errors import FetchError
from vectorstore.fetch import canonical_url, fetch_page, looks_like_url

MB = 1_000_000
TIMEOUT_S = 1.0
STORY_HTML = """<html><head><title>{title}</title>
<link rel="canonical" href="{base}/story"></head><body><nav><a href="/">Trang chủ</a></nav>
<article><h1>{title}</h1><p>{text}</p><p>Người dân hai bên bờ sông Hồng mong cây cầu sớm được hoàn thành.</p></article>
<footer>Bản quyền thuộc về Báo Tin Nhanh.</footer></body></html>"""


class Site:
    """What the loopback server serves; `story` can change between fetches."""

    def __init__(self) -> None:
        self.base = ""
        self.story = "Hà Nội khởi công cầu Trần Hưng Đạo bắc qua sông Hồng vào sáng 19/8."
        self.release = threading.Event()


class Handler(BaseHTTPRequestHandler):
    site: Site

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, body: bytes, kind: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        site = self.site
        if path == "/page":
            self.send(bridge_page().html.encode())
        elif path == "/story":
            self.send(STORY_HTML.format(base=site.base, title="Khởi công cầu Trần Hưng Đạo", text=site.story).encode())
        elif path == "/elsewhere":
            html = bridge_page().html  # claims to be tinnhanh.vn's article
            self.send(html.encode())
        elif path == "/legacy":
            html = legacy_page().html.replace("; charset=windows-1258", "")
            self.send(windows_1258(html), kind="text/html; charset=windows-1258")
        elif path == "/moved":
            self.redirect("/page")
        elif path == "/loop":
            self.redirect("/loop")
        elif path.startswith("/chain/"):
            self.redirect(f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")
        elif path == "/to-file":
            self.redirect("file:///etc/passwd")
        elif path == "/hang":
            site.release.wait(30)
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            while not site.release.is_set():
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/image":
            self.send(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, kind="image/png")
        elif path == "/big":
            self.send(b"<p>" + b"x" * (3 * MB) + b"</p>")
        elif path == "/big-unsized":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<p>" + b"x" * (3 * MB))
            self.close_connection = True
        elif path == "/gzip":
            self.send(gzip.compress(bridge_page().html.encode()), Content_Encoding="gzip")
        elif path == "/bomb":
            self.send(gzip.compress(b"\0" * (50 * MB)), Content_Encoding="gzip")
        else:
            self.send_error(404, "Not Found")


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    state = Site()
    handler = type("SiteHandler", (Handler,), {"site": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # The client hangs up on purpose (too big, too slow): the broken pipe is expected.
    server.handle_error = lambda request, address: None
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(site: Site, path: str, max_bytes: int = MB):
    return fetch_page(site.base + path, TIMEOUT_S, max_bytes)


def test_a_page_is_fetched_and_read_like_a_saved_one(site: Site):
    page = fetch(site, "/page")
    assert page.final_url == site.base + "/page" and page.charset == "utf-8"
    article = load_fetched_page(page, MB)
    assert all(s in article.body for s in BRIDGE_STORY) and "Trang chủ" not in article.body
    assert article.source == site.base + "/page" and article.date == "2025-08-19"


def test_the_http_charset_decodes_a_windows_1258_page(site: Site):
    article = load_fetched_page(fetch(site, "/legacy"), MB)
    assert all(s in article.body for s in legacy_page().story)


def test_a_redirect_is_followed(site: Site):
    assert fetch(site, "/moved").final_url == site.base + "/page"


def test_a_gzip_answer_is_unpacked(site: Site):
    assert load_fetched_page(fetch(site, "/gzip"), MB).title == bridge_page().title


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/loop", "more than 5 redirects, or redirects in a loop"),
        ("/chain/1", "more than 5 redirects"),
        ("/to-file", r"redirects to 'file:///etc/passwd', which is not an http\(s\) address"),
        ("/image", "the server sent image/png, not a web page"),
        ("/big", r"3\.0 MB is over the 1\.0 MB limit"),
        ("/big-unsized", r"more than 1\.\d MB is over the 1\.0 MB limit"),
        ("/bomb", r"more than 1\.0 MB is over the 1\.0 MB limit"),
        ("/missing", "the server answered HTTP 404 Not Found"),
    ],
)
def test_bad_answers_give_one_line_reasons(site: Site, path: str, message: str):
    with pytest.raises(FetchError, match=message) as info:
        fetch(site, path)
    assert str(info.value).startswith(site.base + path) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("path", "message"), [("/hang", "no answer within 1 s"), ("/drip", "did not arrive within 1 s")]
)
def test_a_server_that_hangs_or_drips_times_out(site: Site, path: str, message: str):
    started = time.perf_counter()
    with pytest.raises(FetchError, match=message):
        fetch(site, path)
    assert time.perf_counter() - started < 3 * TIMEOUT_S


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"http://127.0.0.1:{closed_port()}/", "connection refused"),
        ("ftp://example.com/a.html", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("http:///no-host", "no host name"),
        ("http://127.0.0.1:port/", "not a valid web address"),
    ],
)
def test_unusable_addresses_are_refused_without_a_request(url: str, message: str):
    with pytest.raises(FetchError, match=message):
        fetch_page(url, TIMEOUT_S, MB)


def test_canonical_url_is_trusted_only_on_the_same_site():
    fetched = "https://m.tinnhanh.vn/cau-123.html?utm_source=zalo&zarsrc=1&id=5#binh-luan"
    assert canonical_url("https://tinnhanh.vn/cau-123.html", fetched) == "https://tinnhanh.vn/cau-123.html"
    assert canonical_url("https://other.vn/stolen.html", fetched) == "https://m.tinnhanh.vn/cau-123.html?id=5"
    assert canonical_url("javascript:alert(1)", fetched) == "https://m.tinnhanh.vn/cau-123.html?id=5"
    assert canonical_url("", "HTTP://Tinnhanh.VN:80/a") == "http://tinnhanh.vn/a"


def test_article_ids_from_urls_are_readable_safe_and_distinct():
    a = article_id_for_url("https://vnexpress.net/ha-noi-khoi-cong-cau-4912345.html")
    assert a.startswith("vnexpress.net_ha-noi-khoi-cong-cau-4912345_")
    assert article_id_for_url("http://bao.vn/tin.asp?id=5") != article_id_for_url("http://bao.vn/tin.asp?id=6")
    assert all(ch.isalnum() or ch in "._-" for ch in article_id_for_url("http://bao.vn/../a b/<x>?q='1'"))


def test_a_page_on_another_site_cannot_take_that_sites_article_id(site: Site):
    article = load_fetched_page(fetch(site, "/elsewhere"), MB)
    assert article.url == site.base + "/elsewhere"


def test_looks_like_url():
    assert looks_like_url("https://vnexpress.net/a") and looks_like_url("ftp://x")
    assert not looks_like_url("seeds/") and not looks_like_url("C:\\bao\\a.html")


def test_reingesting_a_url_updates_the_article_instead_of_adding_a_copy(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    settings = make_settings(tmp_path / "index")
    first = ingest([fetch(site, "/story?utm_source=facebook")], settings)
    assert len(first.added) == 1 and not first.skipped
    article_id = first.added[0]
    again = ingest([fetch(site, "/story")], settings)
    assert again.unchanged == [article_id] and again.sentences_embedded == 0
    site.story = "Hà Nội hoãn khởi công cầu Trần Hưng Đạo sang tháng 10 vì thời tiết xấu."
    try:
        changed = ingest([fetch(site, "/story")], settings)
    finally:
        site.story = Site().story
    assert changed.updated == [article_id] and not changed.added
    assert [r.id for r in list_articles(settings)] == [article_id]
    record = get_article(article_id, settings)
    assert record.url == site.base + "/story" and record.source == site.base + "/story"  # as last fetched
    assert "hoãn khởi công" in record.body
    # Pruning a folder never removes an article that came from a URL.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articles").mkdir()
    assert ingest([tmp_path], settings, prune=True).removed == []


def qa_ingest(*args: str, index_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env |= {"NEWSQA_INDEX_DIR": str(index_dir), "NEWSQA_FETCH_TIMEOUT_S": str(TIMEOUT_S)}
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", "ingest", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_cli_ingests_a_url(site: Site, tmp_path: Path):
    result = qa_ingest(site.base + "/page", index_dir=tmp_path / "index")
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout and "0 skipped" in result.stdout


@pytest.mark.parametrize(
    ("path", "message"), [("/hang", "no answer within 1 s"), ("/image", "not a web page"), ("/loop", "redirects")]
)
def test_cli_gives_one_line_for_a_bad_url(site: Site, tmp_path: Path, path: str, message: str):
    result = qa_ingest(site.base + path, index_dir=tmp_path / "index")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {site.base}{path}: ") and message in lines[0]


def test_cli_refuses_an_unreachable_url(tmp_path: Path):
    result = qa_ingest(f"http://127.0.0.1:{closed_port()}/bai-bao", index_dir=tmp_path / "index")
    assert result.returncode == 2 and "connection refused" in result.stderr and "Traceback" not in result.stderr
