"""`python -m eval.fit_answering`: fit the answer model (`qa/answer_model.json`) on data.

The data: the development corpus (`../shared/xquad-dev`, SQuAD format; every question in
Vietnamese, typed without diacritics and in English), indexed in rotations that each leave a
different share of its articles out, so their questions are out-of-corpus negatives; plus
the seed articles with their main question set (its unanswerable near misses are negatives
too). For every question the pipeline retrieves as it does for a user, and every candidate
sentence gets its features (`qa.evidence`), labelled by whether it holds the evidence.

Fitting, per question language:
1. the sentence model, a logistic regression on the candidates of answerable questions,
   cross-validated by article (no article's questions are scored by a model that saw it);
2. the question model, a logistic regression on the out-of-fold features of every
   question (its best sentence's logit, how much of it the corpus knows, ...): answerable
   against not;
3. the abstention threshold: the out-of-fold answer probability under which only the
   target share of answerable questions falls (`--false-refusal`);
4. the quoting rule: the share of the best sentence's probability (and a floor) above
   which more sentences are quoted, chosen for keyword recall with a median of at most
   two quoted sentences and a bar on citation precision.
It prints the cross-validated numbers and writes the model file.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from eval.metrics import keyword_recall, occurrences
from eval.questions import DEFAULT_QUESTIONS, LANGS, Question, load_questions
from eval.squad import load_squad
from qa.answer_model import MODEL_FILE, Logistic
from qa.catalog import get_article, ingest
from qa.evidence import (
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    QuestionTerms,
    candidates,
    question_features,
    question_terms,
    sentence_features,
)
from qa.pipeline import validate_question
from qa.query import analyse
from qa.resources import get_resources
from qa.retrieval import retrieve
from qa.settings import PROJECT_ROOT, Settings
from qa.types import Passage

DEV = PROJECT_ROOT.parent / "shared" / "xquad-dev"
SEEDS = PROJECT_ROOT / "seeds"
_C = 1.0  # inverse regularisation: the models are small and the data plentiful


@dataclass
class Example:
    """One question as the model sees it: its candidates' features and labels."""

    group: str  # the article it was asked on: folds never split one
    lang: str  # as the pipeline reads the question (`detect_language`), which picks the model
    answerable: bool
    kind: str  # "answerable", or the kind of negative: "out_of_corpus", "near_miss"
    rows: np.ndarray
    labels: np.ndarray
    texts: list[str]
    in_source: np.ndarray  # each candidate comes from one of the question's source articles
    keywords: tuple[tuple[str, ...], ...]
    terms: QuestionTerms
    passages: list[Passage]


def _examples(
    questions: Iterable[Question], settings: Settings, origin: dict[str, str], k: int, prefix: str, indexed: set[str]
) -> list[Example]:
    resources = get_resources(settings)
    corpus = resources.corpus.get()
    bodies: dict[str, str] = {}
    out = []
    for q in questions:
        query = analyse(validate_question(q.question, settings), corpus)
        passages = retrieve(query, resources, corpus, settings.retrieval, k).passages
        found = candidates(passages)
        if not found:
            continue
        terms = question_terms(query, corpus)
        rows = sentence_features(query, passages, found, terms)
        spans = []
        for source in q.sources:
            if source not in bodies:
                record = get_article(source, settings)
                bodies[source] = record.body if record else ""
            spans += [(source, s, e) for ev in q.evidence for s, e in occurrences(bodies[source], ev)]
        labels = np.array(
            [
                any(a == passages[c.passage_rank].article_id and c.start < e and c.end > s for a, s, e in spans)
                for c in found
            ],
            dtype=float,
        )
        in_source = np.array([passages[c.passage_rank].article_id in q.sources for c in found], dtype=float)
        base = q.id.rsplit(":", 1)[0]
        out.append(
            Example(
                group=f"{prefix}{origin.get(q.id, base)}",
                lang=query.language,
                answerable=q.answerable,
                kind="answerable" if q.answerable else "near_miss" if origin.get(q.id) in indexed else "out_of_corpus",
                rows=rows,
                labels=labels,
                texts=[c.text for c in found],
                in_source=in_source,
                keywords=q.answer_keywords,
                terms=terms,
                passages=passages,
            )
        )
    return out


def _index(paths: Sequence[Path], root: Path, name: str) -> Settings:
    settings = Settings.from_env(env={}, index_dir=root / name)
    report = ingest(list(paths), settings)
    if report.skipped:
        raise SystemExit(f"could not ingest: {report.skipped}")
    return settings


def collect(dev: Path, rotations: int, leave_out: int, near_miss: float, k: int, with_seeds: bool) -> list[Example]:
    examples: list[Example] = []
    with tempfile.TemporaryDirectory(prefix="newsqa-fit-") as tmp:
        root = Path(tmp)
        for r in range(rotations):
            squad = load_squad(dev / "xquad.vi.json", dev / "xquad.en.json", leave_out, rotation=r, near_miss=near_miss)
            settings = _index(squad.write_articles(root / f"dev{r}"), root, f"index-dev{r}")
            print(f"rotation {r}: {len(squad.questions)} questions", file=sys.stderr)
            indexed = {a.id for a in squad.articles}
            examples += _examples(squad.questions, settings, squad.origin, k, "dev:", indexed)
        if with_seeds:
            settings = _index([SEEDS], root, "index-seeds")
            seed_questions = load_questions(DEFAULT_QUESTIONS)
            # The seed set's unanswerable questions are near misses: on the indexed articles' topics.
            origin = {q.id: "seeds" for q in seed_questions}
            examples += _examples(seed_questions, settings, origin, k, "seed:", {"seeds"})
    return examples


def _fit(x: np.ndarray, y: np.ndarray) -> Logistic:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=_C, max_iter=2000).fit((x - mean) / scale, y)
    return Logistic(mean, scale, model.coef_[0], float(model.intercept_[0]))


def _sentence_data(examples: Sequence[Example]) -> tuple[np.ndarray, np.ndarray]:
    chosen = [e for e in examples if e.answerable and e.labels.any()]
    return np.vstack([e.rows for e in chosen]), np.concatenate([e.labels for e in chosen])


def out_of_fold_logits(examples: Sequence[Example], folds: int) -> list[np.ndarray]:
    """Each question's candidate logits from a sentence model that never saw its article."""
    groups = np.array([e.group for e in examples])
    logits: list[np.ndarray | None] = [None] * len(examples)
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for train, test in splitter.split(np.zeros(len(examples)), groups=groups):
        model = _fit(*_sentence_data([examples[i] for i in train]))
        for i in test:
            logits[i] = model.logit(examples[i].rows)
    return logits  # type: ignore[return-value]


def _chosen(logits: np.ndarray, share: float, floor: float, max_sentences: int) -> list[int]:
    probs = 1.0 / (1.0 + np.exp(-logits))
    order = [int(i) for i in np.argsort(-probs)]
    best = probs[order[0]]
    extra = [i for i in order[1:] if probs[i] >= share * best and probs[i] >= floor]
    return [order[0], *extra[: max_sentences - 1]]


def quote_scores(examples: Sequence[Example], logits: Sequence[np.ndarray], share: float, floor: float) -> dict:
    recall, precision, quoted, top1 = [], [], [], []
    for e, z in zip(examples, logits):
        if not e.answerable:
            continue
        chosen = _chosen(z, share, floor, 3)
        recall.append(keyword_recall(" ".join(e.texts[i] for i in chosen), e.keywords))
        precision.append(float(np.mean([e.in_source[i] for i in chosen])))
        quoted.append(len(chosen))
        top1.append(float(e.labels[chosen[0]]))
    return {
        "keyword_recall": round(float(np.mean(recall)), 4),
        "citation_precision": round(float(np.mean(precision)), 4),
        "quoted_median": float(np.median(quoted)),
        "quoted_mean": round(float(np.mean(quoted)), 3),
        "best_is_evidence": round(float(np.mean(top1)), 4),
    }


def choose_quote_rule(examples: Sequence[Example], logits: Sequence[np.ndarray], precision: float) -> tuple[dict, dict]:
    """The rule with the best keyword recall among those quoting a median of at most two
    sentences whose citation precision reaches `precision`, or comes within two points of
    the best any rule reaches when none does."""
    grid = [(s, f) for s in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.01) for f in (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)]
    scored = {(s, f): quote_scores(examples, logits, s, f) for s, f in grid}
    bar = min(precision, max(v["citation_precision"] for v in scored.values()) - 0.02)
    allowed = {key: v for key, v in scored.items() if v["quoted_median"] <= 2 and v["citation_precision"] >= bar}
    share, floor = max(allowed, key=lambda key: (allowed[key]["keyword_recall"], -allowed[key]["quoted_mean"]))
    return {"share": share, "floor": floor}, scored[(share, floor)]


def question_rows(examples: Sequence[Example], logits: Sequence[np.ndarray]) -> np.ndarray:
    """Each question's features, its best sentence being the one its logits put first."""
    return np.vstack(
        [
            question_features(float(z.max()), int(np.argmax(z)), e.rows, e.passages, e.terms)
            for e, z in zip(examples, logits)
        ]
    )


def threshold_for(probabilities: np.ndarray, answerable: np.ndarray, false_refusal: float) -> float:
    """The probability under which `false_refusal` of the answerable questions fall."""
    return float(np.quantile(probabilities[answerable], false_refusal))


# The two questions abstention asks, each with its own negatives: is the question about
# the indexed articles at all, and, if it is, do they state its answer?
GATES = {"topic": "out_of_corpus", "answer": "near_miss"}


def _gate(rows: np.ndarray, mine: Sequence[Example], negatives: str, folds: int) -> tuple[Logistic, np.ndarray]:
    """A question model for answerable questions against one kind of negative, and its
    out-of-fold probability for every question (also those of the other kind)."""
    answerable = np.array([e.answerable for e in mine])
    used = answerable | np.array([e.kind == negatives for e in mine])
    groups = np.array([e.group for e in mine])
    oof = np.zeros(len(mine))
    for train, test in GroupKFold(n_splits=folds).split(rows, groups=groups):
        train = train[used[train]]
        oof[test] = _fit(rows[train], answerable[train]).probability(rows[test])
    return _fit(rows[used], answerable[used]), oof


def fit(examples: list[Example], folds: int, budgets: dict[str, float], precision: float) -> tuple[dict, dict]:
    """Both models and the quoting rule per language; each gate's threshold refuses its
    budget's share of the answerable questions (out of fold), so together they refuse at
    most the sum."""
    model: dict = {
        "sentence_features": list(SENTENCE_FEATURES),
        "question_features": list(QUESTION_FEATURES),
        "sentence": {},
        "question": {},
        "thresholds": {},
        "quote": {},
    }
    report: dict = {}
    for lang in LANGS:
        mine = [e for e in examples if e.lang == lang]
        logits = out_of_fold_logits(mine, folds)
        model["sentence"][lang] = _fit(*_sentence_data(mine)).to_dict()
        rows = question_rows(mine, logits)
        answerable = np.array([e.answerable for e in mine])
        refused = np.zeros(len(mine), dtype=bool)
        model["question"][lang], model["thresholds"][lang] = {}, {}
        for gate, negatives in GATES.items():
            if budgets[gate] <= 0:
                continue
            fitted, oof = _gate(rows, mine, negatives, folds)
            threshold = threshold_for(oof, answerable, budgets[gate])
            model["question"][lang][gate] = fitted.to_dict()
            model["thresholds"][lang][gate] = round(threshold, 4)
            refused |= oof < threshold
        report[lang] = {
            "questions": len(mine),
            "cv_false_refusal": round(float(np.mean(refused[answerable])), 4),
        }
        for source in ("dev", "seed"):
            for kind in GATES.values():
                chosen = np.array([e.kind == kind and e.group.startswith(f"{source}:") for e in mine])
                if chosen.any():
                    report[lang][f"cv_refusal_{source}_{kind}"] = round(float(np.mean(refused[chosen])), 4)
        model["quote"][lang], scores = choose_quote_rule(mine, logits, precision)
        report[lang].update(scores)
        report[lang]["quote"] = model["quote"][lang]
    return model, report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fit_answering", description=__doc__)
    parser.add_argument("--dev", type=Path, default=DEV, help="folder with xquad.vi.json and xquad.en.json")
    parser.add_argument("--rotations", type=int, default=2, help="indexes, each leaving other articles out")
    parser.add_argument("--leave-out", type=int, default=6, help="articles left out of each index")
    parser.add_argument("--near-miss", type=float, default=0.3, help="share of paragraphs with an answer cut out")
    parser.add_argument("--no-seeds", action="store_true", help="fit on the development corpus alone")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--topic-refusal", type=float, default=0.02, help="share of answerable questions the topic gate may refuse"
    )
    parser.add_argument(
        "--answer-refusal", type=float, default=0.01, help="share of answerable questions the answer gate may refuse"
    )
    parser.add_argument(
        "--citation-precision", type=float, default=0.97, help="the quoting rule's bar for citation precision"
    )
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--cache", type=Path, help="keep the collected features here and reuse them (refits)")
    args = parser.parse_args(argv)
    if not (args.dev / "xquad.vi.json").exists():
        print(f"error: no development corpus at {args.dev}", file=sys.stderr)
        return 2
    if args.cache and args.cache.exists():
        examples = pickle.loads(args.cache.read_bytes())
    else:
        examples = collect(args.dev, args.rotations, args.leave_out, args.near_miss, args.k, not args.no_seeds)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(examples))
    budgets = {"topic": args.topic_refusal, "answer": args.answer_refusal}
    model, report = fit(examples, args.folds, budgets, args.citation_precision)
    model["fitted_on"] = {
        "dev": str(args.dev.name),
        "rotations": args.rotations,
        "leave_out": args.leave_out,
        "near_miss": args.near_miss,
        "seeds": not args.no_seeds,
        "refusal_budgets": {"topic": args.topic_refusal, "answer": args.answer_refusal},
        "questions": len(examples),
    }
    model["cross_validated"] = report
    args.out.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
