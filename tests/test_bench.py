"""`python -m eval.bench --quick`: the smoke run completes and reports what the README's figures need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.bench import clean_env
from qa.settings import PROJECT_ROOT

# The quick run also measures a `chroma run` server; a benchmark run is slow however small.
pytestmark = [pytest.mark.server, pytest.mark.slow]

STAGES = {"corpus_check", "embed_query", "dense_search", "lexical_search", "fusion", "passage_texts", "compose"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "eval.bench",
            "--quick",
            "--json-out",
            str(out / "r.json"),
            "--plot",
            str(out / "p.png"),
        ],
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=PROJECT_ROOT,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| mode | size |" in result.stdout
    return json.loads((out / "r.json").read_text(encoding="utf-8")), out / "p.png"


def test_embedder_and_ingest_figures(quick):
    result, _ = quick
    embedder = result["embedder"]
    assert embedder["sentences"] > embedder["chunks"] > 0
    assert embedder["sentences_per_s"] > 0 and embedder["chunks_per_s"] > 0
    for variant in ("per_article_writes", "batched_writes"):
        ingest = result["ingest_seeds"][variant]
        assert ingest["seconds"] > 0 and ingest["overhead_vs_embedder"] > -1  # a ratio; noisy on a busy machine


def test_every_size_has_latency_memory_and_baseline(quick):
    result, _ = quick
    runs = {(r["mode"], r["size"]): r for r in result["runs"]}
    assert set(runs) == {("embedded", "seed"), ("embedded", "1000"), ("server", "seed")}
    assert runs[("embedded", "seed")]["chunks"] == result["embedder"]["chunks"]
    assert runs[("embedded", "1000")]["chunks"] >= 950  # the synthetic articles are sized by estimate
    assert runs[("embedded", "1000")]["reingest_unchanged"]["seconds"] > 0
    assert runs[("server", "seed")]["server_memory_mb"]["rss_mb"] > 0
    for run in runs.values():
        query = run["query"]
        assert 0 < query["p50_ms"] <= query["p95_ms"]
        assert STAGES <= set(query["stages"])
        assert run["baseline"]["p50_ms"] > 0 and run["ratio_p50"] > 0
        assert run["peak_rss_mb"] > 100 and run["index_mb"] > 0


def test_targets_and_plot(quick):
    result, plot = quick
    assert {t["target"] for t in result["targets"]} >= {"query_p50_ms_seed", "ingest_overhead"}
    assert all(isinstance(t["met"], bool) for t in result["targets"])
    assert plot.read_bytes().startswith(b"\x89PNG")
