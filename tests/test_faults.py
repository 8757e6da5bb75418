"""Faults: a killed ingest, an index folder that cannot be written, an index from another version."""

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from qa.catalog import ingest, list_articles
from qa.pipeline import ask
from qa.resources import forget_store, get_store
from tests.conftest import SEEDS, make_settings
from vectorstore.articles import load_article
from vectorstore.corpus import CorpusIndex
from vectorstore.errors import StoreUnavailableError
from vectorstore.text import split_sentences


def synthetic_articles(folder: Path, count: int) -> None:
    """Articles made of seed sentences, so they read like the real thing."""
    sentences = []
    for path in sorted(SEEDS.glob("*.txt")):
        body = load_article(path, 10**7).body
        sentences += [body[s:e] for s, e in split_sentences(body) if len(body[s:e]) > 40]
    rng = random.Random(7)
    folder.mkdir(parents=True)
    for i in range(count):
        picked = rng.sample(sentences, 8)
        (folder / f"synthetic_{i:03d}.txt").write_text(f"Tin tổng hợp số {i}\n" + " ".join(picked), encoding="utf-8")


def assert_each_article_exactly_once(settings) -> None:
    store = get_store(settings)
    records = {r.id: r for r in store.articles()}
    assert all(r.complete for r in records.values())
    rows = list(store.iter_chunks())
    chunks = [chunk for chunk, _ in rows]
    per_article = Counter(c.article_id for c in chunks)
    assert set(per_article) == set(records), "orphan chunks or articles without chunks"
    for article_id, record in records.items():
        assert per_article[article_id] == record.n_chunks, article_id
    assert len({c.id for c in chunks}) == len(chunks), "duplicate chunks"
    lexical = CorpusIndex.build(store.generation(), rows)
    assert {c.id for c in lexical.chunks} == {c.id for c in chunks}


def run_ingest(folder: Path, index_dir: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    return subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "ingest", str(folder), "--index-dir", str(index_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.slow
def test_kill_9_during_ingest_then_the_next_ingest_finishes_the_job(tmp_path: Path):
    folder, index_dir = tmp_path / "articles", tmp_path / "index"
    synthetic_articles(folder, 24)
    proc = run_ingest(folder, index_dir)
    progress = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        chunk = proc.stderr.read(64)
        progress += chunk
        done = [int(m) for m in re.findall(r"embedding sentences (\d+)/", progress)]
        if done and done[-1] >= 60:  # well into the ingest, several articles committed
            break
        assert proc.poll() is None, "ingest ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    settings = make_settings(index_dir)
    partial = list_articles(settings)
    assert 0 < len(partial) < 24
    report = ingest([folder], settings)
    assert len(report.added) + len(report.updated) + len(report.unchanged) == 24
    assert len(report.unchanged) == len(partial)  # committed work is kept, not redone
    assert len(list_articles(settings)) == 24
    assert_each_article_exactly_once(settings)


def test_index_from_another_version_says_what_to_run(tmp_path: Path, article_dir: Path):
    settings = make_settings(tmp_path / "index")
    ingest([article_dir], settings)
    store = get_store(settings)
    collection = store._articles  # simulate an index written by an older release
    collection.modify(metadata={**(collection.metadata or {}), "schema": 0})
    forget_store(settings)
    with pytest.raises(StoreUnavailableError, match="another version.*qa ingest"):
        ask("Hà Nội xây cầu?", settings=settings)


def test_unwritable_index_folder_is_a_clear_error(tmp_path: Path, article_dir: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be")
    settings = make_settings(blocker / "index")
    with pytest.raises(StoreUnavailableError, match="cannot open the index"):
        ingest([article_dir], settings)
