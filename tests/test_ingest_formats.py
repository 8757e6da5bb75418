"""A folder as people keep news: saved pages, PDFs and stray files. Everything readable is
ingested with its metadata, and every file that is not is named with its reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.catalog import get_article, ingest, list_articles
from tests.conftest import make_settings
from tests.news_pages import STORM_STORY, bridge_page, legacy_page, rice_page, windows_1258
from tests.pdf_files import encrypted, image_pdf, text_pdf
from vectorstore.articles import page_at

REASONS = {
    "notes.docx": "unsupported type ('.docx')",
    "README": "unsupported type (no extension)",
    "scan.pdf": "no text layer",
    "locked.pdf": "encrypted and needs a password",
    "blank.html": "the file is empty",
    "menu.html": "no article text found",
    "big.pdf": "over the 0.3 MB limit",
    "Giá lúa_files": "the 2 files saved with the web page Giá lúa.htm",
    "copy of bridge.html": "same text as article 'bridge'",
}


@pytest.fixture(scope="module")
def news_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("news")
    (folder / "bridge.html").write_text(bridge_page().html, encoding="utf-8")
    (folder / "copy of bridge.html").write_text(bridge_page().html, encoding="utf-8")
    (folder / "Giá lúa.htm").write_text(rice_page().html, encoding="utf-8")
    assets = folder / "Giá lúa_files"
    assets.mkdir()
    (assets / "style.css").write_text("body {}")
    (assets / "logo.png").write_bytes(b"\x89PNG")
    (folder / "hue.html").write_bytes(windows_1258(legacy_page().html))
    (folder / "storm.pdf").write_bytes(text_pdf([list(STORM_STORY[:2]), list(STORM_STORY[2:])]))
    (folder / "scan.pdf").write_bytes(image_pdf())
    (folder / "locked.pdf").write_bytes(encrypted(text_pdf([["Bí mật."]]), "mật khẩu"))
    (folder / "big.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 400_000)
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    (folder / "README").write_text("ghi chú")
    (folder / "blank.html").write_bytes(b"")
    (folder / "menu.html").write_text("<html><body><nav><a href='/'>Trang chủ</a></nav></body></html>")
    (folder / "tin.txt").write_text(
        "---\ntitle: Tin ngắn\ndate: 2025-01-02\n---\nHà Nội mưa lớn. Nhiều tuyến phố ngập.\n"
    )
    (folder / ".DS_Store").write_bytes(b"\0\0")
    return folder


@pytest.fixture(scope="module")
def report_and_settings(news_folder: Path, tmp_path_factory: pytest.TempPathFactory):
    settings = make_settings(tmp_path_factory.mktemp("index"), max_article_bytes=300_000)
    return ingest([news_folder], settings), settings


def test_every_readable_article_is_ingested(report_and_settings):
    report, settings = report_and_settings
    assert sorted(report.added) == ["Giá_lúa", "bridge", "hue", "storm", "tin"]
    assert {a.id for a in list_articles(settings)} == set(report.added)


def test_every_file_left_out_is_named_with_its_reason(report_and_settings):
    report, _ = report_and_settings
    assert len(report.skipped) == len(REASONS), report.skipped
    for name, reason in REASONS.items():
        matches = [m for m in report.skipped if name in m.split(":")[0] and reason in m]
        assert len(matches) == 1, (name, report.skipped)
    assert not any(".DS_Store" in m or "style.css" in m for m in report.skipped)


def test_records_carry_title_date_url_author_and_pages(report_and_settings):
    _, settings = report_and_settings
    bridge = get_article("bridge", settings)
    page = bridge_page()
    assert (bridge.title, bridge.date, bridge.url, bridge.author, bridge.site) == (
        page.title,
        page.date,
        page.url,
        page.author,
        "Báo Tin Nhanh",
    )
    assert get_article("hue", settings).date == ""  # the page states none: never guessed
    storm = get_article("storm", settings)
    assert len(storm.pages) == 2 and page_at(storm.pages, storm.body.index(STORM_STORY[3])) == 2
    tin = get_article("tin", settings)
    assert (tin.title, tin.date, tin.pages) == ("Tin ngắn", "2025-01-02", ())


def test_reingest_of_the_folder_embeds_nothing(news_folder: Path, report_and_settings):
    _, settings = report_and_settings
    again = ingest([news_folder], settings)
    assert again.sentences_embedded == 0 and len(again.unchanged) == 5


def test_cli_prints_each_skipped_file(news_folder: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env |= {"NEWSQA_INDEX_DIR": str(tmp_path / "index"), "NEWSQA_MAX_ARTICLE_BYTES": "300000"}
    result = subprocess.run(
        [sys.executable, "-m", "qa.cli", "ingest", str(news_folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"5 added, 0 updated, 0 unchanged, 0 removed, {len(REASONS)} skipped" in result.stdout
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == len(REASONS) and "Traceback" not in result.stderr
    assert any("notes.docx: unsupported type" in line for line in skipped)


def test_a_mixed_folder_of_only_unreadable_files_says_so(tmp_path: Path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "page.mhtml").write_text("MIME-Version: 1.0")
    report = ingest([folder], make_settings(tmp_path / "index"))
    assert report.added == [] and len(report.skipped) == 1 and "page.mhtml: unsupported type" in report.skipped[0]
