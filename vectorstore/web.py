"""Web pages (saved .html/.htm files, fetched URLs) into `Article`s: the story and its metadata.

trafilatura finds the story among the page's furniture (navigation, ads, related links,
comments, footer) and reads title, author, canonical URL and outlet; htmldate, through
it, the publication date from the page's markup only (meta tags, JSON-LD, `<time>`, the
URL), never from dates the text mentions, so a page that states no date stays undated.
Vietnamese news pages need two things more:
- older sites lay the whole page out in `<table>`s, which trafilatura reads as data and
  flattens into one line with the menus; such tables are turned into plain blocks first;
- most outlets put the lead paragraph (the "sapo") above the story's container, where
  trafilatura leaves it out; it is put back in front of the story;
- links to other stories set as paragraphs of the story ("Xem thêm: ...") are dropped.
The body is text only: nothing of the markup (scripts, iframes, links) is kept.

Runs in the sandbox (`vectorstore.sandbox`): it takes bytes and returns an Article.
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING

import trafilatura
from trafilatura.utils import detect_encoding, load_html

from vectorstore.articles import Article, title_from_body
from vectorstore.errors import ArticleError
from vectorstore.text import normalize

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# A charset declared after the first few KB is not looked for (browsers stop at 1 KB;
# some Vietnamese sites put scripts first).
_SNIFF_BYTES = 8192
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BLOCK_TAGS = frozenset(
    {"p", "div", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "article", "section", "blockquote", "form"}
)
_TABLE_TAGS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption")
# A table cell holding this much text is a page column, not data.
_LAYOUT_CELL_CHARS = 200
# Words of the class names outlets give the lead: "sapo", "detail__summary", "ArticleLead".
_LEAD_WORDS = frozenset({"sapo", "summary", "lead", "lede", "description", "chapeau"})
_CLASS_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
# Links to other stories set inside the story's own text.
_READ_MORE = re.compile(r"^(xem thêm|đọc thêm|tin liên quan|bài liên quan|xem tiếp)\s*:", re.IGNORECASE)
_LEAD_TAGS = frozenset({"p", "h2", "h3", "div", "span", "strong"})
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside"})
_MIN_LEAD_CHARS = 30
_MAX_LEAD_CHARS = 600  # more is a box around the story, not its lead
# Less story than this (a menu, a page its scripts would fill in) is no article.
_MIN_STORY_CHARS = 80
# htmldate: the first publication date, not the last edit, and no hunting through the text.
_DATE_PARAMS = {"original_date": True, "extensive_search": False}


def decode_html(data: bytes, declared: str = "") -> str:
    """The page's text: by its byte-order mark, else as UTF-8 if it is valid UTF-8, else by
    the charset the server (`declared`) or the page (`<meta charset>`) names, else by
    detection. NFC-normalised, so windows-1258's separate tone marks are composed."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return normalize(data.decode(codec, errors="replace"))
    try:
        return normalize(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    head = data[:_SNIFF_BYTES]
    named = [m.group(1).decode("ascii") for m in (_XML_ENCODING.search(head), _META_CHARSET.search(head)) if m]
    for charset in [declared, *named, *detect_encoding(data)]:
        try:
            return normalize(data.decode(charset))
        except (LookupError, UnicodeDecodeError):
            continue
    return normalize(data.decode("utf-8", errors="replace"))


def _is_layout_table(table: HtmlElement) -> bool:
    for cell in table.iter("td", "th"):
        if any(isinstance(el.tag, str) and el.tag in _BLOCK_TAGS for el in cell.iterdescendants()):
            return True
        if len(cell.text_content()) > _LAYOUT_CELL_CHARS:
            return True
    return False


def _unwrap_layout_tables(tree: HtmlElement) -> None:
    """Turn tables used for page layout into divs, keeping class and id (which tell the
    extractor a menu from the story); data tables, with short text in their cells, stay."""
    for table in [t for t in tree.iter("table") if _is_layout_table(t)]:
        for element in [table, *table.iter(*_TABLE_TAGS)]:
            if element is table or element.tag != "table":
                element.tag = "div"


def _lead(tree: HtmlElement) -> str:
    """The first element marked as the lead outside the page's header, navigation, footer
    and sidebars."""
    for element in tree.iter(*_LEAD_TAGS):
        words = {word.lower() for word in _CLASS_WORD.findall(element.get("class") or "")}
        if not words & _LEAD_WORDS:
            continue
        if any(isinstance(a.tag, str) and a.tag in _FURNITURE_TAGS for a in element.iterancestors()):
            continue
        text = " ".join(element.text_content().split())
        if _MIN_LEAD_CHARS <= len(text) <= _MAX_LEAD_CHARS:
            return text
    return ""


def _http_url(url: str | None) -> str:
    return url if url and url.lower().startswith(("http://", "https://")) else ""


def parse_web_page(
    data: bytes, article_id: str, source: str, name: str, charset: str = "", default_url: str = ""
) -> Article:
    """The story of one page as an article; `charset` is the server's, `default_url` where
    it was fetched from (for a saved file, the "saved from" mark browsers leave, if any)."""
    html = decode_html(data, charset)
    if not default_url and (saved := _SAVED_FROM.search(html[:4096])):
        default_url = saved.group(1)
    tree = load_html(html)
    if tree is None:
        raise ArticleError(f"{name}: not a web page that can be read (no HTML found)")
    _unwrap_layout_tables(tree)
    lead = _lead(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=default_url or None,
        with_metadata=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        include_tables=True,
        favor_precision=True,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    no_story = ArticleError(f"{name}: no article text found in the page (is it one that scripts fill in?)")
    if document is None:
        raise no_story
    paragraphs = [" ".join(line.split()) for line in normalize(document.text or "").split("\n")]
    paragraphs = [p for p in paragraphs if p and not _READ_MORE.match(p)]
    title = " ".join((document.title or "").split()) or title_from_body("\n".join(paragraphs))
    if sum(len(p) for p in paragraphs if p != title) < _MIN_STORY_CHARS:
        raise no_story
    if lead and not any(lead in p for p in paragraphs):
        paragraphs.insert(1 if paragraphs[0] == title else 0, lead)
    if paragraphs[0] != title:
        paragraphs.insert(0, title)
    date = document.date or ""
    return Article(
        id=article_id,
        title=title,
        date=date if _ISO_DATE.match(date) else "",
        body="\n\n".join(paragraphs),
        source=source,
        url=_http_url(document.url),
        author=" ".join((document.author or "").split()),
        site=" ".join((document.sitename or "").split()),
    )
