"""`python -m eval.diacritics`: how well the restorer puts back stripped diacritics.

Two cases, each with the corpus counts alone, the general model alone and both:
the dev set's Vietnamese questions with every article indexed (what a user asks about
the articles), and each article's sentences restored by a restorer built from the
other articles only (text the corpus has never seen). Accuracy is the share of
syllables restored exactly, compared as lower-cased NFC syllables.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vectorstore.diacritics import DiacriticRestorer
from vectorstore.text import fold, normalize, split_sentences, words
from vectorstore.vi_syllables import general_syllables

DEFAULT_SQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "xquad-dev" / "xquad.vi.json"
CONFIGS = ("corpus", "general", "combined")
# The restorer's tunable parameters, each with a command-line override.
WEIGHTS = ("general_weight", "pair_weight", "bigram_weight")


@dataclass(frozen=True)
class Article:
    contexts: tuple[str, ...]
    questions: tuple[str, ...]

    @property
    def sentences(self) -> list[str]:
        return [context[s:e] for context in self.contexts for s, e in split_sentences(context)]


@dataclass(frozen=True)
class Counts:
    unigrams: Counter
    bigrams: Counter

    @classmethod
    def of(cls, texts: Iterable[str]) -> Counts:
        collector = DiacriticRestorer(general=None)
        for text in texts:
            collector.add(text)
        return cls(collector.unigrams, collector.bigrams)

    def __sub__(self, other: Counts) -> Counts:
        return Counts(self.unigrams - other.unigrams, self.bigrams - other.bigrams)


@dataclass
class Score:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def load_articles(path: Path) -> list[Article]:
    """SQuAD v1 JSON: data[].paragraphs[].context and .qas[].question."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return [
        Article(
            contexts=tuple(normalize(p["context"]) for p in article["paragraphs"]),
            questions=tuple(normalize(q["question"]) for p in article["paragraphs"] for q in p["qas"]),
        )
        for article in data
    ]


def restorer(config: str, counts: Counts, weights: dict[str, float]) -> DiacriticRestorer:
    """Built on copies of the counts: `index_forms` adds the question phrases to them."""
    general = general_syllables() if config != "corpus" else None
    used = counts if config != "general" else Counts(Counter(), Counter())
    built = DiacriticRestorer(Counter(used.unigrams), Counter(used.bigrams), general=general, **weights)
    built.index_forms()
    return built


def score(built: DiacriticRestorer, texts: Iterable[str], into: Score) -> Score:
    for text in texts:
        expected = words(text)
        restored = built.restore([fold(w) for w in expected])
        into.correct += sum(a == b for a, b in zip(restored, expected, strict=True))
        into.total += len(expected)
    return into


def questions_case(articles: Sequence[Article], weights: dict[str, float]) -> dict[str, Score]:
    """Every article indexed; the questions asked about them restored."""
    counts = Counts.of(c for a in articles for c in a.contexts)
    questions = [q for a in articles for q in a.questions]
    return {config: score(restorer(config, counts, weights), questions, Score()) for config in CONFIGS}


def leave_one_out_case(articles: Sequence[Article], weights: dict[str, float]) -> dict[str, Score]:
    """Each article's sentences restored by a restorer built from the others only."""
    each = [Counts.of(a.contexts) for a in articles]
    everything = Counts(sum((c.unigrams for c in each), Counter()), sum((c.bigrams for c in each), Counter()))
    scores = {config: Score() for config in CONFIGS}
    # With no corpus counts the general model is the same for every article: build it once.
    score(restorer("general", everything, weights), (s for a in articles for s in a.sentences), scores["general"])
    for article, own in zip(articles, each, strict=True):
        others = everything - own
        for config in ("corpus", "combined"):
            score(restorer(config, others, weights), article.sentences, scores[config])
    return scores


def _table(results: dict[str, dict[str, Score]]) -> str:
    lines = [f"{'case':<24}{'syllables':>10}" + "".join(f"{c:>12}" for c in CONFIGS)]
    for case, scores in results.items():
        total = scores[CONFIGS[0]].total
        lines.append(f"{case:<24}{total:>10}" + "".join(f"{scores[c].accuracy:>12.3f}" for c in CONFIGS))
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.diacritics", description=__doc__)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="SQuAD v1 JSON with Vietnamese text")
    parser.add_argument("--json-out", type=Path, help="write the scores as JSON")
    for name in WEIGHTS:
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, dest=name, type=float, help=f"override the restorer's {name} (to re-tune it)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.squad.is_file():
        print(f"skipped: no SQuAD file at {args.squad}")
        return 0
    weights = {name: getattr(args, name) for name in WEIGHTS if getattr(args, name) is not None}
    articles = load_articles(args.squad)
    results = {
        "questions": questions_case(articles, weights),
        "leave-one-article-out": leave_one_out_case(articles, weights),
    }
    print(_table(results))
    if args.json_out:
        payload = {
            "squad": str(args.squad),
            "weights": {name: getattr(DiacriticRestorer(general=None, **weights), name) for name in WEIGHTS},
            "results": {
                case: {c: {"correct": s.correct, "total": s.total, "accuracy": s.accuracy} for c, s in scores.items()}
                for case, scores in results.items()
            },
        }
        args.json_out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
