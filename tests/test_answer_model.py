"""The fitted answer model: its file, its arithmetic, and the fitting steps on made-up data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from eval.fit_answering import Example, _chosen, _fit, out_of_fold_logits, threshold_for
from eval.questions import LANGS
from qa.answer_model import MODEL_FILE, AnswerModel, load_model
from qa.evidence import SENTENCE_FEATURES
from vectorstore.errors import NewsQAError


def test_the_shipped_model_has_both_models_and_a_threshold_for_every_language():
    model = load_model()
    assert set(model.sentence) == set(model.question) == set(model.thresholds) == set(LANGS)
    assert all(set(model.question[lang]) == {"topic", "answer"} for lang in LANGS)
    assert all(0.0 < t < 1.0 for gates in model.thresholds.values() for t in gates.values())
    assert all(0.0 < rule.share <= 1.01 for rule in model.quote.values())


def test_a_model_fitted_on_other_features_is_refused_with_what_to_run(tmp_path):
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["sentence_features"] = [*data["sentence_features"], "something_new"]
    with pytest.raises(NewsQAError, match="python -m eval.fit_answering"):
        AnswerModel.from_dict(data)


def test_the_threshold_refuses_the_target_share_of_answerable_questions():
    rng = np.random.default_rng(0)
    probabilities = np.concatenate([rng.uniform(0.3, 1.0, 1000), rng.uniform(0.0, 0.4, 300)])
    answerable = np.array([True] * 1000 + [False] * 300)
    threshold = threshold_for(probabilities, answerable, 0.03)
    assert np.mean(probabilities[answerable] < threshold) == pytest.approx(0.03, abs=0.002)
    assert np.mean(probabilities[~answerable] < threshold) > 0.75


def _examples(n: int, rng: np.random.Generator) -> list[Example]:
    """Questions of 10 candidates each, where the answering candidate has the highest `sim`
    plus noise, and the other features are noise."""
    out = []
    for q in range(n):
        rows = rng.normal(size=(10, len(SENTENCE_FEATURES)))
        labels = np.zeros(10)
        labels[q % 10] = 1.0
        rows[:, SENTENCE_FEATURES.index("sim")] += 2.5 * labels
        out.append(
            Example(
                group=f"article{q % 7}",
                lang="vi",
                answerable=True,
                kind="answerable",
                rows=rows,
                labels=labels,
                texts=[f"câu {i}" for i in range(10)],
                in_source=np.ones(10),
                keywords=((f"câu {q % 10}",),),
                terms=None,
                passages=[],
            )
        )
    return out


def test_the_sentence_model_learns_which_signal_answers_and_is_scored_out_of_fold():
    examples = _examples(140, np.random.default_rng(1))
    logits = out_of_fold_logits(examples, folds=5)
    top1 = np.mean([e.labels[int(np.argmax(z))] for e, z in zip(examples, logits)])
    assert top1 > 0.7  # chance is 0.1
    x = np.vstack([e.rows for e in examples])
    y = np.concatenate([e.labels for e in examples])
    coef = _fit(x, y).coef
    assert np.argmax(coef) == SENTENCE_FEATURES.index("sim")


def test_the_quoting_rule_adds_only_sentences_close_to_the_best():
    logits = np.log(np.array([0.9, 0.8, 0.2, 0.85]) / (1 - np.array([0.9, 0.8, 0.2, 0.85])))
    assert _chosen(logits, share=0.85, floor=0.1, max_sentences=3) == [0, 3, 1]
    assert _chosen(logits, share=0.85, floor=0.82, max_sentences=3) == [0, 3]
    assert _chosen(logits, share=0.9, floor=0.1, max_sentences=3) == [0, 3]
    assert _chosen(logits, share=1.01, floor=0.1, max_sentences=3) == [0]
