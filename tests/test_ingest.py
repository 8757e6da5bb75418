from pathlib import Path

from qa.catalog import get_article, ingest, list_articles
from qa.resources import get_store
from tests.conftest import make_settings


def chunk_ids(settings, article_id: str) -> list[str]:
    return get_store(settings).chunk_ids_of(article_id)


def test_reingest_of_unchanged_files_embeds_nothing(tmp_path: Path, article_dir: Path):
    settings = make_settings(tmp_path / "index")
    first = ingest([article_dir], settings)
    assert sorted(first.added) == ["alpha", "beta"]
    assert first.chunks_stored == 2 and first.sentences_embedded == 6
    second = ingest([article_dir], settings)
    assert second.sentences_embedded == 0 and sorted(second.unchanged) == ["alpha", "beta"]


def test_changed_file_replaces_its_chunks(tmp_path: Path, article_dir: Path):
    settings = make_settings(tmp_path / "index")
    ingest([article_dir], settings)
    before = get_article("alpha", settings)
    (article_dir / "alpha.txt").write_text("Tin mới hoàn toàn. Không còn cầu nào cả.", encoding="utf-8")
    report = ingest([article_dir], settings)
    assert report.updated == ["alpha"] and report.sentences_embedded == 2
    after = get_article("alpha", settings)
    assert after.content_hash != before.content_hash and after.body == "Tin mới hoàn toàn. Không còn cầu nào cả."
    store = get_store(settings)
    texts = [text for chunk, text in store.iter_chunks() if chunk.article_id == "alpha"]
    assert texts == ["Tin mới hoàn toàn. Không còn cầu nào cả."]


def test_bad_files_are_skipped_with_a_message_and_the_rest_ingested(tmp_path: Path, article_dir: Path):
    (article_dir / "empty.txt").write_bytes(b"")
    (article_dir / "latin1.txt").write_bytes("Hà Nội".encode("latin-1", errors="replace") + b"\xff\xfe")
    settings = make_settings(tmp_path / "index")
    report = ingest([article_dir], settings)
    assert sorted(report.added) == ["alpha", "beta"]
    assert len(report.skipped) == 2
    assert any("empty.txt" in m and "empty" in m for m in report.skipped)
    assert any("latin1.txt" in m and "UTF-8" in m for m in report.skipped)


def test_prune_removes_articles_whose_files_are_gone(tmp_path: Path, article_dir: Path):
    settings = make_settings(tmp_path / "index")
    ingest([article_dir], settings)
    (article_dir / "beta.md").unlink()
    kept = ingest([article_dir], settings)
    assert kept.removed == [] and {a.id for a in list_articles(settings)} == {"alpha", "beta"}
    pruned = ingest([article_dir], settings, prune=True)
    assert pruned.removed == ["beta"]
    assert [a.id for a in list_articles(settings)] == ["alpha"]
    assert chunk_ids(settings, "beta") == []


def test_article_records_keep_metadata(tmp_path: Path, article_dir: Path):
    settings = make_settings(tmp_path / "index")
    ingest([article_dir], settings)
    alpha = get_article("alpha", settings)
    assert alpha.date == "2025-01-02" and alpha.n_chunks == 1 and alpha.complete
    beta = get_article("beta", settings)
    assert beta.title == "Giá lúa gạo tăng mạnh"


def test_progress_reports_every_chunk(tmp_path: Path, article_dir: Path):
    calls: list[tuple[int, int]] = []
    ingest([article_dir], make_settings(tmp_path / "index"), progress=lambda d, t, _a: calls.append((d, t)))
    assert calls[0] == (0, 6) and calls[-1] == (6, 6)
