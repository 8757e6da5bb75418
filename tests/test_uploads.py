"""Uploads (`qa.uploads`): checked, saved under safe names inside the index folder, ingested,
and every file left out named as it was uploaded. tests/test_ui_hostile.py sends hostile
uploads through the page."""

from pathlib import Path

from qa.catalog import get_article
from qa.uploads import add_uploads, save_uploads
from tests.conftest import make_settings


def write_files(folder: Path, files: dict[str, bytes]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [str(folder / name) for name in files]


def test_uploads_are_saved_under_safe_names_inside_the_uploads_folder(tmp_path: Path):
    settings = make_settings(tmp_path / "index", max_upload_bytes=100)
    files = {"bài báo mới.TXT": b"Tin.", "notes.docx": b"PK\x03\x04", "big.md": b"x" * 101, "ok.md": b"# T\n\nTin."}
    saved, refused = save_uploads(write_files(tmp_path / "incoming", files), settings)
    folder = (settings.store.index_dir / "uploads").resolve()
    assert [p.name for p in saved] == ["bài_báo_mới.txt", "ok.md"]
    assert all(p.parent == folder and p.is_file() for p in saved)
    assert len(refused) == 2 and "notes.docx" in refused[0] and "big.md" in refused[1]
    assert "only .txt, .md, .html, .htm and .pdf" in refused[0] and "over the limit" in refused[1]


def test_added_uploads_are_searchable_and_skipped_ones_named_as_uploaded(tmp_path: Path):
    settings = make_settings(tmp_path / "index")
    files = {"Hoa lan.txt": "Hội chợ hoa lan mở cửa ở Đà Lạt.\n".encode(), "rỗng.md": b"", "x.exe": b"MZ"}
    upload = add_uploads(write_files(tmp_path / "incoming", files), settings)
    assert upload.ingest is not None and upload.ingest.added == ["Hoa_lan"]
    assert get_article("Hoa_lan", settings) is not None
    assert len(upload.refused) == 1 and upload.refused[0].startswith("x.exe: ")
    assert len(upload.skipped) == 1 and upload.skipped[0].startswith("rỗng.md: ")
    assert str(tmp_path) not in " ".join(upload.skipped)


def test_nothing_chosen_is_nothing_done(tmp_path: Path):
    upload = add_uploads([], make_settings(tmp_path / "index"))
    assert upload.ingest is None and upload.refused == () and upload.skipped == ()
    assert not (tmp_path / "index").exists()
