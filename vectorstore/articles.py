"""Parse article files (.txt, .md) into `Article`s.

The seed articles come in three shapes: a first line ` date YYYY-MM-DD <photo caption>`,
a first line that is a headline, or the lede straight away. Markdown files may start
with a `# Title` line and a `date: YYYY-MM-DD` line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from vectorstore.errors import ArticleError
from vectorstore.text import normalize, split_sentences

SUPPORTED_SUFFIXES = (".txt", ".md")
_DATE_LINE = re.compile(r"^\s*date\s*:?\s*(\d{4}-\d{2}-\d{2})\b\s*(.*)$", re.IGNORECASE)
_MD_TITLE = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$")
_ID_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
_MAX_HEADLINE_CHARS = 200
_TITLE_FALLBACK_CHARS = 120


@dataclass(frozen=True)
class Article:
    """One article; `body` is the normalised text that every chunk span points into."""

    id: str
    title: str
    date: str
    body: str
    source: str = ""

    @property
    def content_hash(self) -> str:
        payload = f"{self.title}\x1f{self.date}\x1f{self.body}"
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def article_id_for(path: Path) -> str:
    """The file stem, restricted to characters that are safe in ids and file names."""
    stem = normalize(path.stem)
    safe = _ID_UNSAFE.sub("_", stem).strip("._")
    return safe or "article"


def decode_article_bytes(data: bytes, name: str) -> str:
    if not data.strip():
        raise ArticleError(f"{name}: the file is empty")
    if b"\x00" in data:
        raise ArticleError(f"{name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{name}: not UTF-8 text (invalid byte at position {exc.start}); save it as UTF-8 and ingest again"
        ) from None
    return normalize(text)


def _title_from_body(body: str) -> str:
    spans = split_sentences(body)
    first = body[spans[0][0] : spans[0][1]] if spans else body.strip()
    if len(first) <= _TITLE_FALLBACK_CHARS:
        return first
    return first[:_TITLE_FALLBACK_CHARS].rsplit(" ", 1)[0] + "…"


def _looks_like_headline(line: str, rest: str) -> bool:
    stripped = line.strip()
    return (
        bool(stripped) and bool(rest.strip()) and len(stripped) <= _MAX_HEADLINE_CHARS and stripped[-1] not in ".!?…:;,"
    )


def parse_article(text: str, article_id: str, source: str = "") -> Article:
    """Find title and date; the body keeps every line of the file but the date marker,
    so nothing the article says (headline, photo caption) is lost to search."""
    lines = normalize(text).strip().split("\n")
    date = ""
    caption = ""
    date_match = _DATE_LINE.match(lines[0])
    if date_match:
        date = date_match.group(1)
        caption = date_match.group(2).strip()
        lines = ([caption] if caption else []) + lines[1:]
    body = "\n".join(lines).strip()
    if not body:
        raise ArticleError(f"{source or article_id}: has a date line but no article text")
    first, _, rest = body.partition("\n")
    md_match = _MD_TITLE.match(first)
    if md_match:
        title = md_match.group(1).strip()
    elif not caption and _looks_like_headline(first, rest):
        title = first.strip()
    else:
        lede = rest.strip() if caption and rest.strip() else body
        title = _title_from_body(lede)
    return Article(id=article_id, title=title, date=date, body=body, source=source)


def load_article(path: Path, max_bytes: int) -> Article:
    """Read and parse one file; raises ArticleError with a message naming the file."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ArticleError(f"{path.name}: only .txt and .md articles are supported")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(
                f"{path.name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit for one article "
                "(raise NEWSQA_MAX_ARTICLE_BYTES to ingest it)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot be read ({exc.strerror})") from None
    text = decode_article_bytes(data, path.name)
    return parse_article(text, article_id_for(path), source=str(path))


def find_article_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their article files, sorted so ingestion order is stable."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            found.append(path)
    return found
