"""PDFs into `Article`s: the text layer page by page, keeping where each page starts in
the body (`Article.pages`) so a citation can name its page.

A PDF without a text layer (a scan) or one that needs a password is refused with the
reason, never stored empty. A PDF's creation date is when the file was made, not when
the story was published, so a PDF article is undated unless someone says otherwise.

pypdf gives one line per printed line. Lines wrapped at the page's width are joined
again, since every line break ends a sentence for the splitter (`vectorstore.text`) and
a sentence cut in two cannot be quoted; shorter lines (headings, a paragraph's last
line) and lines that end a sentence keep their break.

Runs in the sandbox (`vectorstore.sandbox`): it takes bytes and returns an Article.
"""

from __future__ import annotations

import io
import re
from itertools import pairwise

from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError

from vectorstore.articles import Article, looks_like_headline, title_from_body
from vectorstore.errors import ArticleError
from vectorstore.text import normalize

# A line at least this share of the page's longest line was wrapped by the layout.
_WRAPPED_LINE_SHARE = 0.75
_SENTENCE_END = '.!?…:;"”»)'
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PAGE_BREAK = "\n\n"
# Titles that PDF writers fill in for the author: "Microsoft Word - bai bao.docx", "untitled".
_JUNK_TITLE = re.compile(r"^(microsoft \w+ - |untitled$)|\.\w{2,4}$", re.IGNORECASE)
_MAX_TITLE_CHARS = 200


def _page_text(raw: str) -> str:
    lines = [" ".join(line.split()) for line in _CONTROL.sub(" ", normalize(raw)).split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    longest = max(len(line) for line in lines)
    out = [lines[0]]
    for previous, line in pairwise(lines):
        if len(previous) >= _WRAPPED_LINE_SHARE * longest and previous[-1] not in _SENTENCE_END:
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


def _join_pages(texts: list[str]) -> tuple[str, tuple[int, ...]]:
    """The body and each page's start offset in it; an empty page starts where the next
    page with text does (or at the end)."""
    starts: list[int | None] = []
    parts: list[str] = []
    position = 0
    for text in texts:
        if not text:
            starts.append(None)
            continue
        if parts:
            position += len(_PAGE_BREAK)
        starts.append(position)
        parts.append(text)
        position += len(text)
    following = position
    for i in reversed(range(len(starts))):
        following = starts[i] if starts[i] is not None else following
        starts[i] = following
    return _PAGE_BREAK.join(parts), tuple(starts)


def _info(reader: PdfReader, key: str) -> str:
    try:
        value = (reader.metadata or {}).get(key)
    except PyPdfError:
        return ""
    return " ".join(normalize(str(value)).split()) if value else ""


def _title(reader: PdfReader, body: str) -> str:
    stated = _info(reader, "/Title")
    if stated and len(stated) <= _MAX_TITLE_CHARS and not _JUNK_TITLE.search(stated):
        return stated
    first, _, rest = body.partition("\n")
    return first if looks_like_headline(first, rest) else title_from_body(body)


def _open(data: bytes, name: str) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ArticleError(f"{name}: the PDF is encrypted and needs a password; ingest an unprotected copy")
    except DependencyError:
        raise ArticleError(
            f"{name}: the PDF is encrypted with AES, which needs the 'cryptography' package to open"
        ) from None
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ArticleError(f"{name}: not a PDF that can be read ({type(exc).__name__})") from None
    return reader


def parse_pdf(data: bytes, article_id: str, source: str, name: str) -> Article:
    """The text of every page as one article."""
    reader = _open(data, name)
    texts: list[str] = []
    number = 1
    try:
        for number, page in enumerate(reader.pages, start=1):
            texts.append(_page_text(page.extract_text()))
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ArticleError(f"{name}: page {number} cannot be read ({type(exc).__name__})") from None
    if not texts:
        raise ArticleError(f"{name}: the PDF has no pages")
    if not any(texts):
        raise ArticleError(f"{name}: no text layer (a scanned PDF?); run it through OCR first")
    body, pages = _join_pages(texts)
    return Article(
        id=article_id,
        title=_title(reader, body),
        date="",
        body=body,
        source=source,
        author=_info(reader, "/Author"),
        pages=pages,
    )
