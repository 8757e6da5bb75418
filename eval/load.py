"""`python -m eval.load`: many users asking at once while an upload is ingested; a soak.

The app is driven the way its users drive it. Each simulated user is a
`gradio_client.Client` asking through the public /ask endpoint, one question after
another (it waits for each answer). The questions are those of `eval/questions.jsonl`
(Vietnamese, unaccented, English; answerable or not), shuffled and repeated. Partway
through, a few new articles (seed sentences recombined under a headline of their own)
are uploaded through the page's own path: the files are POSTed to Gradio's upload route
and the "Add to index" button's event is queued with them, as the browser does it. The
button has no API name, so gradio_client cannot press it; raw HTTP can.

Then every answer is checked: each marker [n] has a citation, each citation is one of
the answer's passages, and its text is the article body at [start:end] (read from the
index the app serves). The run reports errors, latency, throughput and the server
process's memory, and exits 1 when anything failed: an error, a bad citation, an upload
that is not searchable, a hard deadline reached, or (with --soak) memory that grows.

Without --url it starts its own app (tests/ui_server.py: a fresh index of seeds/ in a
temporary folder, a free loopback port) in a child process, so the memory measured is
the server's alone. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html
import ipaddress
import itertools
import json
import os
import random
import re
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import urljoin, urlparse

import httpx
import numpy as np
from gradio_client import Client

from eval.bench import SeedText, clean_env, percentile, proc_memory_mb
from eval.questions import DEFAULT_QUESTIONS, Question, load_questions
from qa.catalog import get_article, list_articles
from qa.settings import PROJECT_ROOT, Settings
from qa.types import MARKER
from vectorstore.articles import article_id_for
from vectorstore.errors import NewsQAError

DEFAULT_USERS = 20
DEFAULT_QUESTION_COUNT = 400
SOAK_USERS = 4
MAX_USERS = 64
MAX_QUESTION_COUNT = 10_000
DEFAULT_DEADLINE_S = 600.0
# A soak gets this long beyond its own duration to finish the questions in flight.
SOAK_GRACE_S = 120.0
ANSWER_TIMEOUT_S = 60.0
UPLOAD_TIMEOUT_S = 120.0
SERVER_START_TIMEOUT_S = 180.0
LOAD_SAMPLE_EVERY_S = 1.0
SOAK_SAMPLE_EVERY_S = 5.0
UPLOAD_ARTICLES = 3
SENTENCES_PER_ARTICLE = 8
# The upload starts once this share of the questions is answered: the load is steady.
UPLOAD_AFTER_FRACTION = 0.1
# Memory "keeps growing" when the median of the last third of the samples is this much
# above the first third's.
GROWTH_TOLERANCE = 0.03
SHUFFLE_SEED = 20251016
UI_SERVER = PROJECT_ROOT / "tests" / "ui_server.py"
ADD_BUTTON = "add-articles"
UPLOAD_HOW = 'Gradio upload route + the page\'s "Add to index" event, over HTTP as the browser sends them'
_SERVING = re.compile(r"serving (?P<url>\S+) \(index in (?P<index>.+)\); Ctrl-C to stop")
_TAG = re.compile(r"<[^>]+>")


class LoadError(NewsQAError):
    """The run could not be set up or driven (the app did not start, the upload failed)."""


# --- the app under load --------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The app under load: where it listens, the index it serves (citations are checked
    against it) and its process (for memory; None when it cannot be found)."""

    url: str
    settings: Settings
    pid: int | None


def require_loopback(url: str) -> str:
    """The URL, if it points at this machine: the load must never leave it."""
    host = urlparse(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise LoadError(f"{url}: only a loopback address (127.0.0.1, ::1, localhost) can be loaded")
    return url if url.endswith("/") else url + "/"


def listening_pid(port: int) -> int | None:
    """The process listening on this local TCP port, read from /proc (None if not ours to see)."""
    sockets = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for row in table.read_text().splitlines()[1:]:
            cols = row.split()
            if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                sockets.add(f"socket:[{cols[9]}]")
    for fds in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in sockets for fd in fds.iterdir()):
                return int(fds.parent.name)
    return None


def running_app(url: str, index_dir: Path | None) -> Target:
    """An app someone else started; `index_dir` is the index it serves."""
    url = require_loopback(url)
    port = urlparse(url).port or 80
    return Target(url, Settings.from_env(index_dir=index_dir), listening_pid(port))


@contextlib.contextmanager
def own_app(timeout_s: float = SERVER_START_TIMEOUT_S) -> Iterator[Target]:
    """A fresh app on the seed articles in a child process (`tests/ui_server.py`), stopped
    with SIGTERM at the end so it removes its index; its upload cache is a folder of ours."""
    with tempfile.TemporaryDirectory(prefix="newsqa-load-") as folder:
        log_path = Path(folder) / "server.log"
        env = clean_env() | {"GRADIO_TEMP_DIR": str(Path(folder) / "gradio")}
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [sys.executable, str(UI_SERVER)], stdout=subprocess.PIPE, stderr=log, text=True, env=env
            )
        try:
            match = _SERVING.search(_first_line(proc, timeout_s))
            if match is None:
                raise LoadError(f"the app did not start; its log ends with:\n{log_path.read_text()[-2000:]}")
            index_dir = Path(match["index"])
            yield Target(match["url"], Settings.from_env(env={}, index_dir=index_dir), proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _first_line(proc: subprocess.Popen, timeout_s: float) -> str:
    """The child's first line of output, or "" if it exits or stays silent too long."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
    return proc.stdout.readline() if ready else ""


def new_client(url: str) -> Client:
    """A user's connection. gradio_client reports each new client to Hugging Face unless
    told not to; the load stays on this machine."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    try:
        return Client(url, verbose=False)
    except (httpx.HTTPError, ValueError) as exc:  # refused, or not a Gradio app
        raise LoadError(f"cannot reach the app at {url} ({type(exc).__name__}: {exc})") from None


# --- the upload ------------------------------------------------------------------------


def add_button_event(config: Mapping[str, Any]) -> tuple[int, int]:
    """(fn_index, trigger id) of the "Add to index" button's click, from the page's config."""
    button = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == ADD_BUTTON)
    for dependency in config["dependencies"]:
        if [button, "click"] in dependency["targets"]:
            return dependency["id"], button
    raise LoadError(f"the page has no click event on #{ADD_BUTTON}")


def upload_articles(url: str, files: Sequence[tuple[str, bytes]], timeout_s: float = UPLOAD_TIMEOUT_S) -> str:
    """Upload (name, content) files and press "Add to index", as the page does; returns the
    status text the page then shows (what was added, refused and why)."""
    api = urljoin(url, "gradio_api/")
    with httpx.Client(timeout=timeout_s) as http:
        fn_index, trigger = add_button_event(http.get(urljoin(url, "config")).raise_for_status().json())
        stored = http.post(urljoin(api, "upload"), files=[("files", (n, d, "text/plain")) for n, d in files])
        paths = stored.raise_for_status().json()
        data = [[{"path": p, "orig_name": n, "meta": {"_type": "gradio.FileData"}} for p, (n, _) in zip(paths, files)]]
        session = uuid.uuid4().hex
        body = {"data": data, "fn_index": fn_index, "trigger_id": trigger, "session_hash": session, "event_data": None}
        http.post(urljoin(api, "queue/join"), json=body).raise_for_status()
        with http.stream("GET", urljoin(api, "queue/data"), params={"session_hash": session}) as events:
            for line in events.iter_lines():
                message = json.loads(line[5:]) if line.startswith("data:") else {}
                if message.get("msg") == "process_completed":
                    if not message.get("success"):
                        raise LoadError(f"the upload failed: {message.get('output')}")
                    return html_text(message["output"]["data"][0])
    raise LoadError("the upload's event stream ended without a result")


def html_text(markup: str) -> str:
    """What a reader sees of the page's status HTML: one line per block."""
    lines = (html.unescape(part).strip() for part in _TAG.split(markup))
    return "\n".join(line for line in lines if line)


def recombined_articles(count: int, tag: str) -> dict[str, str]:
    """New articles (file name -> text) made of seed sentences, recombined. Each headline
    carries `tag`, a word no other article holds, so searching for it finds that article;
    the tag differs per run, so a rerun against the same app uploads new texts."""
    pool = sorted({s for sentences in SeedText.load(Settings.from_env(env={})).sentences for s in sentences})
    rng = random.Random(SHUFFLE_SEED)
    return {
        f"load_{tag}_{i}.txt": f"Bản tin tổng hợp {tag} số {i}\n" + " ".join(rng.sample(pool, SENTENCES_PER_ARTICLE))
        for i in range(1, count + 1)
    }


@dataclass
class UploadOutcome:
    """The upload made during the load, and whether its articles could be found after."""

    how: str
    articles: dict[str, str]  # article id -> its headline, the question that must find it
    started_s: float = 0.0
    seconds: float = 0.0
    status: str = ""
    error: str | None = None
    during_load: bool = False
    listed: bool = False
    searchable: dict[str, bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and self.during_load and self.listed and all(self.searchable.values())


# --- users and their questions ----------------------------------------------------------


@dataclass
class Outcome:
    """One question as its user saw it: the answer's JSON or the error, and how long it took."""

    question: Question
    started_s: float
    seconds: float
    result: dict[str, Any] | None = None
    error: str | None = None


class Feed:
    """The questions, handed to users one at a time until the count or the time runs out."""

    def __init__(self, questions: Sequence[Question], count: int | None, until: float) -> None:
        self._cycle = itertools.cycle(questions)
        self._count = count
        self._until = until
        self._lock = threading.Lock()
        self.taken = 0

    def next(self) -> Question | None:
        with self._lock:
            if time.monotonic() >= self._until or (self._count is not None and self.taken >= self._count):
                return None
            self.taken += 1
            return next(self._cycle)


def ask_until_done(client: Client, feed: Feed, outcomes: list[Outcome], t0: float, stop: float) -> None:
    """One user: ask, wait for the answer (never past `stop`), ask the next. Failures are
    recorded, not raised."""
    while (question := feed.next()) is not None:
        started = time.perf_counter()
        timeout = max(0.1, min(ANSWER_TIMEOUT_S, stop - time.monotonic()))
        try:
            result = client.submit(question=question.question, api_name="/ask").result(timeout=timeout)
            error = None if isinstance(result, dict) else f"not a result: {result!r:.200}"
        except Exception as exc:  # noqa: BLE001 - any failure is an error to count; the user goes on
            result, error = None, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        outcomes.append(Outcome(question, started - t0, time.perf_counter() - started, result, error))


def citation_problems(result: Mapping[str, Any], body_of: Callable[[str], str | None]) -> list[str]:
    """What is wrong with an answer's citations (nothing, for a sound answer): a marker
    without its citation, a citation that is not one of the answer's passages, a cited
    text that is not the article's at its span, a quote outside its passage."""
    unresolved = {int(n) for n in MARKER.findall(result["answer"])} - {c["n"] for c in result["citations"]}
    problems = [f"marker [{n}] has no citation" for n in sorted(unresolved)]
    listed = {(p["article_id"], p["start"], p["end"]) for p in result["passages"]}
    for c in result["citations"]:
        where = f"[{c['n']}] {c['article_id']}[{c['start']}:{c['end']}]"
        if (c["article_id"], c["start"], c["end"]) not in listed:
            problems.append(f"{where} is not one of the answer's passages")
        body = body_of(c["article_id"])
        if body is None or body[c["start"] : c["end"]] != c["text"]:
            problems.append(f"{where}: the cited text is not the article's text at that span")
        if not all(c["start"] <= s < e <= c["end"] for s, e in c["quotes"]):
            problems.append(f"{where}: a quoted sentence lies outside the passage")
    return problems


def body_reader(settings: Settings) -> Callable[[str], str | None]:
    """Article bodies from the index the app serves, each read once."""

    @functools.cache
    def body_of(article_id: str) -> str | None:
        record = get_article(article_id, settings)
        return record.body if record else None

    return body_of


# --- memory ------------------------------------------------------------------------------


class MemorySampler:
    """The server's resident memory every few seconds, from a background thread."""

    def __init__(self, pid: int | None, every_s: float) -> None:
        self.pid = pid
        self.every_s = every_s
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        t0 = time.monotonic()
        with contextlib.suppress(OSError):  # the server went away: the samples so far stand
            while True:
                self.samples.append((time.monotonic() - t0, proc_memory_mb(self.pid)["rss_mb"]))
                if self._stop.wait(self.every_s):
                    return

    def __enter__(self) -> Self:
        if self.pid is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def summary(self, soak: bool) -> dict[str, Any]:
        if not self.samples:
            return {"pid": self.pid, "note": "the server's process could not be found: memory not measured"}
        peak = max(mb for _, mb in self.samples)
        with contextlib.suppress(OSError):
            peak = max(peak, proc_memory_mb(self.pid)["peak_rss_mb"])
        out: dict[str, Any] = {
            "pid": self.pid,
            "rss_start_mb": round(self.samples[0][1], 1),
            "rss_end_mb": round(self.samples[-1][1], 1),
            "peak_rss_mb": round(peak, 1),
            "samples": [(round(t, 1), round(mb, 1)) for t, mb in self.samples],
        }
        if soak:
            out["trend"] = memory_trend(self.samples)
        return out


def memory_trend(samples: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Whether memory keeps growing: the medians of the first and last thirds of the
    samples (robust to a collection here and there), and the slope of a line through the
    last two thirds (the first holds the warm-up, as caches and allocator arenas fill)."""
    third = max(1, len(samples) // 3)
    first = statistics.median(mb for _, mb in samples[:third])
    last = statistics.median(mb for _, mb in samples[-third:])
    steady = samples[third:]
    slope = np.polyfit([t / 60 for t, _ in steady], [mb for _, mb in steady], 1)[0] if len(steady) > 2 else 0.0
    return {
        "n_samples": len(samples),
        "first_third_median_mb": round(first, 1),
        "last_third_median_mb": round(last, 1),
        "slope_mb_per_min": round(float(slope), 2),
        "growing": last > first * (1 + GROWTH_TOLERANCE),
    }


# --- one run ----------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What a run measured and found; `ok` is the verdict."""

    mode: str
    url: str
    users: int
    planned: int | None
    asked: int
    answered: int
    abstained: int
    errors: list[str]
    citations_checked: int
    citation_problems: list[str]
    latency_ms: dict[str, float]
    throughput_qps: float
    seconds: float
    by_language: dict[str, int]
    memory: dict[str, Any]
    upload: UploadOutcome | None
    deadline_hit: bool

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and not self.citation_problems
            and not self.deadline_hit
            and (self.upload is None or self.upload.ok)
            and not self.memory.get("trend", {}).get("growing", False)
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}

    def lines(self) -> list[str]:
        """The report for a reader, a few lines."""
        languages = ", ".join(f"{lang} {n}" for lang, n in sorted(self.by_language.items()))
        out = [
            f"{self.mode}: {self.users} users asked {self.asked} questions ({languages}) in {self.seconds:.1f} s",
            f"answers: {self.answered} with citations, {self.abstained} not found in the articles",
            f"errors: {len(self.errors)}" + "".join(f"\n  {e}" for e in self.errors[:10]),
            f"citations: {self.citations_checked} checked, {len(self.citation_problems)} invalid"
            + "".join(f"\n  {p}" for p in self.citation_problems[:10]),
            f"latency: p50 {self.latency_ms['p50']:.0f} ms, p95 {self.latency_ms['p95']:.0f} ms, max {self.latency_ms['max']:.0f} ms",
            f"throughput: {self.throughput_qps:.1f} questions/s",
        ]
        if self.deadline_hit:
            out.append(f"DEADLINE reached after {self.asked} of {self.planned} questions")
        if self.upload is not None:
            out.append(upload_line(self.upload))
        out.append(memory_line(self.memory))
        out.append("OK" if self.ok else "FAILED")
        return out


def upload_line(upload: UploadOutcome) -> str:
    if upload.error:
        return f"upload: FAILED: {upload.error}"
    found = sum(upload.searchable.values())
    return (
        f"upload ({upload.how}): {len(upload.articles)} articles, started at {upload.started_s:.1f} s,"
        f" took {upload.seconds:.1f} s, {'during' if upload.during_load else 'NOT during'} the load;"
        f" {'listed' if upload.listed else 'NOT listed'} in the index, {found}/{len(upload.articles)} found by"
        f" a question afterwards\n  the page said: {' / '.join(upload.status.splitlines())}"
    )


def memory_line(memory: Mapping[str, Any]) -> str:
    if "note" in memory:
        return f"server memory: {memory['note']}"
    line = (
        f"server memory (pid {memory['pid']}): RSS {memory['rss_start_mb']:.0f} MB at the start,"
        f" {memory['rss_end_mb']:.0f} MB at the end, peak {memory['peak_rss_mb']:.0f} MB"
    )
    trend = memory.get("trend")
    if trend:
        line += (
            f"\nsoak memory: median {trend['first_third_median_mb']:.1f} MB in the first third of"
            f" {trend['n_samples']} samples, {trend['last_third_median_mb']:.1f} MB in the last;"
            f" slope after the first third {trend['slope_mb_per_min']:+.2f} MB/min:"
            f" {'GROWING' if trend['growing'] else 'steady'}"
        )
    return line


def upload_during(url: str, outcomes: list[Outcome], after: int, t0: float, stop: float) -> UploadOutcome:
    """Once `after` answers are in, upload a few new articles as a user of the page would."""
    articles = recombined_articles(UPLOAD_ARTICLES, uuid.uuid4().hex[:8])
    upload = UploadOutcome(
        UPLOAD_HOW, {article_id_for(Path(n)): text.split("\n", 1)[0] for n, text in articles.items()}
    )
    while len(outcomes) < after and time.monotonic() < stop:
        time.sleep(0.05)
    started = time.perf_counter()
    upload.started_s = started - t0
    try:
        files = [(name, text.encode("utf-8")) for name, text in articles.items()]
        upload.status = upload_articles(url, files, timeout_s=max(1.0, stop - time.monotonic()))
    except (LoadError, httpx.HTTPError) as exc:
        upload.error = f"{type(exc).__name__}: {exc}"
    upload.seconds = time.perf_counter() - started
    return upload


def check_upload(upload: UploadOutcome, outcomes: Sequence[Outcome], client: Client, settings: Settings) -> None:
    """After the load: did the upload overlap the questions, and can its articles be found?"""
    if upload.error:
        return
    last_answer = max((o.started_s + o.seconds for o in outcomes), default=0.0)
    upload.during_load = upload.started_s + upload.seconds < last_answer
    upload.listed = set(upload.articles) <= {r.id for r in list_articles(settings)}
    for article_id, headline in upload.articles.items():
        result = client.submit(question=headline, api_name="/ask").result(timeout=ANSWER_TIMEOUT_S)
        upload.searchable[article_id] = article_id in {p["article_id"] for p in result["passages"]}


def summarize(
    mode: str, target: Target, users: int, planned: int | None, outcomes: Sequence[Outcome], seconds: float
) -> LoadReport:
    """Counts, latency and every answer's citations checked against the index."""
    body_of = body_reader(target.settings)
    results = [o.result for o in outcomes if o.result is not None]
    problems = [f"{r['question'][:60]!r}: {p}" for r in results for p in citation_problems(r, body_of)]
    latencies = [o.seconds * 1000 for o in outcomes]
    return LoadReport(
        mode=mode,
        url=target.url,
        users=users,
        planned=planned,
        asked=len(outcomes),
        answered=sum(bool(r["answered"]) for r in results),
        abstained=sum(not r["answered"] for r in results),
        errors=[f"{o.question.id} {o.question.question[:60]!r}: {o.error}" for o in outcomes if o.error],
        citations_checked=sum(len(r["citations"]) for r in results),
        citation_problems=problems,
        latency_ms={
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "max": max(latencies, default=0),
        },
        throughput_qps=len(results) / seconds if seconds else 0.0,
        seconds=seconds,
        by_language=dict(Counter(o.question.lang for o in outcomes)),
        memory={},
        upload=None,
        deadline_hit=planned is not None and len(outcomes) < planned,
    )


def run_load(
    target: Target,
    users: int,
    count: int | None,
    deadline_s: float,
    soak_s: float | None = None,
) -> LoadReport:
    """`users` ask `count` questions (load; with an upload partway) or keep asking for
    `soak_s` seconds (soak; memory sampled every few seconds, no upload). Nothing runs
    past `deadline_s` from now: a question still unanswered then is an error."""
    stop = time.monotonic() + deadline_s
    questions = load_questions(DEFAULT_QUESTIONS)
    random.Random(SHUFFLE_SEED).shuffle(questions)
    feed = Feed(questions, count, until=min(stop, time.monotonic() + soak_s) if soak_s else stop)
    with ThreadPoolExecutor(users + 1) as pool:
        clients = list(pool.map(new_client, [target.url] * users))
        outcomes: list[Outcome] = []
        with MemorySampler(target.pid, SOAK_SAMPLE_EVERY_S if soak_s else LOAD_SAMPLE_EVERY_S) as memory:
            t0 = time.perf_counter()
            askers = [pool.submit(ask_until_done, c, feed, outcomes, t0, stop) for c in clients]
            uploading = None
            if not soak_s:
                after = int(count * UPLOAD_AFTER_FRACTION)
                uploading = pool.submit(upload_during, target.url, outcomes, after, t0, stop)
            for asker in askers:
                asker.result()
            seconds = time.perf_counter() - t0
        report = summarize("soak" if soak_s else "load", target, users, count, outcomes, seconds)
        report.memory = memory.summary(soak=bool(soak_s))
        if uploading is not None:
            report.upload = uploading.result()
            check_upload(report.upload, outcomes, clients[0], target.settings)
        for client in clients:
            client.close()
    return report


# --- command line -------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eval.load", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--users", type=int, help=f"simulated users (default {DEFAULT_USERS}; {SOAK_USERS} with --soak)"
    )
    parser.add_argument(
        "--questions", type=int, default=DEFAULT_QUESTION_COUNT, help="questions in all (not with --soak)"
    )
    parser.add_argument("--url", help="load this running app (loopback only) instead of starting one")
    parser.add_argument(
        "--index-dir", type=Path, help="with --url: the index that app serves (default: NEWSQA_INDEX_DIR or .index/)"
    )
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="steady load for this long, memory sampled")
    parser.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        help=f"hard stop (default {DEFAULT_DEADLINE_S:.0f} s; with --soak, its length + {SOAK_GRACE_S:.0f} s)",
    )
    parser.add_argument("--json-out", type=Path, help="write the report as JSON")
    return parser


def _checked(args: argparse.Namespace) -> argparse.Namespace:
    """Bounds on what one run may do, and the defaults that depend on the mode."""
    args.users = args.users or (SOAK_USERS if args.soak else DEFAULT_USERS)
    if not 1 <= args.users <= MAX_USERS:
        raise LoadError(f"--users must be between 1 and {MAX_USERS}")
    if not 1 <= args.questions <= MAX_QUESTION_COUNT:
        raise LoadError(f"--questions must be between 1 and {MAX_QUESTION_COUNT}")
    if args.soak is not None and not args.soak > 0:
        raise LoadError("--soak must be a positive number of seconds")
    args.deadline = args.deadline or (args.soak + SOAK_GRACE_S if args.soak else DEFAULT_DEADLINE_S)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _checked(_parser().parse_args(argv))
        with contextlib.nullcontext(running_app(args.url, args.index_dir)) if args.url else own_app() as target:
            print(f"loading {target.url} (index {target.settings.store.index_dir})", file=sys.stderr, flush=True)
            report = run_load(target, args.users, None if args.soak else args.questions, args.deadline, args.soak)
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
