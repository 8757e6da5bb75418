"""The signals an answer is chosen on: features of each candidate sentence, and of the question.

Every candidate sentence of the retrieved passages is described by general signals, none
of them about a topic or a corpus: its dense similarity to the question (raw, against the
best, and as a rank), its passage's fused score and rank, how much of the question's
vocabulary it and its passage hold (weighted by rarity in the corpus, accents folded),
whether it holds the question's names, whether dense and lexical sides agree on it, how
similar its neighbours are, and whether it states the kind of fact asked for (a number, a
date, a person or a place: `qa.lang` cues). `qa.answer_model` turns these into the
probability that the sentence answers; the question's own features (how much of it the
corpus knows at all, how good its best sentence is) into the probability that the
articles answer it. The weights are fitted on data (`python -m eval.fit_answering`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from qa.lang import answer_cues, function_words, number_words
from qa.query import QueryAnalysis, names
from qa.types import Passage
from vectorstore.corpus import CorpusIndex
from vectorstore.lexical import (
    document_terms,
    folded_syllables,
    folded_term,
    is_pair_term,
    pair_term,
    syllable_terms,
    term_syllable,
)
from vectorstore.text import fold, words

SENTENCE_FEATURES = (
    "sim",
    "sim_gap",
    "sim_rank",
    "passage_score",
    "passage_rank",
    "cover",
    "cover_gap",
    "cover_rank",
    "agree",
    "cover_pairs",
    "cover_passage",
    "names",
    "neighbour_sim",
    "kind_stated",
    "kind_missing",
    "length",
)
QUESTION_FEATURES = (
    "best_logit",
    "best_sim",
    "sim_spread",
    "best_cover",
    "best_pairs",
    "passage_cover",
    "best_names",
    "best_kind_missing",
    "known",
    "known_count",
    "names_known",
    "name_unknown",
    "top_dense",
)

_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:1[0-9]|20)\d{2}\b")
_NUMERIC_DATE = re.compile(r"\b\d{1,2}\s*[/-]\s*\d{1,2}\b")
_ENGLISH_MONTHS = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b", re.IGNORECASE
)
_VI_DATE_WORDS = re.compile(r"\b(?:tháng|thế kỷ|năm)\s+(?:\d|[IVXLC]+\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage; `start`/`end` locate it in its article."""

    passage_rank: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class QuestionTerms:
    """The question's vocabulary as lexical terms, each with its rarity weight (IDF; a term
    the corpus lacks weighs as the rarest), its names (folded syllables) and the kinds of
    fact it asks for."""

    unigrams: dict[str, float]
    pairs: dict[str, float]
    names: tuple[tuple[str, ...], ...]
    known_share: float
    names_known: float
    kinds: frozenset[str]
    # The plain share of its terms the corpus has: one unknown word weighs as much as any
    # other, where `known_share` lets it weigh as the rarest.
    known_count: float = 1.0


def _cue_lang(query: QueryAnalysis) -> str:
    return "en" if query.language == "en" else "vi"


def asked_kinds(query: QueryAnalysis) -> frozenset[str]:
    """The kinds of fact the question's cue phrases ask for (`qa.lang` answer cues)."""
    lang = _cue_lang(query)
    text = f" {' '.join(words(query.text if lang == 'en' else fold(query.text)))} "
    return frozenset(kind for kind, cues in answer_cues(lang).items() if any(f" {c} " in text for c in cues))


def question_terms(query: QueryAnalysis, corpus: CorpusIndex) -> QuestionTerms:
    lang = _cue_lang(query)
    stop = function_words(lang)
    rarest = math.log1p((corpus.bm25.n_docs + 0.5) / 0.5)

    def weight(term: str) -> float:
        return corpus.bm25.term_idf(term) or rarest

    if query.language == "en":
        # English shares only names, numbers and their Vietnamese forms with the articles.
        unigram_terms = [folded_term(term_syllable(t)) for t in query.lexical_terms if not is_pair_term(t)]
        pair_terms = [t for t in query.lexical_terms if is_pair_term(t)]
        raw_names = [n for n in names(query.text) if fold(n) not in stop]
    else:
        folded = [fold(s) for s in query.content_syllables]
        unigram_terms = [folded_term(f) for f in folded if f not in stop and not (f.isdigit() and len(f) < 2)]
        pair_terms = [pair_term(a, b) for a, b in pairwise(folded) if a not in stop or b not in stop]
        raw_names = list(query.names)
    unigrams = {t: weight(t) for t in dict.fromkeys(unigram_terms)}
    pairs = {t: weight(t) for t in dict.fromkeys(pair_terms)}
    name_syllables = tuple(tuple(fold(w) for w in words(n)) for n in dict.fromkeys(raw_names) if words(n))
    known = [corpus.bm25.knows_phrase(" ".join(n)) for n in name_syllables]
    if query.language == "en":
        # Of an English question, only its names and numbers can be known to the articles.
        everything = [fold(w) for n in raw_names for w in words(n)] + [w for w in words(query.text) if w.isdigit()]
        known_share = _share([corpus.bm25.knows(folded_term(w)) for w in everything])
    else:
        total = sum(unigrams.values())
        known_share = sum(v for t, v in unigrams.items() if corpus.bm25.knows(t)) / total if total else 0.0
    return QuestionTerms(
        unigrams=unigrams,
        pairs=pairs,
        names=name_syllables,
        known_share=known_share,
        names_known=_share(known),
        kinds=asked_kinds(query),
        known_count=_share([corpus.bm25.knows(t) for t in unigrams]) if unigrams else 0.0,
    )


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 1.0


def _coverage(terms: set[str], weights: dict[str, float]) -> float:
    total = sum(weights.values())
    return sum(v for t, v in weights.items() if t in terms) / total if total > 0 else 0.0


def _states(kind: str, text: str, lang: str, question_words: set[str]) -> bool:
    """Whether the sentence states a fact of that kind: a number, a date, or a name (a
    capitalised word the question does not hold, past the sentence's first word)."""
    if kind == "number":
        return bool(_DIGIT.search(text)) or not number_words(lang).isdisjoint(words(text))
    if kind == "date":
        return bool(_YEAR.search(text) or _NUMERIC_DATE.search(text) or _ENGLISH_MONTHS.search(text)) or bool(
            _VI_DATE_WORDS.search(text)
        )
    tokens = text.split()[1:]
    return any(t[:1].isupper() and fold(t.strip(".,;:()\"'“”")) not in question_words for t in tokens)


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every sentence of the passages once (overlapping chunks share sentences)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for rank, passage in enumerate(passages):
        for start, end in passage.sentences:
            if (passage.article_id, start) in seen:
                continue
            seen.add((passage.article_id, start))
            out.append(Candidate(rank, start, end, passage.text[start - passage.start : end - passage.start]))
    return out


def _ranks(values: np.ndarray) -> np.ndarray:
    """1 / rank of each value, best (largest) first."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    return 1.0 / ranks


def sentence_features(
    query: QueryAnalysis, passages: list[Passage], found: list[Candidate], terms: QuestionTerms
) -> np.ndarray:
    """One row of `SENTENCE_FEATURES` per candidate, in the order given."""
    lang = _cue_lang(query)
    sims_by_key = {
        (p.article_id, s): sim
        for p in passages
        for (s, _), sim in zip(p.sentences, p.sentence_scores)
        if sim is not None
    }
    floor = min(sims_by_key.values(), default=0.0)
    top = max((p.score for p in passages), default=0.0) or 1.0
    # Each sentence is split and termed once, though overlapping passages share it; a
    # passage's terms are its sentences' (coverage counts single syllables only).
    syllables: dict[tuple[str, int], list[str]] = {}
    sentence_terms: dict[tuple[str, int], set[str]] = {}
    for p in passages:
        for s, e in p.sentences:
            if (key := (p.article_id, s)) not in syllables:
                syllables[key] = words(p.text[s - p.start : e - p.start])
                sentence_terms[key] = set(syllable_terms(syllables[key]))
    passage_terms = [set().union(*(sentence_terms[(p.article_id, s)] for s, _ in p.sentences)) for p in passages]
    question_words = set(words(fold(f"{query.text} {query.dense_text}")))
    n = len(found)
    sim = np.array([sims_by_key.get((passages[c.passage_rank].article_id, c.start), floor) for c in found])
    cover = np.zeros(n)
    pairs = np.zeros(n)
    named = np.zeros(n)
    stated = np.zeros(n)
    length = np.zeros(n)
    for i, c in enumerate(found):
        key = (passages[c.passage_rank].article_id, c.start)
        terms_here = sentence_terms.get(key) or set(document_terms(c.text))
        cover[i] = _coverage(terms_here, terms.unigrams)
        pairs[i] = _coverage(terms_here, terms.pairs)
        spoken = syllables.get(key) or words(c.text)
        if terms.names:
            folded = set(folded_syllables(spoken))
            named[i] = _share([set(n) <= folded for n in terms.names])
        stated[i] = float(any(_states(k, c.text, lang, question_words) for k in terms.kinds))
        length[i] = math.log1p(len(spoken))
    neighbour = np.array([_neighbour_sim(c, passages, sims_by_key, floor) for c in found])
    passage_score = np.array([passages[c.passage_rank].score / top for c in found])
    passage_rank = np.array([1.0 / (c.passage_rank + 1) for c in found])
    cover_passage = np.array([_coverage(passage_terms[c.passage_rank], terms.unigrams) for c in found])
    sim_rank, cover_rank = _ranks(sim), _ranks(cover + 1e-6 * sim)
    asked = 1.0 if terms.kinds else 0.0
    return np.column_stack(
        [
            sim,
            sim - sim.max(initial=0.0),
            sim_rank,
            passage_score,
            passage_rank,
            cover,
            cover - cover.max(initial=0.0),
            cover_rank,
            sim_rank * cover_rank,
            pairs,
            cover_passage,
            named,
            neighbour,
            stated,
            asked * (1.0 - stated),
            length,
        ]
    ).reshape(n, len(SENTENCE_FEATURES))


def _neighbour_sim(c: Candidate, passages: list[Passage], sims: dict[tuple[str, int], float], floor: float) -> float:
    """The better similarity of the sentences just before and after, in its passage."""
    passage = passages[c.passage_rank]
    starts = [s for s, _ in passage.sentences]
    i = starts.index(c.start)
    around = [starts[j] for j in (i - 1, i + 1) if 0 <= j < len(starts)]
    return max((sims.get((passage.article_id, s), floor) for s in around), default=floor)


def question_features(
    best_logit: float, best: int, sentence_rows: np.ndarray, passages: list[Passage], terms: QuestionTerms
) -> np.ndarray:
    """The row of `QUESTION_FEATURES` for a question, given its candidates' rows and which
    of them is best: how good the best sentence is, how far it stands out from the rest,
    whether it holds the question's names and the kind of fact asked for, and how much of
    the question the corpus knows at all."""
    column = {name: i for i, name in enumerate(SENTENCE_FEATURES)}
    sims = sentence_rows[:, column["sim"]]
    best_sim = float(sims.max(initial=0.0))
    top_dense = max((p.dense_score or 0.0 for p in passages), default=0.0)
    return np.array(
        [
            best_logit,
            best_sim,
            best_sim - float(np.mean(sims)) if len(sims) else 0.0,
            float(sentence_rows[:, column["cover"]].max(initial=0.0)),
            float(sentence_rows[:, column["cover_pairs"]].max(initial=0.0)),
            float(sentence_rows[:, column["cover_passage"]].max(initial=0.0)),
            float(sentence_rows[best, column["names"]]),
            float(sentence_rows[best, column["kind_missing"]]),
            terms.known_share,
            terms.known_count,
            terms.names_known,
            float(terms.names_known < 1.0),
            top_dense,
        ]
    )
