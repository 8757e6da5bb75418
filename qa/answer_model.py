"""The fitted answer model: which sentences answer, and whether the articles answer at all.

Two small logistic models per question language, fitted by `python -m eval.fit_answering`
and stored in `answer_model.json` beside this file (weights, the features' scaling, the
abstention thresholds and the quoting rule, with what they were fitted on):
- the sentence model gives each candidate sentence the probability that it holds the answer;
- two question models ("gates") give the probability that the question is about the
  indexed articles at all (fitted against questions on articles left out of the index),
  and that the articles state its answer (against questions whose answer sentence was cut
  out), from its best sentence and from how much of the question the corpus knows. Below
  either gate's threshold, chosen on data so that it refuses a set share of answerable
  questions, the answer says the articles do not hold it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.evidence import QUESTION_FEATURES, SENTENCE_FEATURES
from vectorstore.errors import NewsQAError

MODEL_FILE = Path(__file__).with_name("answer_model.json")


@dataclass(frozen=True)
class Logistic:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: dict) -> Logistic:
        return cls(
            np.asarray(data["mean"], dtype=float),
            np.asarray(data["scale"], dtype=float),
            np.asarray(data["coef"], dtype=float),
            float(data["intercept"]),
        )

    def to_dict(self) -> dict:
        return {
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
        }

    def logit(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept

    def probability(self, rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logit(rows)))


@dataclass(frozen=True)
class QuoteRule:
    """Past the best sentence, quote those with at least `share` of its probability and
    at least `floor` absolutely: as few sentences as answer."""

    share: float
    floor: float


@dataclass(frozen=True)
class AnswerModel:
    sentence: dict[str, Logistic]
    # Language -> gate ("topic", "answer") -> its model and threshold.
    question: dict[str, dict[str, Logistic]]
    thresholds: dict[str, dict[str, float]]
    quote: dict[str, QuoteRule]

    @classmethod
    def from_dict(cls, data: dict) -> AnswerModel:
        if tuple(data["sentence_features"]) != SENTENCE_FEATURES or tuple(data["question_features"]) != (
            QUESTION_FEATURES
        ):
            raise NewsQAError("the answer model was fitted on other features: run `python -m eval.fit_answering`")
        return cls(
            sentence={lang: Logistic.from_dict(m) for lang, m in data["sentence"].items()},
            question={
                lang: {gate: Logistic.from_dict(m) for gate, m in gates.items()}
                for lang, gates in data["question"].items()
            },
            thresholds={
                lang: {gate: float(t) for gate, t in gates.items()} for lang, gates in data["thresholds"].items()
            },
            quote={lang: QuoteRule(**rule) for lang, rule in data["quote"].items()},
        )

    def sentence_logits(self, language: str, rows: np.ndarray) -> np.ndarray:
        return self.sentence[language].logit(rows)

    def gate_probabilities(self, language: str, row: np.ndarray) -> dict[str, float]:
        """Each gate's probability that the articles answer the question."""
        return {gate: float(m.probability(row[None, :])[0]) for gate, m in self.question[language].items()}

    def refusing_gates(self, language: str, probabilities: dict[str, float]) -> list[str]:
        return [gate for gate, p in probabilities.items() if p < self.thresholds[language][gate]]


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> AnswerModel:
    try:
        return AnswerModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NewsQAError(f"cannot read the answer model {path.name}: {exc}") from None
