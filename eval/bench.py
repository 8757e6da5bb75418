"""`python -m eval.bench`: speed and memory of ingest and questions as the corpus grows.

One run measures, on this machine (medians, after a warm-up):
- the embedder alone on the seed articles' sentences (what ingest embeds: each sentence
  once; a chunk's vector is the mean of its sentences', so "chunks/s" is seed chunks
  divided by the time to embed their sentences);
- the whole ingest of the seeds (read, parse, chunk, embed, write to Chroma) and its
  overhead over the embedder alone on the same sentences;
- re-ingesting an unchanged corpus (nothing to embed: the cost of noticing that);
- questions end to end through `qa.pipeline.ask`, by stage, beside a plain
  llama-index dense retriever over the same chunks and embedder (the baseline);
- peak memory of the process answering, the server's when there is one, and the
  index's size on disk;
at corpus sizes from the five seed articles up to 100,000 chunks, embedded and
against a `chroma run` server.

The large corpora are new articles made of seed sentences, recombined (as many per
article as a seed article has, drawn with a fixed seed) and ingested through
`ingest_paths`, the path `qa ingest` takes, with Chroma writes grouped by
`ArticleStore.batched`. Embedding hundreds of thousands of sentences with the real
model would take hours here, so these articles are embedded by `LookupEmbedding`,
which returns the vector the real model gave each seed sentence (every synthetic
sentence is a seed sentence), plus a small fixed-seed jitter so that thousands of
copies of a sentence are near neighbours rather than identical points (identical
points are not what a real corpus holds, and they degrade an HNSW graph). Questions
are embedded by the real model. The synthetic text has the seeds' vocabulary only, so
costs that grow with vocabulary (BM25 terms, the diacritic restorer) are smaller than
a real corpus of the same size would give. The server runs serve a copy of the
embedded index of the same size (building it twice would double the run time; the
tests ingest through a server).

Each measurement of questions runs in a fresh process, so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from eval.questions import DEFAULT_QUESTIONS, load_questions
from qa.catalog import chunking
from qa.resources import get_embedder
from qa.settings import PROJECT_ROOT, Settings
from vectorstore.articles import Article, find_article_files, load_article, parse_article
from vectorstore.chunking import chunk_article
from vectorstore.embedders import DEFAULT_EMBED_MODEL, embedder_key
from vectorstore.ingest import ingest_paths
from vectorstore.store import ArticleStore

SEEDS = PROJECT_ROOT / "seeds"
DEFAULT_SIZES = ("seed", "1000", "10000", "100000")
QUICK_SIZES = ("seed", "1000")
DEFAULT_SERVER_SIZES = ("seed", "10000")
# Articles written to Chroma per write when building the large corpora (see ArticleStore.batched).
BUILD_BATCH = 256
SYNTHETIC_SEED = 20251016
# Standard deviation of the jitter added to each coordinate of a looked-up vector: the
# jittered copy keeps a cosine of about 0.98 with the sentence's real vector.
JITTER = 0.01
WARMUP_QUESTIONS = 5
# Synthetic articles whose chunks are counted to estimate how many articles a size needs.
_CHUNK_SAMPLE = 500
_HEADLINE_CHARS = 200
TARGETS = {
    "query_p50_ms_seed": 30.0,
    "query_p50_ms_100k": 150.0,
    "query_p95_ms_100k": 300.0,
    "ingest_overhead": 0.10,
    "reingest_unchanged_10k_s": 5.0,
    "peak_rss_mb_100k": 2048.0,
    "run_duration_s": 900.0,  # the whole default run, sizes up to 100,000 chunks
}


# --- small measuring tools ---------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def proc_memory_mb(pid: int | str = "self") -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, from /proc.

    Not getrusage's ru_maxrss: Linux carries it across fork and exec, so a measuring
    process would report the benchmark's own peak whenever that was higher."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out["rss_mb" if name == "VmRSS" else "peak_rss_mb"] = int(value.split()[0]) / 1024
    return out


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def clean_env() -> dict[str, str]:
    """The environment for child processes: no NEWSQA_* settings of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env["ANONYMIZED_TELEMETRY"] = "False"
    return env


# --- a Chroma server -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServer:
    """`chroma run` on a loopback port, for the benchmark and the tests; restartable on
    the same port and folder, to play a server that goes away and comes back."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None
        self._log = path.parent / f"chroma-{self.port}.log"

    @property
    def pid(self) -> int:
        assert self._process is not None, "the server is not running"
        return self._process.pid

    def start(self, timeout_s: float = 30.0) -> ChromaServer:
        chroma = Path(sys.executable).parent / "chroma"
        command = [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=clean_env())
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self._process.returncode}: {self._log_tail()}")
            if self._heartbeat():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"chroma run gave no heartbeat on {self.url} within {timeout_s:.0f} s: {self._log_tail()}")

    def stop(self, timeout_s: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout_s)

    def _heartbeat(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def _log_tail(self) -> str:
        return " ".join(self._log.read_text(errors="replace").split()[-40:]) if self._log.exists() else ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- the seed sentences and their vectors ------------------------------------------


@dataclass(frozen=True)
class SeedText:
    """The seed articles as ingest sees them: each article's sentences, each once."""

    articles: list[Article]
    sentences: list[list[str]]
    n_chunks: int

    @classmethod
    def load(cls, settings: Settings) -> SeedText:
        config = chunking(settings)
        articles = [load_article(p, config.max_article_bytes) for p in find_article_files([SEEDS])]
        sentences, n_chunks = [], 0
        for article in articles:
            chunks = chunk_article(article, config.max_tokens, config.overlap_tokens)
            spans = sorted({span for chunk in chunks for span in chunk.sentences})
            sentences.append([article.body[s:e] for s, e in spans])
            n_chunks += len(chunks)
        return cls(articles, sentences, n_chunks)

    @property
    def n_sentences(self) -> int:
        return sum(len(s) for s in self.sentences)


class LookupEmbedding(BaseEmbedding):
    """Bench-only: the real model's vector of a seed sentence, looked up by its text.

    Synthetic articles are made of seed sentences only, so every text asked for is in
    the table; anything else is a bug in the benchmark and raises KeyError. With
    `jitter` > 0 each vector gets fixed-seed Gaussian noise and is re-normalised, so
    copies of a sentence are near neighbours, not identical points."""

    _table: dict[str, np.ndarray] = PrivateAttr()
    _jitter: float = PrivateAttr()
    _rng: np.random.Generator = PrivateAttr()

    def __init__(self, table: dict[str, np.ndarray], jitter: float = 0.0, seed: int = SYNTHETIC_SEED) -> None:
        super().__init__(model_name="bench-lookup", embed_batch_size=256)
        self._table = table
        self._jitter = jitter
        self._rng = np.random.default_rng(seed)

    @classmethod
    def class_name(cls) -> str:
        return "LookupEmbedding"

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        vectors = np.stack([self._table[t] for t in texts])
        if self._jitter > 0:
            vectors = vectors + self._rng.normal(0.0, self._jitter, vectors.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors.tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        raise NotImplementedError("questions are embedded by the real model")

    async def _aget_query_embedding(self, query: str) -> list[float]:
        raise NotImplementedError("questions are embedded by the real model")


# --- embedder and seed ingest ---------------------------------------------------------


def embed_seed_sentences(embedder: BaseEmbedding, seed: SeedText) -> dict[str, np.ndarray]:
    """Embed every seed sentence the way ingest does (per article, in its batches)."""
    table = {}
    for sentences in seed.sentences:
        vectors = embedder.get_text_embedding_batch(sentences)
        table.update(zip(sentences, (np.asarray(v, dtype=np.float32) for v in vectors)))
    return table


def _ingest_seeds_once(embedder: BaseEmbedding, settings: Settings, workdir: Path, batched: bool) -> float:
    index_dir = Path(tempfile.mkdtemp(dir=workdir))
    try:
        store = ArticleStore.open(index_dir, None, embedder_key(settings.embedder.embed_model), create=True)
        config = chunking(settings)
        writes = store.batched() if batched else contextlib.nullcontext()

        def run() -> None:
            with writes:
                ingest_paths([SEEDS], store, embedder, config)

        return timed(run)[0]
    finally:
        release_chroma()
        shutil.rmtree(index_dir, ignore_errors=True)


def _rates(seconds: float, seed: SeedText) -> dict[str, float]:
    return {
        "seconds": round(seconds, 3),
        "sentences_per_s": round(seed.n_sentences / seconds, 2),
        "chunks_per_s": round(seed.n_chunks / seconds, 2),
    }


def measure_seed_pipeline(
    embedder: BaseEmbedding, seed: SeedText, repeats: int, workdir: Path
) -> tuple[dict, dict, dict[str, np.ndarray]]:
    """The embedder alone on the seed sentences, then the whole ingest of the seeds into a
    fresh embedded index, as `qa ingest` runs it (per-article writes) and with writes
    grouped by batched(). The three are interleaved and each overhead is the median of
    per-round ratios, so a neighbour's load that comes and goes hits both sides alike."""
    settings = Settings.from_env(env={})
    embedder.get_text_embedding_batch(seed.sentences[0][:16])  # warm-up
    rounds = []
    for _ in range(repeats):
        embed_s, table = timed(lambda: embed_seed_sentences(embedder, seed))
        plain_s = _ingest_seeds_once(embedder, settings, workdir, batched=False)
        batched_s = _ingest_seeds_once(embedder, settings, workdir, batched=True)
        rounds.append((embed_s, plain_s, batched_s))
    embed_result = {
        "sentences": seed.n_sentences,
        "chunks": seed.n_chunks,
        **_rates(statistics.median(r[0] for r in rounds), seed),
        "repeats": repeats,
        "note": "sentences embedded per second; chunks_per_s = seed chunks / time to embed their sentences "
        "(a chunk vector is the mean of its sentences' vectors, so chunks are not embedded themselves)",
    }
    ingest_result: dict[str, Any] = {}
    for name, column in (("per_article_writes", 1), ("batched_writes", 2)):
        ingest_result[name] = {
            **_rates(statistics.median(r[column] for r in rounds), seed),
            "overhead_vs_embedder": round(statistics.median(r[column] / r[0] - 1 for r in rounds), 4),
        }
    ingest_result["repeats"] = repeats
    ingest_result["note"] = "overhead = ingest time / time of the embedder alone on the same sentences - 1"
    return embed_result, ingest_result, table


# --- synthetic corpora -----------------------------------------------------------------


@dataclass
class SyntheticCorpus:
    """Articles recombined from seed sentences, written as files under `root`: a headline
    line, then as many sentences as a seed article has (between the shortest and the
    longest seed)."""

    root: Path
    pool: list[str]
    headlines: list[str]
    settings: Settings
    lengths: tuple[int, int]
    rng: random.Random = field(default_factory=lambda: random.Random(SYNTHETIC_SEED))
    made: int = 0

    @classmethod
    def from_seed(cls, root: Path, seed: SeedText, settings: Settings) -> SyntheticCorpus:
        """Only sentences that come back whole when they stand alone on a line are used,
        so the lookup table always has the text that ingest will ask for; those that
        parse as a headline (no final full stop) can head an article."""
        candidates = sorted({s for sentences in seed.sentences for s in sentences})
        config = chunking(settings)
        pool = [
            s
            for s in candidates
            if [c.sentences for c in chunk_article(parse_article(s, "probe"), config.max_tokens, 0)] == [((0, len(s)),)]
        ]
        # A first line without final punctuation is read as the headline (as in seed 004).
        headlines = [s for s in pool if len(s) <= _HEADLINE_CHARS and s[-1] not in ".!?…:;,"]
        counts = [len(sentences) for sentences in seed.sentences]
        return cls(root, pool, headlines, settings, (min(counts), max(counts)))

    def article_text(self) -> str:
        day = 1 + self.made % 28
        sentences = self.rng.sample(self.pool, self.rng.randint(*self.lengths))
        if self.headlines:
            headline = self.rng.choice(self.headlines)
            sentences = [headline] + [s for s in sentences if s != headline]
        return f"date: 2025-10-{day:02d}\n" + "\n".join(sentences) + "\n"

    def _write_one(self, folder: Path) -> str:
        article_id = f"syn{self.made:07d}"
        text = self.article_text()
        (folder / f"{article_id}.txt").write_text(text, encoding="utf-8")
        self.made += 1
        return text

    def write(self, folder: Path, chunks_wanted: int) -> int:
        """New article files in `folder` holding about `chunks_wanted` chunks (1% more);
        returns how many articles. The chunks of the first articles are counted and the
        rest estimated from them: chunking all of them here would add half a minute at
        100,000 chunks, and the store counts them exactly afterwards."""
        config = chunking(self.settings)
        folder.mkdir(parents=True, exist_ok=True)
        sample = min(_CHUNK_SAMPLE, max(1, chunks_wanted // 4))
        counted = 0
        for i in range(sample):
            text = self._write_one(folder)
            counted += len(chunk_article(parse_article(text, f"p{i}"), config.max_tokens, config.overlap_tokens))
        rest = max(0, math.ceil((chunks_wanted - counted) * 1.01 * sample / counted))
        for _ in range(rest):
            self._write_one(folder)
        return sample + rest


@dataclass
class Corpus:
    """The embedded index being grown through the sizes, and the folders ingested into it."""

    settings: Settings
    folders: list[Path] = field(default_factory=list)
    chunks: int = 0

    @property
    def chroma_dir(self) -> Path:
        return self.settings.store.index_dir / "chroma"

    def store(self) -> ArticleStore:
        return ArticleStore.open(
            self.settings.store.index_dir, None, embedder_key(self.settings.embedder.embed_model), create=True
        )


def release_chroma() -> None:
    """Close this process's Chroma clients, so that the measuring process (or a server
    on a copy of the folder) has the index to itself and reads all of it from disk."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def grow(corpus: Corpus, paths: list[Path], embedder: BaseEmbedding) -> dict:
    """Ingest `paths` through ingest_paths, with Chroma writes grouped by batched()."""
    store = corpus.store()

    def run():
        with store.batched(BUILD_BATCH):
            return ingest_paths(paths, store, embedder, chunking(corpus.settings))

    seconds, report = timed(run)
    corpus.folders.extend(paths)
    corpus.chunks = store.count_chunks()
    vectors = report.chunks_stored + report.sentences_embedded
    return {
        "articles_added": len(report.added),
        "chunks_added": report.chunks_stored,
        "sentences_added": report.sentences_embedded,
        "seconds": round(seconds, 2),
        "chunks_per_s": round(report.chunks_stored / seconds, 1) if seconds else None,
        "records_per_s": round(vectors / seconds, 1) if seconds else None,
    }


def combined(builds: list[dict]) -> dict:
    """Several grow() rounds reported as one."""
    total = {k: sum(b[k] for b in builds) for k in ("articles_added", "chunks_added", "sentences_added", "seconds")}
    seconds = total["seconds"] or float("nan")
    return {
        **total,
        "seconds": round(total["seconds"], 2),
        "chunks_per_s": round(total["chunks_added"] / seconds, 1),
        "records_per_s": round((total["chunks_added"] + total["sentences_added"]) / seconds, 1),
    }


def reingest_unchanged(corpus: Corpus, embedder: BaseEmbedding) -> dict:
    """Ingest every file again, as `qa ingest` does (no batching); nothing may be embedded."""
    store = corpus.store()
    seconds, report = timed(lambda: ingest_paths(corpus.folders, store, embedder, chunking(corpus.settings)))
    assert not report.added and not report.updated, report.summary()
    return {"articles": len(report.unchanged), "chunks": corpus.chunks, "seconds": round(seconds, 3)}


# --- questions (run in a fresh process) --------------------------------------------------


def _stats(values: Sequence[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 50), 2), "p95_ms": round(percentile(values, 95), 2)}


def measure_questions(index_dir: str, chroma_url: str, n_questions: int) -> dict:
    """Questions through qa.pipeline.ask, then through the llama-index baseline (worker side)."""
    from llama_index.core import VectorStoreIndex

    from qa.pipeline import ask
    from qa.resources import get_resources

    settings = Settings.from_env(env={}, index_dir=Path(index_dir), chroma_url=chroma_url)
    questions = [q.question for q in load_questions(DEFAULT_QUESTIONS)][:n_questions]
    get_embedder(settings).get_query_embedding("khởi động")
    memory_before = proc_memory_mb()["rss_mb"]
    corpus_build_s, corpus = timed(lambda: get_resources(settings).corpus.get())
    memory_loaded = proc_memory_mb()["rss_mb"]
    for question in questions[:WARMUP_QUESTIONS]:
        ask(question, settings=settings)
    stages: dict[str, list[float]] = {}
    for question in questions:
        for stage, ms in ask(question, settings=settings).timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    peak_rss_mb = proc_memory_mb()["peak_rss_mb"]  # ours, before the baseline adds its own

    resources = get_resources(settings)
    index = VectorStoreIndex.from_vector_store(resources.store.vector_store, embed_model=resources.embedder)
    retriever = index.as_retriever(similarity_top_k=5)
    for question in questions[:WARMUP_QUESTIONS]:
        retriever.retrieve(question)
    baseline = [timed(lambda q=q: retriever.retrieve(q))[0] * 1000 for q in questions]

    ours = _stats(stages["total"])
    return {
        "questions": len(questions),
        "query": {**ours, "stages": {k: _stats(v) for k, v in stages.items() if k != "total"}},
        "baseline": _stats(baseline),
        "ratio_p50": round(ours["p50_ms"] / percentile(baseline, 50), 2),
        "corpus_index_build_s": round(corpus_build_s, 2),
        "vocabulary": len(corpus.bm25.vocabulary),
        "rss_before_corpus_mb": round(memory_before, 1),
        "rss_after_corpus_mb": round(memory_loaded, 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }


def questions_in_subprocess(settings: Settings, n_questions: int) -> dict:
    spec = json.dumps(
        {"index_dir": str(settings.store.index_dir), "chroma_url": settings.store.chroma_url, "n": n_questions}
    )
    result = subprocess.run(
        [sys.executable, "-m", "eval.bench", "--worker", spec],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=PROJECT_ROOT,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        raise RuntimeError(f"question worker failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the run ---------------------------------------------------------------------------


def size_value(label: str, seed: SeedText) -> int:
    return seed.n_chunks if label == "seed" else int(label)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure_embedded(corpus: Corpus, label: str, build: dict, reingest: dict | None, n_questions: int) -> dict:
    log(f"embedded {label}: {corpus.chunks} chunks; asking {n_questions} questions")
    run = {"mode": "embedded", "size": label, "chunks": corpus.chunks, "build": build}
    if reingest:
        run["reingest_unchanged"] = reingest
    run.update(questions_in_subprocess(corpus.settings, n_questions))
    run["index_mb"] = round(dir_size_mb(corpus.chroma_dir), 1)
    return run


def measure_server(corpus: Corpus, label: str, workdir: Path, n_questions: int) -> dict:
    """The same questions against `chroma run` serving a copy of the embedded index."""
    copy = workdir / f"server-{label}"
    shutil.copytree(corpus.chroma_dir, copy)
    try:
        with ChromaServer(copy) as server:
            log(f"server {label}: {corpus.chunks} chunks at {server.url}; asking {n_questions} questions")
            run = {"mode": "server", "size": label, "chunks": corpus.chunks, "build": "a copy of the embedded index"}
            run.update(questions_in_subprocess(corpus.settings.with_(chroma_url=server.url), n_questions))
            run["server_memory_mb"] = {k: round(v, 1) for k, v in proc_memory_mb(server.pid).items()}
        run["index_mb"] = round(dir_size_mb(copy), 1)
        return run
    finally:
        shutil.rmtree(copy, ignore_errors=True)


@dataclass
class Plan:
    sizes: Sequence[str]
    server_sizes: Sequence[str]
    n_questions: int
    repeats: int


def scale_runs(plan: Plan, seed: SeedText, corpus: Corpus, synthetic: SyntheticCorpus, table: dict) -> Iterator[dict]:
    """Grow one embedded corpus through the sizes (the seeds with their real vectors, then
    synthetic articles) and measure each size, embedded and, when asked, on a server."""
    exact, jittered = LookupEmbedding(table), LookupEmbedding(table, jitter=JITTER)
    log("ingesting the seeds")
    build = grow(corpus, [SEEDS], exact)
    for label in plan.sizes:
        builds = []
        while (wanted := size_value(label, seed) - corpus.chunks) > 0:  # a second round tops up an estimate short
            folder = synthetic.root / f"{label}-{len(builds)}"
            articles = synthetic.write(folder, wanted)
            log(f"ingesting {articles} synthetic articles for size {label}")
            builds.append(grow(corpus, [folder], jittered))
        build = combined(builds) if builds else build
        reingest = reingest_unchanged(corpus, jittered) if label != "seed" and corpus.chunks <= 20_000 else None
        release_chroma()
        yield measure_embedded(corpus, label, build, reingest, plan.n_questions)
        if label in plan.server_sizes:
            yield measure_server(corpus, label, synthetic.root.parent, plan.n_questions)


def check_targets(result: dict) -> list[dict]:
    runs = {(r["mode"], r["size"]): r for r in result["runs"]}
    checks = []

    def check(name: str, value: float | None, limit: float) -> None:
        if value is not None:
            checks.append({"target": name, "value": value, "limit": limit, "met": value <= limit})

    seed_run, big_run = runs.get(("embedded", "seed")), runs.get(("embedded", "100000"))
    check("query_p50_ms_seed", seed_run and seed_run["query"]["p50_ms"], TARGETS["query_p50_ms_seed"])
    check("query_p50_ms_100k", big_run and big_run["query"]["p50_ms"], TARGETS["query_p50_ms_100k"])
    check("query_p95_ms_100k", big_run and big_run["query"]["p95_ms"], TARGETS["query_p95_ms_100k"])
    check("peak_rss_mb_100k", big_run and big_run["peak_rss_mb"], TARGETS["peak_rss_mb_100k"])
    overhead = result["ingest_seeds"]["per_article_writes"]["overhead_vs_embedder"]
    check("ingest_overhead", overhead, TARGETS["ingest_overhead"])
    check(
        "ingest_overhead_batched",
        result["ingest_seeds"]["batched_writes"]["overhead_vs_embedder"],
        TARGETS["ingest_overhead"],
    )
    tenk = runs.get(("embedded", "10000"))
    check(
        "reingest_unchanged_10k_s",
        tenk and tenk.get("reingest_unchanged", {}).get("seconds"),
        TARGETS["reingest_unchanged_10k_s"],
    )
    check("run_duration_s", result["duration_s"] if big_run else None, TARGETS["run_duration_s"])
    return checks


def markdown_table(result: dict) -> str:
    columns = [
        "mode",
        "size",
        "chunks",
        "p50 ms",
        "p95 ms",
        "baseline p50 ms",
        "ratio",
        "embed q",
        "dense",
        "lexical",
        "texts",
        "compose",
        "corpus build s",
        "peak RSS MB",
        "server RSS MB",
        "index MB",
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in result["runs"]:
        st = r["query"]["stages"]
        server = r.get("server_memory_mb", {}).get("rss_mb", "")
        lines.append(
            f"| {r['mode']} | {r['size']} | {r['chunks']:,} | {r['query']['p50_ms']} | {r['query']['p95_ms']} | "
            f"{r['baseline']['p50_ms']} | {r['ratio_p50']} | {st['embed_query']['p50_ms']} | "
            f"{st['dense_search']['p50_ms']} | {st.get('lexical_search', {}).get('p50_ms', '')} | "
            f"{st['passage_texts']['p50_ms']} | {st['compose']['p50_ms']} | {r['corpus_index_build_s']} | {r['peak_rss_mb']} | {server} | "
            f"{r['index_mb']} |"
        )
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (latency, memory) = plt.subplots(1, 2, figsize=(12, 4.5))
    for mode in ("embedded", "server"):
        runs = sorted((r for r in result["runs"] if r["mode"] == mode), key=lambda r: r["chunks"])
        if not runs:
            continue
        x = [r["chunks"] for r in runs]
        style = "-" if mode == "embedded" else "--"
        latency.plot(x, [r["query"]["p50_ms"] for r in runs], "o" + style, label=f"ask() p50, {mode}")
        latency.plot(x, [r["query"]["p95_ms"] for r in runs], "^" + style, label=f"ask() p95, {mode}")
        latency.plot(x, [r["baseline"]["p50_ms"] for r in runs], "s:", label=f"llama-index retriever p50, {mode}")
        memory.plot(x, [r["peak_rss_mb"] for r in runs], "o" + style, label=f"peak RSS of the app, {mode}")
        if mode == "server":
            memory.plot(x, [r["server_memory_mb"]["rss_mb"] for r in runs], "d" + style, label="Chroma server RSS")
        else:
            memory.plot(x, [r["index_mb"] for r in runs], "x:", label="index on disk")
    latency.set(xscale="log", xlabel="chunks in the index", ylabel="ms per question", title="Question latency")
    latency.set_ylim(bottom=0)
    memory.set(xscale="log", xlabel="chunks in the index", ylabel="MB", title="Memory and disk")
    for ax in (latency, memory):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"newsqa on {os.cpu_count()} CPUs ({result['machine']['processor']})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def machine() -> dict:
    import chromadb

    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "chromadb": chromadb.__version__,
        "embedder": DEFAULT_EMBED_MODEL,
    }


def run_bench(plan: Plan, workdir: Path) -> dict:
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    settings = Settings.from_env(env={})
    seed = SeedText.load(settings)
    log(f"seeds: {len(seed.articles)} articles, {seed.n_sentences} sentences, {seed.n_chunks} chunks")
    embedder = get_embedder(settings)
    embed_result, ingest_result, table = measure_seed_pipeline(embedder, seed, plan.repeats, workdir)
    log(f"embedder: {embed_result['sentences_per_s']} sentences/s; seed ingest: {ingest_result}")
    corpus = Corpus(settings.with_(index_dir=workdir / "index"))
    synthetic = SyntheticCorpus.from_seed(workdir / "articles", seed, settings)
    runs = list(scale_runs(plan, seed, corpus, synthetic, table))
    result = {
        "machine": {**machine(), "load_average_at_start": round(load_before, 2)},
        "embedder": embed_result,
        "ingest_seeds": ingest_result,
        "runs": runs,
        "method": {
            "synthetic_articles": f"{synthetic.lengths[0]}-{synthetic.lengths[1]} seed sentences per article "
            "(as long as the seed articles), drawn with a fixed seed, one per line",
            "synthetic_embedding": "the real model's vector of each seed sentence, looked up by text, "
            f"with fixed-seed Gaussian jitter (sd {JITTER} per coordinate, cosine ~0.98 to the original)",
            "ingest_path": f"vectorstore.ingest.ingest_paths, Chroma writes grouped {BUILD_BATCH} articles at a time "
            "(ArticleStore.batched)",
            "server": "`chroma run` serving a copy of the embedded index of the same size",
            "questions": f"the first {plan.n_questions} of eval/questions.jsonl after {WARMUP_QUESTIONS} warm-up "
            "ones, each size measured in a fresh process",
            "baseline": "VectorStoreIndex.from_vector_store(ChromaVectorStore over the chunks collection, "
            "same embedder).as_retriever(similarity_top_k=5).retrieve(question)",
            "peak_rss": "of the process answering the questions (index loaded, all questions asked), "
            "read before the baseline runs in it",
        },
    }
    result["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    result["duration_s"] = round(time.perf_counter() - started, 1)
    result["targets"] = check_targets(result)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(DEFAULT_SIZES), help="corpus sizes: 'seed' and/or chunk counts")
    parser.add_argument(
        "--server-sizes",
        help="sizes (among --sizes) also measured against `chroma run`; '' for none (default seed,10000)",
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run: sizes seed,1000; server at seed")
    parser.add_argument("--questions", type=int, default=75, help="questions measured per size")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the embedder and seed-ingest timings")
    parser.add_argument("--json-out", type=Path, help="write the results as JSON here")
    parser.add_argument("--plot", type=Path, help="write a PNG of latency and memory against corpus size")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here (default: a temporary folder)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    return parser


def _sizes(text: str) -> list[str]:
    labels = [s.strip() for s in text.split(",") if s.strip()]
    for label in labels:
        if label != "seed" and not label.isdigit():
            raise SystemExit(f"bad size {label!r}: use 'seed' or a number of chunks")
    return sorted(labels, key=lambda s: -1 if s == "seed" else int(s))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(measure_questions(spec["index_dir"], spec["chroma_url"], spec["n"])))
        return 0
    sizes = _sizes(",".join(QUICK_SIZES) if args.quick else args.sizes)
    server_default = "seed" if args.quick else ",".join(DEFAULT_SERVER_SIZES)
    plan = Plan(
        sizes=sizes,
        server_sizes=_sizes(args.server_sizes if args.server_sizes is not None else server_default),
        n_questions=min(args.questions, 20) if args.quick else args.questions,
        repeats=1 if args.quick else args.repeats,
    )
    with contextlib.ExitStack() as stack:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=True)
            workdir = args.workdir
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="newsqa-bench-")))
        result = run_bench(plan, workdir)
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.plot:
        plot(result, args.plot)
    print(markdown_table(result))
    for t in result["targets"]:
        print(f"{'met   ' if t['met'] else 'MISSED'} {t['target']}: {t['value']} (limit {t['limit']})")
    print(f"total {result['duration_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
