"""Read article files into `Article`s: text and Markdown here, web pages and PDFs through
`vectorstore.web` and `vectorstore.pdf`, which run in a child process with a time limit
(`vectorstore.sandbox`) because their parsers take whatever a user saved.

The seed articles come in three shapes: a first line ` date YYYY-MM-DD <photo caption>`,
a first line that is a headline, or the lede straight away. Markdown files may start
with a `# Title` line and a `date: YYYY-MM-DD` line, and any text file with front matter
(`---`, `title:`, `date:`, `url:`, `source:`, `author:` lines, `---`).
"""

from __future__ import annotations

import bisect
import datetime
import hashlib
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from vectorstore.errors import ArticleError
from vectorstore.fetch import FetchedPage, canonical_url
from vectorstore.sandbox import Sandbox, SandboxError
from vectorstore.text import normalize, split_sentences

TEXT_SUFFIXES = (".txt", ".md")
WEB_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
ARTICLE_SUFFIXES = TEXT_SUFFIXES + WEB_SUFFIXES + PDF_SUFFIXES
"""Every kind of file `load_article` reads."""
SUPPORTED_SUFFIXES = TEXT_SUFFIXES
"""What the chat page's upload accepts: text only, until the page shows web pages and PDFs."""
_PARSERS = {
    **dict.fromkeys(WEB_SUFFIXES, "vectorstore.web:parse_web_page"),
    **dict.fromkeys(PDF_SUFFIXES, "vectorstore.pdf:parse_pdf"),
}
_DATE_LINE = re.compile(r"^\s*date\s*:?\s*(\d{4}-\d{2}-\d{2})\b\s*(.*)$", re.IGNORECASE)
_MD_TITLE = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$")
_ID_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)
_FRONT_MATTER_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_FRONT_MATTER_END = ("---", "...")
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.+-]*Z?)?$")
_READABLE_ID_CHARS = 80
_URL_DIGEST_CHARS = 10
_MAX_HEADLINE_CHARS = 200
_TITLE_FALLBACK_CHARS = 120
_ASSET_FOLDER_SUFFIX = "_files"
"""Browsers save a page's images and scripts beside it in `<page name>_files/`."""


@dataclass(frozen=True)
class Article:
    """One article; `body` is the normalised text that every chunk span points into.

    `source` is where it was read from (a file path or the URL asked for); `url` is the
    address it was published at (a page's canonical URL, a front-matter `url:`), `site`
    the outlet. `pages` holds, for a PDF, the offset into `body` where each page
    starts (see `page_at`). Empty when unknown: nothing is guessed."""

    id: str
    title: str
    date: str
    body: str
    source: str = ""
    url: str = ""
    author: str = ""
    site: str = ""
    pages: tuple[int, ...] = ()

    @property
    def content_hash(self) -> str:
        payload = f"{self.title}\x1f{self.date}\x1f{self.body}"
        # Only when present, so the hashes of plain text articles (and the indexes built
        # on them) stay what they were before these fields existed.
        extra = (self.url, self.author, self.site, ",".join(map(str, self.pages)))
        if any(extra):
            payload += "\x1f" + "\x1f".join(extra)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def page_at(pages: Sequence[int], offset: int) -> int | None:
    """The 1-based page holding this offset of a body, given where each page starts;
    None for an article without pages. An empty page starts where the next one does,
    so the offset lands on the page that has the text."""
    if not pages:
        return None
    return max(1, bisect.bisect_right(pages, offset))


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


def title_from_body(body: str) -> str:
    """The first sentence, shortened: the title of an article that states none."""
    spans = split_sentences(body)
    first = body[spans[0][0] : spans[0][1]] if spans else body.strip()
    if len(first) <= _TITLE_FALLBACK_CHARS:
        return first
    return first[:_TITLE_FALLBACK_CHARS].rsplit(" ", 1)[0] + "…"


def looks_like_headline(line: str, rest: str) -> bool:
    """A short first line without closing punctuation, followed by more text."""
    stripped = line.strip()
    return (
        bool(stripped) and bool(rest.strip()) and len(stripped) <= _MAX_HEADLINE_CHARS and stripped[-1] not in ".!?…:;,"
    )


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML-like front matter at the top of a text, as (fields by lowercased key, the rest).

    Only flat `key: value` lines are read; indented lines and list items (values of keys
    nothing here uses) are passed over. A block holding anything else, or never closed,
    is the file's own text (a Markdown rule `---` at the top), not front matter."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    fields: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        stripped = line.strip()
        if stripped in _FRONT_MATTER_END:
            return fields, "\n".join(lines[i + 1 :])
        if not stripped or stripped.startswith(("#", "- ")) or line[0].isspace():
            continue
        match = _FRONT_MATTER_KEY.match(stripped)
        if match is None:
            return {}, text
        fields[match.group(1).lower()] = _unquote(match.group(2))
    return {}, text


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _front_matter_date(value: str, name: str) -> str:
    match = _ISO_DATE.match(value)
    try:
        if match:
            return datetime.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:  # 2025-02-30
        pass
    raise ArticleError(f"{name}: the front matter date {value!r} is not a date written YYYY-MM-DD")


def _front_matter_url(value: str, name: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ArticleError(f"{name}: the front matter url {value!r} does not start with http:// or https://")
    return value


def parse_article(text: str, article_id: str, source: str = "") -> Article:
    """Find title and date; the body keeps every line of the file but the date marker and
    the front matter, so nothing the article says (headline, photo caption) is lost to
    search. Front matter wins over what is found in the text; `source:` there names the
    outlet (`Article.site`), since `Article.source` is the file it was read from."""
    name = source or article_id
    fields, text = split_front_matter(normalize(text).strip())
    lines = text.strip().split("\n")
    date = ""
    caption = ""
    date_match = _DATE_LINE.match(lines[0])
    if date_match:
        date = date_match.group(1)
        caption = date_match.group(2).strip()
        lines = ([caption] if caption else []) + lines[1:]
    body = "\n".join(lines).strip()
    if not body:
        raise ArticleError(f"{name}: has a date line or front matter but no article text")
    first, _, rest = body.partition("\n")
    md_match = _MD_TITLE.match(first)
    if fields.get("title"):
        title = fields["title"]
    elif md_match:
        title = md_match.group(1).strip()
    elif not caption and looks_like_headline(first, rest):
        title = first.strip()
    else:
        lede = rest.strip() if caption and rest.strip() else body
        title = title_from_body(lede)
    if fields.get("date"):
        date = _front_matter_date(fields["date"], name)
    return Article(
        id=article_id,
        title=title,
        date=date,
        body=body,
        source=source,
        url=_front_matter_url(fields["url"], name) if fields.get("url") else "",
        author=fields.get("author", ""),
        site=fields.get("source", ""),
    )


def _too_large(name: str, size: int, max_bytes: int) -> ArticleError:
    return ArticleError(
        f"{name}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB limit for one article "
        "(raise NEWSQA_MAX_ARTICLE_BYTES to ingest it)"
    )


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ArticleError(f"{path}: not a regular file")
        if info.st_size > max_bytes:
            raise _too_large(path.name, info.st_size, max_bytes)
        return path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot be read ({exc.strerror})") from None


def _parse_isolated(function: str, args: tuple, name: str, sandbox: Sandbox | None) -> Article:
    if sandbox is None:
        with Sandbox() as own:
            return _parse_isolated(function, args, name, own)
    try:
        return sandbox.call(function, *args)
    except SandboxError as exc:
        raise ArticleError(f"{name}: {exc}") from None


def load_article(path: Path, max_bytes: int, sandbox: Sandbox | None = None) -> Article:
    """Read and parse one file; raises ArticleError with a message naming the file.

    Web pages and PDFs are parsed in `sandbox` (a child process started for this call if
    none is given; pass one to share it across many files)."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise ArticleError(_folder_reason(path))
    if suffix not in ARTICLE_SUFFIXES:
        kind = f"'{suffix}'" if suffix else "no extension"
        raise ArticleError(f"{path}: unsupported type ({kind}); articles are {', '.join(ARTICLE_SUFFIXES)} files")
    data = _read(path, max_bytes)
    if suffix in TEXT_SUFFIXES:
        return parse_article(decode_article_bytes(data, path.name), article_id_for(path), source=str(path))
    if not data.strip():
        raise ArticleError(f"{path.name}: the file is empty")
    return _parse_isolated(_PARSERS[suffix], (data, article_id_for(path), str(path), path.name), path.name, sandbox)


def load_fetched_page(page: FetchedPage, max_bytes: int, sandbox: Sandbox | None = None) -> Article:
    """A fetched web page as an article named after its canonical URL, so fetching the same
    story again, by any link that leads to it, updates the article instead of adding a copy."""
    if len(page.data) > max_bytes:
        raise _too_large(page.url, len(page.data), max_bytes)
    args = (page.data, "", page.url, page.url, page.charset, page.final_url)
    article = _parse_isolated(_PARSERS[".html"], args, page.url, sandbox)
    url = canonical_url(article.url, page.final_url)
    return replace(article, id=article_id_for_url(url), url=url)


def article_id_for_url(url: str) -> str:
    """Site and last path segment, readable in the article list, plus a digest of the whole
    URL, since many sites tell their articles apart by query alone (`tin.asp?id=5`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "page").removeprefix("www.")
    segment = Path(parts.path.rstrip("/")).stem
    readable = _ID_UNSAFE.sub("_", normalize(f"{host}_{segment}"))[:_READABLE_ID_CHARS].strip("._")
    return f"{readable}_{hashlib.sha256(url.encode('utf-8')).hexdigest()[:_URL_DIGEST_CHARS]}"


def _asset_page(folder: Path) -> Path | None:
    """The saved web page that a `<name>_files/` folder belongs to, if it is one."""
    if not folder.name.endswith(_ASSET_FOLDER_SUFFIX):
        return None
    base = folder.name[: -len(_ASSET_FOLDER_SUFFIX)]
    pages = [folder.parent / f"{base}{suffix}" for suffix in WEB_SUFFIXES]
    return next((page for page in pages if page.is_file()), None)


def _folder_reason(folder: Path) -> str:
    page = _asset_page(folder)
    if page is None:
        return f"{folder}: a folder that cannot be read"
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    return f"{folder}: the {count} files saved with the web page {page.name} (images, scripts, styles), not articles"


def find_article_files(paths: list[Path]) -> list[Path]:
    """Expand folders into every file they hold, sorted so ingestion order is stable.

    Files of other types are kept, so that loading them says why they are not articles.
    A saved page's `<name>_files/` folder stands as one entry for all its assets, and a
    folder that cannot be listed as one entry too. Hidden files and folders (.git,
    .DS_Store) are passed over: no one saved them as articles."""
    found: list[Path] = []
    for path in paths:
        found.extend(_walk(path, set()) if path.is_dir() else [path])
    return found


def _walk(folder: Path, seen: set[Path]) -> list[Path]:
    real = folder.resolve()
    if real in seen:  # a symlink back up the tree
        return []
    seen.add(real)
    try:
        entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError:
        return [folder]
    found: list[Path] = []
    for entry in entries:
        if entry.is_dir() and _asset_page(entry) is None:
            found.extend(_walk(entry, seen))
        else:
            found.append(entry)
    return found
