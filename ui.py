"""The chat in the browser: ask questions, read cited answers and check every source.

Thin on purpose: answers come from `qa.pipeline.ask`, articles from `qa.catalog` and
uploads are checked and saved by `qa.uploads`; this module only renders them, wires the
Gradio events and says how to serve the page. Article text is untrusted (anyone can
upload an article), so every piece of it is escaped here before it reaches HTML, and
the chat shows only markup built by this module.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import gradio as gr

from qa.catalog import get_article, list_articles
from qa.llm import configuration_problem
from qa.pipeline import ask, ask_stream
from qa.settings import ANSWER_MODES, Settings
from qa.timeline import parse_bound, timeline
from qa.types import MARKER, Answer, Citation, Passage
from qa.uploads import UploadReport, add_uploads, add_url, article_kinds
from vectorstore.articles import ARTICLE_SUFFIXES, page_at
from vectorstore.errors import NewsQAError
from vectorstore.store import ArticleRecord

if TYPE_CHECKING:  # the evaluation is loaded with its tab (eval/ is a front end's tool, beside this one)
    from eval.runner import Detail
    from eval.session import Outcome, Step

log = logging.getLogger("newsqa.ui")

EXAMPLES = [
    "Vì sao Budapest được chọn làm nơi tổ chức hội nghị thượng đỉnh?",
    "Why was Budapest chosen for the summit?",
    "hoi nghi thuong dinh o Alaska dien ra khi nao",
    "Ông Peskov nói gì về khả năng gặp thượng đỉnh?",
]
ARTICLE_COLUMNS = ["Tiêu đề / Title", "Ngày / Date", "Nguồn / Source", "Mã / Article id", "Đoạn / Chunks"]
TOP_K_MAX = 10
# Events Gradio's queue keeps for its monitoring page, and how often it summarises them.
QUEUE_EVENTS_KEPT = 500
CLOSEST_SHOWN = 3
# Characters of context shown around a passage in its source card.
_CONTEXT_CHARS = 300
# The extractive answer is computed at once, yet shown a few words at a time, as a
# generated (LLM) answer would arrive: the chat reads the same in every answer mode.
_STREAM_WORDS = 4
_STREAM_PAUSE_S = 0.03
# HTML and Markdown syntax characters as numeric entities, in one pass: the chat's
# Markdown renderer shows them as text, so article text never becomes markup, a link,
# emphasis or LaTeX.
_INERT = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'\\`*_[]{}()#+-!|~$"})

EMPTY_SOURCES = (
    '<div class="sources-empty">Nguồn của câu trả lời sẽ hiện ở đây. / '
    "The sources of each answer appear here: click a marker such as [1] to jump to its passage.</div>"
)

CSS = """
:is(#sources, #eval-failures) .sources-title { font-size: 1.05rem; font-weight: 600; margin: 0 0 .5rem; }
:is(#sources, #eval-failures) .closest-note { color: var(--body-text-color-subdued); margin: 0 0 .75rem; }
:is(#sources, #eval-failures) .source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .6rem .8rem; margin-bottom: .75rem; background: var(--background-fill-secondary); }
:is(#sources, #eval-failures) .source.flash { outline: 3px solid #f0b400; }
:is(#sources, #eval-failures) .source-head { font-weight: 600; }
:is(#sources, #eval-failures) .source-num { color: var(--color-accent); margin-right: .3rem; }
:is(#sources, #eval-failures) .source-meta { font-size: .85rem; color: var(--body-text-color-subdued);
  margin: .2rem 0 .4rem; }
:is(#sources, #eval-failures) :is(.excerpt, .article-body) { white-space: pre-wrap; line-height: 1.55; }
:is(#sources, #eval-failures) .excerpt { border-left: 3px solid var(--border-color-accent); padding-left: .6rem; }
:is(#sources, #eval-failures) .article-body { max-height: 22rem; overflow-y: auto; padding: .4rem;
  border: 1px solid var(--border-color-primary); border-radius: 6px; background: var(--background-fill-primary); }
:is(#sources, #eval-failures) .passage { background: rgba(120, 170, 255, .18); }
:is(#sources, #eval-failures, #chat) mark { background: #ffe066; color: #1a1a1a; padding: 0 1px; border-radius: 2px; }
:is(#sources, #eval-failures) summary { cursor: pointer; margin-top: .4rem; color: var(--color-accent); }
#articles table.articles { width: 100%; border-collapse: collapse; font-size: .9rem; }
#articles th, #articles td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--border-color-primary); }
#articles td:nth-child(4) { font-family: var(--font-mono); font-size: .8rem; word-break: break-all; }
#articles .articles-note { color: var(--body-text-color-subdued); margin-bottom: .3rem; }
#chat sup a { text-decoration: none; font-weight: 600; }
#chat .error { color: var(--error-text-color, #b91c1c); }
#chat .answer-sources { font-size: .85rem; color: var(--body-text-color-subdued); margin-top: .4rem; }
#eval-status .eval-progress { display: flex; align-items: center; gap: .6rem; }
#eval-status progress { flex: 1; height: 1rem; }
#eval-status .error { color: var(--error-text-color, #b91c1c); }
#eval-failures .failures-title { font-size: 1.05rem; font-weight: 600; margin: .5rem 0; }
#eval-failures .eval-failure { border-top: 2px solid var(--border-color-primary); padding: .6rem 0; }
#eval-failures .failure-head { font-weight: 600; }
#eval-failures .failure-question, #eval-failures .failure-answer { margin: .3rem 0; }
#eval-failures sup a { text-decoration: none; font-weight: 600; }
"""

# Citation markers are in-page links (#src-<turn>-<n>). Gradio's Markdown may open links
# in a new tab, so clicks on them are handled here: scroll to the card and flash it. A
# marker of an earlier answer has no card on screen; the chat's select event brings that
# answer's sources back and `NEWSQA_SHOW_PENDING` then scrolls to the card.
JS = """
() => {
  window.newsqaShowSource = (id) => {
    const card = id && document.getElementById(id);
    if (!card) return false;
    card.scrollIntoView({behavior: "smooth", block: "nearest"});
    card.classList.remove("flash"); void card.offsetWidth; card.classList.add("flash");
    return true;
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#src-"]');
    if (!link) return;
    event.preventDefault();
    const id = link.getAttribute("href").slice(1);
    window.newsqaPending = window.newsqaShowSource(id) ? null : id;
  }, true);
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (!details.open || !details.classList || !details.classList.contains("full-article")) return;
    const first = details.querySelector("mark") || details.querySelector(".passage");
    if (first) first.scrollIntoView({block: "center"});
  }, true);
}
"""
NEWSQA_SHOW_PENDING = (
    "() => { const id = window.newsqaPending; window.newsqaPending = null; window.newsqaShowSource(id); }"
)


# --- rendering (pure functions: strings in, escaped HTML out) -------------------------------


def escape_text(text: str) -> str:
    """Text as inert HTML that Markdown leaves alone as well."""
    return text.translate(_INERT)


def render_answer(text: str, cited: set[int], turn: int | str, complete: bool = True) -> str:
    """The answer with each known marker [n] as a link to its source card; `complete`
    is False while it is still arriving (the page and its tests can tell the two apart)."""
    parts: list[str] = []
    position = 0
    for match in MARKER.finditer(text):
        n = int(match.group(1))
        if n not in cited:
            continue
        parts.append(escape_text(text[position : match.start()]))
        parts.append(f'<sup><a class="cite" href="#src-{turn}-{n}">[{n}]</a></sup>')
        position = match.end()
    parts.append(escape_text(text[position:]))
    return f'<div class="answer{" complete" if complete else ""}">{"".join(parts)}</div>'


def word_groups(text: str, size: int = _STREAM_WORDS) -> Iterator[str]:
    """Ever longer prefixes of `text`, a few words at a time, ending with all of it."""
    ends = [m.end() for m in re.finditer(r"\S+", text)][size - 1 :: size]
    for end in ends:
        yield text[:end]
    if not ends or ends[-1] < len(text.rstrip()):
        yield text


def marked_html(doc: str, lo: int, hi: int, passage: tuple[int, int], quotes: Sequence[tuple[int, int]]) -> str:
    """doc[lo:hi] escaped, the passage tinted and the quoted sentences in <mark>."""
    cuts = sorted({lo, hi, *(p for span in (passage, *quotes) for p in span if lo < p < hi)})
    out: list[str] = []
    for a, b in pairwise(cuts):
        piece = html.escape(doc[a:b])
        if any(s <= a and b <= e for s, e in quotes):
            piece = f"<mark>{piece}</mark>"
        elif passage[0] <= a and b <= passage[1]:
            piece = f'<span class="passage">{piece}</span>'
        out.append(piece)
    return "".join(out)


def excerpt_bounds(doc: str, start: int, end: int, context: int = _CONTEXT_CHARS) -> tuple[int, int]:
    """The paragraph(s) around [start, end), cut to `context` characters on each side."""
    lo = doc.rfind("\n", 0, start) + 1
    if start - lo > context:
        lo = doc.find(" ", start - context, start) + 1 or start - context
    hi = doc.find("\n", end)
    hi = len(doc) if hi < 0 else hi
    if hi - end > context:
        cut = doc.rfind(" ", end, end + context)
        hi = cut if cut > end else end + context
    return lo, hi


def web_url(url: str) -> str | None:
    """`url` when it is an http(s) address, the only kind shown as a link: a stored URL
    comes from the article (front matter, a page's canonical link), so it may be
    `javascript:` or `data:`."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def link_html(text: str, url: str) -> str:
    """`text` escaped, as a link opening `url` in a new tab when it is an http(s) address."""
    href = web_url(url)
    if href is None:
        return html.escape(text)
    return f'<a href="{html.escape(href)}" rel="noopener noreferrer" target="_blank">{html.escape(text)}</a>'


def source_card(
    card_id: str, label: str, source: Citation | Passage, body: str | None, record: ArticleRecord | None = None
) -> str:
    """One source: its number, title, date and id, the passage in its paragraph, and the
    whole article to read around it, the passage tinted and its quoted sentences marked.
    With the article's record, the title links to its web address and a PDF's page is named.

    A body that no longer holds the passage (the article changed after the answer) falls
    back to the passage alone, so the highlight never lands on the wrong words."""
    quotes = source.quotes if isinstance(source, Citation) else ()
    if body is None or body[source.start : source.end] != source.text:
        body, doc, offset = None, source.text, source.start
    else:
        doc, offset = body, 0
    passage = (source.start - offset, source.end - offset)
    local_quotes = [(s - offset, e - offset) for s, e in quotes]
    lo, hi = excerpt_bounds(doc, *passage)
    excerpt = (
        ("… " if lo > 0 else "") + marked_html(doc, lo, hi, passage, local_quotes) + (" …" if hi < len(doc) else "")
    )
    page = page_at(record.pages, source.start) if record is not None else None
    meta_items = [source.date or "không rõ ngày / no date", *([f"tr./p. {page}"] if page else []), source.article_id]
    meta = " · ".join(html.escape(x) for x in meta_items)
    title = link_html(source.title, record.url) if record is not None else html.escape(source.title)
    parts = [
        f'<section class="source" id="{html.escape(card_id)}" data-article-id="{html.escape(source.article_id)}">',
        f'<div class="source-head"><span class="source-num">{html.escape(label)}</span>{title}</div>',
        f'<div class="source-meta">{meta}</div>',
        f'<div class="excerpt">{excerpt}</div>',
    ]
    if body is not None:
        parts.append(
            '<details class="full-article"><summary>Đọc toàn bài / Read the whole article</summary>'
            f'<div class="article-body">{marked_html(doc, 0, len(doc), passage, local_quotes)}</div></details>'
        )
    parts.append("</section>")
    return "".join(parts)


def _records(article_ids: Sequence[str], settings: Settings) -> dict[str, ArticleRecord | None]:
    """Each article's stored record (body, URL, pages), read once per answer (a few small reads)."""
    records: dict[str, ArticleRecord | None] = {}
    for article_id in dict.fromkeys(article_ids):
        try:
            records[article_id] = get_article(article_id, settings)
        except NewsQAError:
            records[article_id] = None
    return records


def _card(card_id: str, label: str, source: Citation | Passage, records: Mapping[str, ArticleRecord | None]) -> str:
    record = records.get(source.article_id)
    return source_card(card_id, label, source, record.body if record else None, record)


def shown_sources(answer: Answer) -> Sequence[Citation | Passage]:
    """What the sources panel shows: the cited passages, or else the closest ones."""
    return answer.citations if answer.answered and answer.citations else answer.passages[:CLOSEST_SHOWN]


def sources_html(answer: Answer, turn: int, settings: Settings) -> str:
    """The sources panel: cited passages, or the closest ones labelled as not an answer."""
    return panel_html(answer, turn, _records([s.article_id for s in shown_sources(answer)], settings))


def panel_html(answer: Answer, turn: int | str, records: Mapping[str, ArticleRecord | None]) -> str:
    """The sources panel from article records already read (an evaluation reads them
    while its index is there: a SQuAD set's temporary index is gone when it is shown)."""
    shown = shown_sources(answer)
    if answer.answered and answer.citations:
        cards = [_card(f"src-{turn}-{c.n}", f"[{c.n}]", c, records) for c in shown]
        return f'<div class="sources-title">Nguồn / Sources ({len(cards)})</div>{"".join(cards)}'
    if not shown:
        return '<div class="sources-title">Không tìm thấy đoạn nào / No passage found</div>'
    cards = [_card(f"near-{turn}-{i}", f"#{i}", p, records) for i, p in enumerate(shown, start=1)]
    return (
        '<div class="sources-title closest">Đoạn gần nhất / Closest passages — not an answer</div>'
        '<p class="closest-note">Không đoạn nào trả lời câu hỏi; đây là những đoạn gần nhất tìm được. / '
        "None of these answers the question; they are the nearest passages the search found.</p>" + "".join(cards)
    )


def sources_footer(answer: Answer) -> str:
    """Under the answer: its notices (e.g. an LLM that fell back), and what the sources
    panel holds, since the panel may be off screen (on a phone it sits below the chat)."""
    lines = list(answer.notices)
    flagged = answer.checks.llm.unsupported_sentences if answer.mode == "llm" and answer.checks.llm else ()
    if answer.mode == "llm":
        lines.append("Trả lời bởi mô hình ngôn ngữ / written by the language model")
    if flagged:
        lines.append(f"⚠ {len(flagged)} câu chưa được nguồn xác nhận / sentence(s) not supported by the cited passage")
    if answer.citations:
        lines.append(" · ".join(f"[{c.n}] {c.title}" + (f" ({c.date})" if c.date else "") for c in answer.citations))
    elif answer.passages:
        lines.append("→ Đoạn gần nhất ở khung Nguồn / the closest passages are in the Sources panel")
    return "".join(f'<div class="answer-sources">{escape_text(line)}</div>' for line in lines)


def message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def error_html(text: str) -> str:
    return f'<div class="error">⚠ {escape_text(text)}</div>'


# --- events -------------------------------------------------------------------------


def answer_modes(settings: Settings) -> list[str]:
    """The answer modes to offer: "llm" when an LLM is configured or chosen at launch."""
    llm_ready = configuration_problem(settings) is None or settings.answering.answer_mode == "llm"
    return [mode for mode in ANSWER_MODES if mode != "llm" or llm_ready]


class Error(str):
    """A message for the user in place of an answer."""


def stream_safely(question: str, history: Sequence[str], settings: Settings, **choices: Any) -> Iterator[str | Answer]:
    """Text pieces as the answer is written, then the `Answer`; or one message for the
    user (an `Error`) instead: never a traceback in the page."""
    try:
        yield from ask_stream(question, history=history, settings=settings.with_(**choices))
    except NewsQAError as exc:
        yield Error(str(exc))
    except Exception:  # the user gets a message; the log keeps the traceback
        log.exception("unexpected error answering %r", question)
        yield Error("lỗi không mong đợi, xem nhật ký máy chủ / unexpected error, see the server log")


def make_respond(settings: Settings) -> Callable[..., Iterator[tuple]]:
    def respond(
        question: str, messages: list[dict], asked: list[str], turns: list[str], top_k: float, mode: str
    ) -> Iterator[tuple[str, list[dict], str, list[str], list[str]]]:
        """Show the question at once, then the answer a few words at a time beside its sources.

        `asked` (earlier questions, for follow-ups) and `turns` (each answer's sources
        panel, so an earlier answer's sources can be shown again) live in the session."""
        turn = len(messages) // 2
        chat = [*messages, message("user", escape_text(question)), message("assistant", "…")]
        yield "", chat, gr.skip(), asked, turns
        shown = ""
        for result in stream_safely(question, asked, settings, answer_mode=mode, top_k=int(top_k)):
            if isinstance(result, Error):
                chat[-1] = message("assistant", error_html(result))
                yield "", chat, error_html(result), asked, [*turns, error_html(result)]
                return
            if isinstance(result, Answer):
                break
            for prefix in word_groups(result):
                chat[-1] = message("assistant", render_answer(shown + prefix, set(), turn, complete=False))
                yield "", chat, gr.skip(), asked, turns
                time.sleep(_STREAM_PAUSE_S)
            shown += result
        panel = sources_html(result, turn, settings)
        cited = {c.n for c in result.citations}
        chat[-1] = message("assistant", render_answer(result.answer, cited, turn) + sources_footer(result))
        yield "", chat, panel, [*asked, question], [*turns, panel]

    return respond


def show_turn(turns: list[str], event: gr.SelectData) -> str:
    """Clicking an earlier message brings back the sources of that answer."""
    index = event.index if isinstance(event.index, int) else event.index[0]
    turn = index // 2
    return turns[turn] if 0 <= turn < len(turns) else gr.skip()


def clear() -> tuple[list, str, list, list, str]:
    return [], EMPTY_SOURCES, [], [], ""


def articles_html(settings: Settings) -> str:
    """The indexed articles as a table, or why there is none (e.g. no index built yet)."""
    try:
        records = list_articles(settings)
    except NewsQAError as exc:
        return f'<div class="articles-note">{html.escape(str(exc))}</div>'
    head = "".join(f"<th>{html.escape(c)}</th>" for c in ARTICLE_COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in _article_cells(r)) + "</tr>" for r in records)
    count = f"{len(records)} bài báo / articles"
    return f'<div class="articles-note">{count}</div><table class="articles"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _article_cells(record: ArticleRecord) -> list[str]:
    """A row of the article table, escaped: an article without a date is shown as
    undated, and its source is its web address (a link if http/https) or its site."""
    source = link_html(record.site or record.url, record.url) if record.url else html.escape(record.site)
    date = record.date or "không rõ ngày / undated"
    return [html.escape(record.title), html.escape(date), source, html.escape(record.id), str(record.n_chunks)]


def ingest_report_html(upload: UploadReport) -> str:
    """What the upload did: the ingest summary first, then every file left out and why."""
    lines = list(upload.refused)
    report = upload.ingest
    if report is not None:
        lines.insert(0, report.summary())
        if report.added or report.updated:
            lines.insert(1, "Có thể hỏi ngay / searchable now: " + ", ".join([*report.added, *report.updated]))
        lines.extend(f"bỏ qua / skipped: {m}" for m in upload.skipped)
    elif not upload.refused:
        lines.append(f"Chọn tệp {article_kinds('hoặc')} trước / choose {article_kinds('or')} files first")
    return "".join(f"<div>{html.escape(line)}</div>" for line in lines)


def make_add_articles(settings: Settings) -> Callable[..., tuple]:
    def add_articles(
        files: list[str] | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio swaps in a tracker per event
    ) -> tuple[str, str, None]:
        """Save the uploaded articles, ingest them (searchable at once) and list the index."""

        def on_progress(done: int, total: int, article_id: str) -> None:
            progress((done, total), desc=f"embedding {article_id}", unit="sentences")

        upload = add_uploads(files or [], settings, progress=on_progress)
        return ingest_report_html(upload), articles_html(settings), None

    return add_articles


def make_add_url(settings: Settings) -> Callable[..., tuple]:
    def add_from_url(
        url: str,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio swaps in a tracker per event
    ) -> tuple[str, str, str]:
        """Fetch the page at `url` and ingest it; a URL that fails gives one line, and the
        field keeps it so it can be corrected."""

        def on_progress(done: int, total: int, article_id: str) -> None:
            progress((done, total), desc=f"embedding {article_id}", unit="sentences")

        report = add_url(url or "", settings, progress=on_progress)
        kept = report.ingest is None or bool(report.skipped)
        return ingest_report_html(report), articles_html(settings), url if kept else ""

    return add_from_url


def make_ask_api(settings: Settings) -> Callable[..., dict]:
    def ask_api(question: str, history: list[str] | None = None, k: int | None = None) -> dict:
        """Answer a question with citations; the full result (qa.types.Answer) as JSON."""
        try:
            chosen = settings.with_(top_k=api_top_k(k))  # Settings refuses a k out of range
            return ask(question, history=api_history(history), settings=chosen).to_dict()
        except NewsQAError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return ask_api


def api_top_k(k: object) -> int | None:
    """`k` as an API client sent it: omitted, or a whole number (JSON may write 3 as 3.0).
    Gradio passes JSON values on unchecked."""
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    if k is not None and (isinstance(k, bool) or not isinstance(k, int)):
        raise NewsQAError(f"k must be a whole number of passages (got {str(k)[:20]!r})")
    return k


def api_history(history: object) -> list[str]:
    """The earlier questions as an API client sent them: omitted, or a list of texts."""
    if history is None:
        return []
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise NewsQAError("history must be a list of the earlier questions, as texts")
    return history


# --- evaluation tab -------------------------------------------------------------------

BUNDLED_SET = "Bộ có sẵn / Bundled set (eval/questions.jsonl)"
UPLOADED_SET = "Tệp tải lên / Uploaded file"
# Failed questions shown on the page, each with its source cards; the report has them all.
FAILURES_SHOWN = 30
EVAL_FORMAT_HELP = (
    "Một dòng JSON cho mỗi câu hỏi / one JSON object a line: `id`, `question`, `lang` (`vi`, `vi-noaccent`, `en`), "
    "`answerable`, `sources` (article ids from the Articles table), `evidence` (copied word for word from a source), "
    "`answer_keywords` (groups of alternatives the answer must hold). A SQuAD `.json` file runs on a temporary index "
    "of its own articles, never on yours."
)
_UNEXPECTED = "lỗi không mong đợi, xem nhật ký máy chủ / unexpected error, see the server log"


def eval_progress_html(step: Step) -> str:
    """A progress bar and what it counts: the sentences of a SQuAD set's articles being
    indexed, then the questions asked."""
    from eval.session import INDEXING

    if step.stage == INDEXING:
        counted = f"{step.done}/{step.total} / indexing the set's articles: sentence {step.done} of {step.total}"
        text = f"Lập chỉ mục tạm: câu {counted}"
    else:
        text = f"Câu hỏi {step.done}/{step.total} / question {step.done} of {step.total}"
    return (
        f'<div class="eval-progress" data-stage="{step.stage}" data-done="{step.done}" data-total="{step.total}">'
        f'<progress value="{step.done}" max="{max(step.total, 1)}"></progress><span>{html.escape(text)}</span></div>'
    )


def eval_status_html(outcome: Outcome) -> str:
    """What the run did: done with so many failed, or cancelled after so many questions."""
    from eval.report import stopped_note

    run = outcome.run
    if not run.complete:
        return f'<div class="eval-stopped">Đã huỷ / Cancelled. {html.escape(stopped_note(run))}</div>'
    failed = sum(d.failed for d in run.details)
    return f'<div class="eval-done">Xong / Done: {run.planned} câu hỏi / questions, {failed} sai / failed.</div>'


def failures_html(outcome: Outcome) -> str:
    """The failed questions, each with what was answered, why it failed and its sources."""
    failed = [d for d in outcome.run.details if d.failed]
    if not failed:
        return '<div class="failures-title">Không câu nào sai / No failed question</div>' if outcome.run.details else ""
    more = f"; the first {FAILURES_SHOWN} shown, all in the report" if len(failed) > FAILURES_SHOWN else ""
    title = f"Câu sai / Failed questions ({len(failed)} of {len(outcome.run.details)}{more})"
    shown = [failure_html(d, f"eval{i}", outcome.records) for i, d in enumerate(failed[:FAILURES_SHOWN])]
    return f'<div class="failures-title">{html.escape(title)}</div>' + "".join(shown)


def failure_html(detail: Detail, turn: str, records: Mapping[str, ArticleRecord | None]) -> str:
    """A failed question: its markers open its source cards, highlighted as in the chat."""
    from eval.report import failure_reasons

    r = detail.result
    cited = {c.n for c in detail.reply.citations}
    return (
        f'<section class="eval-failure" data-question-id="{html.escape(r.id)}">'
        f'<div class="failure-head">{html.escape(r.id)} ({html.escape(r.lang)}) — '
        f"{html.escape(', '.join(failure_reasons(detail)))}</div>"
        f'<div class="failure-question"><b>Câu hỏi / Question:</b> {escape_text(detail.question)}</div>'
        f'<div class="failure-answer"><b>Trả lời / Answered:</b> {render_answer(detail.answer, cited, turn)}</div>'
        f"{panel_html(detail.reply, turn, records)}</section>"
    )


def make_eval_events(settings: Settings) -> tuple[Callable[..., Iterator[tuple]], Callable[..., None]]:
    """The Run and Cancel handlers of the evaluation tab; a run is cancelled by the
    session that started it."""
    from eval import session
    from eval.report import table

    stops: dict[str, threading.Event] = {}

    def run_evaluation(
        choice: str, upload: str | None, top_k: float, mode: str, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        """Check the whole set, then run it with a progress bar; at the end its table,
        chart, failed questions and the files to download."""
        off = gr.DownloadButton(value=None, interactive=False)
        yield "Đang kiểm tra bộ câu hỏi / checking the question set…", "", None, "", off, off
        chosen = settings.with_(answer_mode=mode)
        key = request.session_hash or ""
        stop = stops[key] = threading.Event()
        try:
            if choice == UPLOADED_SET:
                if not upload:
                    raise NewsQAError("chọn một tệp câu hỏi trước / choose a question file first")
                question_set = session.load_question_set(Path(upload), Path(upload).name, chosen)
            else:
                question_set = session.bundled_set(chosen)
            with tempfile.TemporaryDirectory(prefix="newsqa-eval-") as folder:
                for item in session.run_steps(question_set, chosen, int(top_k), stop):
                    if isinstance(item, session.Step):
                        yield eval_progress_html(item), *[gr.skip()] * 5
                    else:
                        outcome = item
                json_path, report_path, chart = session.write_outputs(outcome, Path(folder))
                yield (
                    eval_status_html(outcome),
                    table(outcome.run),
                    gr.Image(value=chart) if outcome.run.details else None,
                    failures_html(outcome),
                    gr.DownloadButton(value=json_path, interactive=True),
                    gr.DownloadButton(value=report_path, interactive=True),
                )
        except NewsQAError as exc:
            yield error_html(str(exc)), "", None, "", off, off
        except Exception:  # the user gets a message; the log keeps the traceback
            log.exception("unexpected error in an evaluation run")
            yield error_html(_UNEXPECTED), "", None, "", off, off
        finally:
            if stops.get(key) is stop:
                del stops[key]

    def cancel_evaluation(request: gr.Request) -> None:
        """Stop this session's run after the question in hand; the run then says how far it got."""
        stop = stops.get(request.session_hash or "")
        if stop is not None:
            stop.set()

    return run_evaluation, cancel_evaluation


# --- layout ---------------------------------------------------------------------------


def make_timeline(settings: Settings) -> Callable[[str, str, str], str]:
    """The timeline tab's handler: the dated events (`qa.timeline`) holding the words, each
    opening its source card with the sentence highlighted in its article."""

    def show_timeline(query: str, since: str, until: str) -> str:
        try:
            events = timeline(
                settings, query or "", parse_bound(since) if since else None, parse_bound(until) if until else None
            )
        except NewsQAError as exc:
            return error_html(str(exc))
        if not events:
            return '<div class="sources-title">Không có sự kiện có ngày nào khớp / No dated event matches</div>'
        records = _records([e.article_id for e in events], settings)
        rows = []
        for i, e in enumerate(events, start=1):
            cited = Citation(i, e.article_id, e.title, e.article_date, e.text, e.start, e.end, ((e.start, e.end),))
            rows.append(
                f'<details class="event"><summary><b>{html.escape(e.label)}</b> {html.escape(e.text)}</summary>'
                f"{_card(f'event-{i}', e.label, cited, records)}</details>"
            )
        return f'<div class="sources-title">Dòng thời gian / Timeline ({len(rows)})</div>{"".join(rows)}'

    return show_timeline


def k_and_mode(settings: Settings, modes: list[str]) -> tuple[gr.Slider, gr.Radio]:
    """The passages-retrieved slider and the answer-mode choice, as the chat and the evaluation show them."""
    top_k = gr.Slider(
        1, TOP_K_MAX, value=min(settings.retrieval.top_k, TOP_K_MAX), step=1, label="Số đoạn tìm / Passages (k)"
    )
    mode = gr.Radio(
        modes,
        value=settings.answering.answer_mode if settings.answering.answer_mode in modes else modes[0],
        label="Cách trả lời / Answer mode",
    )
    return top_k, mode


def build_timeline_tab(settings: Settings) -> None:
    """The timeline tab: the dated events of the articles in order, filtered by words and dates."""
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            timeline_words = gr.Textbox(label="Từ khoá / Words", max_lines=1, elem_id="timeline-words")
            timeline_from = gr.Textbox(label="Từ ngày / From (YYYY-MM-DD)", max_lines=1, elem_id="timeline-from")
            timeline_to = gr.Textbox(label="Đến ngày / To (YYYY-MM-DD)", max_lines=1, elem_id="timeline-to")
            timeline_button = gr.Button("Xem dòng thời gian / Show timeline", elem_id="timeline-show")
        with gr.Column(scale=3):
            timeline_events = gr.HTML(elem_id="timeline", max_height=600)
    timeline_io = {
        "fn": make_timeline(settings),
        "inputs": [timeline_words, timeline_from, timeline_to],
        "outputs": [timeline_events],
        "api_visibility": "private",
    }
    timeline_button.click(**timeline_io)
    timeline_words.submit(**timeline_io)


def build_eval_tab(settings: Settings, modes: list[str]) -> None:
    """The evaluation tab: choose a set, k and the answer mode, run, read what failed.

    A run has its own queue of one, apart from the chat's: people keep chatting while it
    runs (a second run waits its turn), and Cancel is never queued behind it."""
    from eval.session import TEMPLATE

    gr.Markdown(
        "Chạy một bộ câu hỏi để xem trợ lý có đáng tin trên bài báo của bạn không. / "
        "Run a question set to see whether the assistant can be trusted on your articles."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=340):
            choice = gr.Radio([BUNDLED_SET, UPLOADED_SET], value=BUNDLED_SET, label="Bộ câu hỏi / Question set")
            upload = gr.File(
                label="Tải lên bộ câu hỏi (.jsonl, SQuAD .json) / Upload a question set",
                file_types=[".jsonl", ".json"],
                type="filepath",
                elem_id="eval-upload",
            )
            gr.Markdown(EVAL_FORMAT_HELP, elem_id="eval-help")
            gr.DownloadButton(
                "Tải mẫu bộ câu hỏi / Download a question-set template", value=TEMPLATE, elem_id="eval-template"
            )
            with gr.Row():
                top_k, mode = k_and_mode(settings, modes)
            with gr.Row():
                run = gr.Button("Chạy đánh giá / Run evaluation", variant="primary", elem_id="eval-run")
                cancel = gr.Button("Huỷ / Cancel", variant="stop", elem_id="eval-cancel")
            status = gr.HTML(elem_id="eval-status")
            with gr.Row():
                json_file = gr.DownloadButton(
                    "Tải kết quả JSON / Download the JSON results", interactive=False, elem_id="eval-json"
                )
                report_file = gr.DownloadButton(
                    "Tải báo cáo Markdown / Download the Markdown report", interactive=False, elem_id="eval-report"
                )
        with gr.Column(scale=2, min_width=420):
            table = gr.Markdown(elem_id="eval-table")
            chart = gr.Image(label="Theo ngôn ngữ / By question language", type="filepath", elem_id="eval-chart")
    failures = gr.HTML(elem_id="eval-failures")

    run_evaluation, cancel_evaluation = make_eval_events(settings)
    upload.upload(lambda: UPLOADED_SET, None, [choice], api_visibility="private")
    run.click(
        run_evaluation,
        [choice, upload, top_k, mode],
        [status, table, chart, failures, json_file, report_file],
        concurrency_limit=1,
        concurrency_id="eval",
        show_progress="minimal",
        show_progress_on=[status],
        api_visibility="private",
    )
    cancel.click(
        cancel_evaluation,
        None,
        None,
        concurrency_limit=None,
        concurrency_id="eval-cancel",
        show_progress="hidden",
        api_visibility="private",
    )


def build_app(settings: Settings) -> gr.Blocks:
    """The whole page, with its queue; `launch_options` says how to serve it."""
    modes = answer_modes(settings)
    # No telemetry: the page must make no request beyond loopback.
    with gr.Blocks(title="Hỏi đáp tin tức / News Q&A", analytics_enabled=False) as demo:
        gr.Markdown(
            "## Hỏi đáp tin tức / News Q&A\n"
            "Hỏi bằng tiếng Việt hoặc tiếng Anh. Mỗi câu trả lời trích nguyên văn các bài báo; "
            "bấm vào [1] để xem đoạn nguồn được tô sáng. / Ask in Vietnamese or English. "
            "Every answer quotes the articles; click a marker such as [1] to see its highlighted source."
        )
        asked = gr.State([])
        turns = gr.State([])
        with gr.Tabs():
            with gr.Tab("Hỏi đáp / Chat", id="chat-tab"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=420):
                    chatbot = gr.Chatbot(
                        elem_id="chat",
                        label="Hội thoại / Conversation",
                        height=520,
                        sanitize_html=True,
                        render_markdown=True,
                        latex_delimiters=[],
                        buttons=[],
                        feedback_options=None,
                        placeholder="Đặt câu hỏi về các bài báo bên dưới. / Ask a question about the articles below.",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            elem_id="question",
                            show_label=False,
                            placeholder="Nhập câu hỏi rồi nhấn Enter / Type a question and press Enter",
                            max_length=settings.answering.max_question_chars,
                            scale=5,
                            autofocus=True,
                        )
                        send = gr.Button("Hỏi / Ask", variant="primary", scale=1, min_width=90)
                    examples = gr.Examples(EXAMPLES, inputs=[question], label="Ví dụ / Examples (click to ask)")
                    with gr.Row():
                        top_k, mode = k_and_mode(settings, modes)
                    new_chat = gr.Button("Xoá hội thoại / Clear conversation", variant="secondary")
                with gr.Column(scale=2, min_width=360):
                    sources = gr.HTML(EMPTY_SOURCES, elem_id="sources", label="Nguồn / Sources", max_height=700)
            with gr.Tab("Dòng thời gian / Timeline", id="timeline-tab"):
                build_timeline_tab(settings)
            with gr.Tab("Đánh giá / Evaluation", id="eval-tab"):
                build_eval_tab(settings, modes)
        with gr.Accordion("Bài báo trong chỉ mục / Articles in the index", open=True), gr.Row():
            with gr.Column(scale=1, min_width=280):
                uploads = gr.File(
                    label=(
                        f"Thêm bài báo ({', '.join(ARTICLE_SUFFIXES)}, ≤ {settings.server.max_upload_bytes / 1e6:.1f} MB)"
                        " / Add articles"
                    ),
                    file_count="multiple",
                    file_types=list(ARTICLE_SUFFIXES),
                    type="filepath",
                    elem_id="uploads",
                )
                add = gr.Button("Thêm vào chỉ mục / Add to index", elem_id="add-articles")
                url = gr.Textbox(
                    label="Địa chỉ bài báo / Article URL",
                    placeholder="https://…",
                    max_lines=1,
                    max_length=2048,
                    elem_id="article-url",
                )
                add_url_button = gr.Button("Thêm từ URL / Add from URL", elem_id="add-url")
                status = gr.HTML(elem_id="upload-status")
            with gr.Column(scale=3):
                table = gr.HTML(elem_id="articles", max_height=420)

        respond = make_respond(settings)
        chat_io = {
            "fn": respond,
            "inputs": [question, chatbot, asked, turns, top_k, mode],
            "outputs": [question, chatbot, sources, asked, turns],
            "api_visibility": "private",
        }
        question.submit(**chat_io)
        send.click(**chat_io)
        examples.load_input_event.then(**chat_io)
        chatbot.select(show_turn, [turns], [sources], api_visibility="private").then(None, js=NEWSQA_SHOW_PENDING)
        new_chat.click(clear, None, [chatbot, sources, asked, turns, question], api_visibility="private")
        chatbot.clear(clear, None, [chatbot, sources, asked, turns, question], api_visibility="private")
        add.click(
            make_add_articles(settings),
            [uploads],
            [status, table, uploads],
            concurrency_limit=1,
            concurrency_id="ingest",
            api_visibility="private",
        )
        url_io = {
            "fn": make_add_url(settings),
            "inputs": [url],
            "outputs": [status, table, url],
            "concurrency_limit": 1,
            "concurrency_id": "ingest",
            "api_visibility": "private",
        }
        url.submit(**url_io)
        add_url_button.click(**url_io)
        demo.load(lambda: articles_html(settings), None, [table], api_visibility="private")
        gr.api(make_ask_api(settings), api_name="ask")
    demo.queue(default_concurrency_limit=settings.server.concurrency)
    keep_few_queue_events(demo)
    return demo


def keep_few_queue_events(demo: gr.Blocks) -> None:
    """Gradio's queue keeps its latest events for a monitoring page (not enabled here)
    and summarises them with pandas after every event: time taken from each question,
    and memory that climbs until the log is full. Kept short and summarised seldom.

    Gradio reads these two from GRADIO_ANALYTICS_* environment variables when it makes
    the queue; they are set on the queue instead, since the page writes no environment
    (tests/test_ui_client.py checks the attributes still exist)."""
    demo._queue.ANALYTICS_MAX_EVENTS = QUEUE_EVENTS_KEPT
    demo._queue.ANAYLTICS_CACHE_FREQUENCY = QUEUE_EVENTS_KEPT  # Gradio's spelling


def launch_options(settings: Settings) -> dict[str, Any]:
    """How to serve the app: loopback by default, optional login, our CSS and script."""
    auth = (settings.server.auth_user, settings.server.auth_password) if has_login(settings) else None
    return {
        "server_name": settings.server.host,
        "server_port": settings.server.port,
        "share": settings.server.share,
        "auth": auth,
        "css": CSS,
        "js": JS,
        # Larger files are refused by Gradio before they are stored; smaller ones over the
        # limit reach `qa.uploads`, which names the file that is too big.
        "max_file_size": 10 * settings.server.max_upload_bytes,
        "ssr_mode": False,
    }


def has_login(settings: Settings) -> bool:
    return bool(settings.server.auth_user and settings.server.auth_password)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only ("0.0.0.0" and "" are every interface)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def open_serving_warning(settings: Settings) -> str | None:
    """Served beyond this machine without a login, anyone who can reach the chat can ask
    and add articles: refused (NewsQAError) unless `allow_no_auth` says it is meant, and
    then the warning to show. None when the chat is served on loopback or with a login."""
    if has_login(settings) or (is_loopback(settings.server.host) and not settings.server.share):
        return None
    where = "a public share link" if settings.server.share else settings.server.host or "every interface"
    if not settings.server.allow_no_auth:
        raise NewsQAError(
            f"refusing to serve the chat on {where} without a password: set NEWSQA_AUTH_USER and "
            "NEWSQA_AUTH_PASSWORD, or pass --no-auth (NEWSQA_ALLOW_NO_AUTH=1) to serve it open"
        )
    return f"warning: serving the chat on {where} without a password (--no-auth): anyone who can reach it can use it"


def launch(settings: Settings) -> None:
    """Serve the chat until interrupted (`qa ui` and `python ui.py`)."""
    warning = open_serving_warning(settings)
    if warning:
        print(warning, file=sys.stderr)
    build_app(settings).launch(**launch_options(settings))


def main() -> int:
    try:
        launch(Settings.from_env())
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
