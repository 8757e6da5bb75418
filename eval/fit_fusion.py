"""`python -m eval.fit_fusion`: the dense weight of score fusion for each question language,
set for retrieval MRR on the development corpus.

The corpus (`../shared/xquad-dev`, SQuAD format) is indexed leaving no article out, and
every answerable question, in Vietnamese, typed without diacritics and in English, is
retrieved at each weight of a grid. The weight chosen is the best grid point; beside it,
its number cross-validated by article (each article's questions scored at the weight
best on the other articles'), which is what to expect on articles nobody tuned on. The
weights go into `RetrievalSettings` (`dense_weight`, `dense_weight_noaccent`,
`dense_weight_en`); the answer model is fitted on the retrieval they make, so
`python -m eval.fit_answering` runs after a change.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from eval.metrics import Retrieved, first_relevant_rank, occurrences, reciprocal_rank
from eval.squad import load_squad, temporary_index
from qa.catalog import get_article
from qa.pipeline import validate_question
from qa.query import analyse
from qa.resources import get_resources
from qa.retrieval import retrieve
from qa.settings import PROJECT_ROOT, Settings

DEV = PROJECT_ROOT.parent / "shared" / "xquad-dev"
GRID = tuple(round(w, 2) for w in np.arange(0.0, 1.0001, 0.1))


class _Remembered:
    """The embedder, asked once per text: every grid point embeds the same questions."""

    def __init__(self, embedder) -> None:
        self._embedder, self._vectors = embedder, {}

    def get_query_embedding(self, text: str) -> list[float]:
        if text not in self._vectors:
            self._vectors[text] = self._embedder.get_query_embedding(text)
        return self._vectors[text]


def reciprocal_ranks(dev: Path, settings: Settings, grid: Sequence[float]) -> dict[str, dict[str, np.ndarray]]:
    """For each language, each article's questions' reciprocal ranks at each weight
    (rows: questions, columns: grid points)."""
    squad = load_squad(dev / "xquad.vi.json", parallel_en=dev / "xquad.en.json", leave_out=0)
    out: dict[str, dict[str, list[list[float]]]] = {}
    with temporary_index(squad, settings) as indexed:
        resources = get_resources(indexed)
        resources = replace(resources, embedder=_Remembered(resources.embedder))
        corpus = resources.corpus.get()
        bodies: dict[str, str] = {}
        for n, question in enumerate(q for q in squad.questions if q.answerable):
            print(f"\rquestion {n + 1}", end="", file=sys.stderr)
            spans: dict[str, list] = {}
            for source in question.sources:
                body = bodies.setdefault(source, get_article(source, indexed).body)
                for evidence in question.evidence:
                    spans.setdefault(source, []).extend(occurrences(body, evidence))
            query = analyse(validate_question(question.question, indexed), corpus)
            row = []
            for weight in grid:
                changed = indexed.with_(dense_weight=weight, dense_weight_noaccent=weight, dense_weight_en=weight)
                passages = retrieve(query, resources, corpus, changed.retrieval, changed.retrieval.top_k).passages
                rank = first_relevant_rank([Retrieved(p.article_id, p.start, p.end) for p in passages], spans)
                row.append(reciprocal_rank(rank))
            out.setdefault(question.lang, {}).setdefault(question.sources[0], []).append(row)
    print(file=sys.stderr)
    return {lang: {a: np.array(rows) for a, rows in by_article.items()} for lang, by_article in out.items()}


def report(ranks: dict[str, np.ndarray], grid: Sequence[float]) -> tuple[float, float, float]:
    """The best weight, its MRR, and the MRR cross-validated by article."""
    total = np.vstack(list(ranks.values()))
    best = int(np.argmax(total.mean(axis=0)))
    held_out = []
    for article, rows in ranks.items():
        others = np.vstack([r for a, r in ranks.items() if a != article])
        held_out.extend(rows[:, int(np.argmax(others.mean(axis=0)))])
    return grid[best], float(total[:, best].mean()), float(np.mean(held_out))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_fusion", description=__doc__)
    parser.add_argument("--dev", type=Path, default=DEV, help="folder with xquad.vi.json and xquad.en.json")
    args = parser.parse_args(argv)
    by_lang = reciprocal_ranks(args.dev, Settings.from_env(env={}), GRID)
    print("| language | " + " | ".join(f"{w:.1f}" for w in GRID) + " | best | cross-validated |")
    print("|---" * (len(GRID) + 3) + "|")
    for lang, ranks in by_lang.items():
        means = np.vstack(list(ranks.values())).mean(axis=0)
        best, mrr, held_out = report(ranks, GRID)
        print(f"| {lang} | " + " | ".join(f"{m:.3f}" for m in means) + f" | {best:.1f} ({mrr:.3f}) | {held_out:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
