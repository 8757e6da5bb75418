"""Articles added as uploads: checked, named and saved inside the index folder, then ingested.

Anyone who can reach the chat can upload, so a file is kept only when it is a kind of
article the ingest reads and within the upload limit, and it is saved inside
<index_dir>/uploads under a name made from its article id, never under the name it
came with (which may hold `../` or be too long for the file system). Every file left
out is reported with the reason, by the name it was uploaded under: the user never
sees the server's paths. An article may also be added by its address (`add_url`): the
page is fetched with the fetch limits from settings and ingested like a saved page.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa.catalog import ingest
from qa.settings import Settings
from vectorstore.articles import ARTICLE_SUFFIXES, article_id_for
from vectorstore.errors import NewsQAError
from vectorstore.fetch import fetch_page
from vectorstore.ingest import IngestReport, Progress

UPLOAD_FOLDER = "uploads"
# Most file systems allow 255 bytes in a name, and sanitising can lengthen one (NFC
# splits some characters in two): the article id is cut well inside that.
_MAX_STEM_BYTES = 200


@dataclass(frozen=True)
class UploadReport:
    """What adding some uploads did, every file named as the user uploaded it."""

    # The ingest of the saved files; None when none was saved or the ingest failed.
    ingest: IngestReport | None
    # Files not saved, or the ingest's error, each with the reason.
    refused: tuple[str, ...]
    # Saved files the ingest skipped, each with the reason.
    skipped: tuple[str, ...]


def add_uploads(files: Sequence[str | Path], settings: Settings, progress: Progress | None = None) -> UploadReport:
    """Save the acceptable uploads and ingest them: searchable as soon as this returns."""
    saved, refused = save_uploads(files, settings)
    report = None
    if saved:
        try:
            report = ingest(list(saved), settings, progress=progress)
        except NewsQAError as exc:
            refused.append(str(exc))
    skipped = tuple(_as_uploaded(m, saved) for m in report.skipped) if report else ()
    return UploadReport(ingest=report, refused=tuple(refused), skipped=skipped)


def add_url(url: str, settings: Settings, progress: Progress | None = None) -> UploadReport:
    """Fetch the page at `url` and ingest it. A URL that cannot be fetched or ingested
    is reported as one refusal line (FetchError is a NewsQAError), never raised: the
    page shows it in place of an ingest summary."""
    url = url.strip()
    if not url:
        return UploadReport(ingest=None, refused=("Nhập một URL / enter a URL first",), skipped=())
    try:
        page = fetch_page(url, settings.ingest.fetch_timeout_s, settings.ingest.max_article_bytes)
        report = ingest([page], settings, progress=progress)
    except NewsQAError as exc:
        return UploadReport(ingest=None, refused=(_one_line(str(exc)),), skipped=())
    return UploadReport(ingest=report, refused=(), skipped=tuple(report.skipped))


def _one_line(message: str) -> str:
    """A message as one line: the page shows each refusal on a line of its own."""
    return " ".join(message.split())


def save_uploads(files: Sequence[str | Path], settings: Settings) -> tuple[dict[Path, str], list[str]]:
    """Copy acceptable uploads into <index_dir>/uploads under safe names; explain refusals.

    Returns each saved file with the name it was uploaded under, and the refusals. A file
    that cannot be read or written is refused with the reason; the others go on."""
    folder = (settings.store.index_dir / UPLOAD_FOLDER).resolve()
    saved: dict[Path, str] = {}
    refused: list[str] = []
    for upload in files:
        source = Path(upload)
        target = folder / f"{_upload_stem(source)}{source.suffix.lower()}"
        try:
            reason = _refusal(source, target, folder, saved, settings)
            if reason is None:
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                saved[target] = source.name
        except OSError as exc:
            reason = f"không lưu được / cannot be saved ({exc.strerror or exc})"
        if reason is not None:
            refused.append(f"{source.name}: {reason}")
    return saved, refused


def article_kinds(conjunction: str) -> str:
    """The file kinds the ingest reads, for a message: ".txt, .md, .html, .htm and .pdf"."""
    *rest, last = ARTICLE_SUFFIXES
    return f"{', '.join(rest)} {conjunction} {last}"


def _upload_stem(source: Path) -> str:
    """The upload's article id, cut to fit a file name."""
    return article_id_for(source).encode()[:_MAX_STEM_BYTES].decode(errors="ignore")


def _refusal(source: Path, target: Path, folder: Path, saved: Mapping[Path, str], settings: Settings) -> str | None:
    """Why this upload cannot be added (None: it can)."""
    if source.suffix.lower() not in ARTICLE_SUFFIXES:
        return f"chỉ nhận tệp {article_kinds('và')} / only {article_kinds('and')} files can be added"
    size = source.stat().st_size
    if size > settings.server.max_upload_bytes:
        return f"{size / 1e6:.2f} MB, quá giới hạn / over the limit of {settings.server.max_upload_bytes / 1e6:.2f} MB"
    if target in saved:
        return "trùng tên với tệp khác / same article id as another file in this upload"
    if target.parent != folder:
        return "tên tệp không hợp lệ / invalid file name"
    return None


def _as_uploaded(message: str, saved: Mapping[Path, str]) -> str:
    """An ingest message about a saved upload, naming the file as the user uploaded it,
    not by the server's path or the safe name it was saved under."""
    for target, name in saved.items():
        if message.startswith(f"{target.name}:"):
            message = name + message[len(target.name) :]
        message = message.replace(str(target), name)
    return message
