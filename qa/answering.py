"""Extractive answers: quote the sentences that answer, each with its source marker.

No model writes anything here: the answer is made of whole sentences of the retrieved
passages, verbatim, so every claim is checkable against its source. A sentence is
chosen for its own similarity to the question, for the passage it sits in, and for how
much of the question's rarer vocabulary it contains; the best one brings the neighbour
it leans on (`qa.discourse`), and each part of a question that asks several things
brings its own best sentence. When the evidence is too weak the answer says so in the
question's language and lists the closest passages instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from qa.asked import asked_kinds, asked_thing, sought_fact, unstated_kind
from qa.discourse import announces_next, is_heading, is_photo_caption, points_back
from qa.query import FUNCTION_WORDS, QueryAnalysis
from qa.types import Citation, Passage
from vectorstore.corpus import CorpusIndex
from vectorstore.lexical import document_terms
from vectorstore.store import SentenceKey
from vectorstore.text import fold, is_vietnamese_syllable, words

NOT_FOUND = {
    "vi": "Các bài báo không chứa thông tin để trả lời câu hỏi này. Những đoạn gần nhất được hiển thị kèm theo.",
    "en": "The articles do not contain the answer to this question. The closest passages are shown with it.",
}
# Weights of the sentence score: own similarity, passage score, vocabulary overlap.
# An English question shares only names and numbers with the articles, so its overlap
# says little and its sentence similarity decides.
_WEIGHTS = {
    "vi": (0.4, 0.3, 0.3),
    "vi-noaccent": (0.4, 0.3, 0.3),
    "en": (0.7, 0.2, 0.1),
}
# A sentence joins the answer when it scores this share of the best one. Sentence scores
# of English questions are less sure (cross-lingual), so their answers quote more.
_SENTENCE_SHARE = {"vi": 0.85, "vi-noaccent": 0.75, "en": 0.5}
# Added to a sentence with the number a question asks for, or stating the date it names.
_NUMBER_BONUS = 0.3
# Past `max_sentences`, this many more qualifying sentences join the answer when they come
# from an article it already cites: they add no source to check, and the sentence that
# answers is often the runner-up when scores are unsure (English questions: keyword
# recall 0.667 -> 0.809 at the same citation precision).
_SAME_SOURCE_EXTRA = 1
# Only passages scoring at least this share of the best one are quoted from; weaker
# ones are usually about a neighbouring topic and would cite the wrong article. Keyword
# recall is 0.913 from 0.72 to 0.76 and 0.889 at 0.78; citation precision falls below 0.74.
_PASSAGE_SHARE = 0.75
# How far back a sentence's "the city" or "he" may point for the name a question asks about.
_LEAD_IN_SENTENCES = 2


@dataclass(frozen=True)
class Composed:
    answer: str
    answered: bool
    citations: list[Citation]
    checks: dict


@dataclass(frozen=True)
class _Sentence:
    passage_rank: int
    start: int
    end: int
    text: str
    score: float
    coverage: float


def _topical_syllables(query: QueryAnalysis) -> list[str]:
    """Folded question syllables that carry its topic (no function words, no lone digits)."""
    folded = (fold(s) for s in query.content_syllables)
    return [f for f in folded if f not in FUNCTION_WORDS and not (f.isdigit() and len(f) < 2)]


def _weights(query: QueryAnalysis, corpus: CorpusIndex) -> dict[str, float]:
    """IDF of each lexical term of the question's topic, names and dates that the corpus
    knows (others cannot match), keyed by the term as `document_terms` writes it."""
    terms = [f"f:{f}" for f in _topical_syllables(query)] + list(query.phrases) + list(query.dates)
    idf = {t: corpus.bm25.term_idf(t) for t in terms}
    return {t: v for t, v in idf.items() if v > 0}


def _overlap(terms: set[str], weights: dict[str, float]) -> float:
    """The weighted share of the question's terms that a sentence's `terms` hold."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(v for k, v in weights.items() if k in terms) / total


def _question_words(query: QueryAnalysis) -> set[str]:
    """The question's folded words, an English question's names as the articles write them too."""
    return set(words(fold(f"{query.text} {query.dense_text}")))


def _sentences(passages: list[Passage], weights: dict[str, float], query: QueryAnalysis) -> list[_Sentence]:
    w_sentence, w_passage, w_overlap = _WEIGHTS[query.language]
    sought, dates = sought_fact(query.text, _question_words(query)), frozenset(query.dates)
    top = max((p.score for p in passages), default=0.0) or 1.0
    sims = [s for p in passages for s in p.sentence_scores if s is not None]
    lo, hi = (min(sims), max(sims)) if sims else (0.0, 0.0)
    span = (hi - lo) or 1.0
    seen: set[tuple[str, int, int]] = set()
    out: list[_Sentence] = []
    for rank, passage in enumerate(passages):
        if passage.score < _PASSAGE_SHARE * top:
            continue
        scores = passage.sentence_scores or (None,) * len(passage.sentences)
        for (start, end), sim in zip(passage.sentences, scores):
            key = (passage.article_id, start, end)
            if key in seen:
                continue  # the same sentence in two overlapping chunks
            seen.add(key)
            text = passage.text[start - passage.start : end - passage.start]
            terms = set(document_terms(text))
            coverage = _overlap(terms, weights)
            own = 0.0 if sim is None else (sim - lo) / span
            score = w_sentence * own + w_passage * passage.score / top + w_overlap * coverage
            # A sentence with the number or the named thing asked for, or stating the date the question names.
            if (sought and sought(text)) or not dates.isdisjoint(terms):
                score += _NUMBER_BONUS
            out.append(_Sentence(rank, start, end, text, score, coverage))
    return out


def _foreign_words(query: QueryAnalysis, corpus: CorpusIndex) -> list[str]:
    """The question's folded words that are not Vietnamese syllables and that the articles
    contain: the names an unaccented question can be recognised by."""
    folded = (fold(w) for w in query.content_syllables)
    return [w for w in folded if not is_vietnamese_syllable(w) and corpus.bm25.knows(f"f:{w}")]


def _named(query: QueryAnalysis, corpus: CorpusIndex) -> list[str]:
    """The question's names that the articles contain, folded: its capitalised names; the
    foreign words of an unaccented question; for an English question, the words of its
    names found in the articles, translated or verbatim."""
    if query.language == "en":
        return [t[2:] for t in query.lexical_terms if not t.startswith("b:") and not t[2:].isdigit()]
    if query.language == "vi":
        return [fold(name) for name in query.names if corpus.bm25.knows_phrase(name)]
    return _foreign_words(query, corpus)


def _topical_terms(query: QueryAnalysis, corpus: CorpusIndex) -> list[str]:
    """What ties the question to the corpus at all: two-syllable words of the question
    that the articles contain, and foreign names they contain (for an English question,
    its names found in the articles). Off-topic questions have none, however close the
    dense model rates them (multilingual-e5 rates almost anything above 0.75)."""
    if query.language == "en":
        return _named(query, corpus)
    folded = [fold(w) for w in query.content_syllables]
    bigrams = [
        f"{a} {b}"
        for a, b in pairwise(folded)
        if a not in FUNCTION_WORDS and b not in FUNCTION_WORDS and corpus.bm25.knows(f"b:{a}_{b}")
    ]
    return bigrams + _foreign_words(query, corpus)


def _neighbour(sentence: _Sentence, step: int, passages: list[Passage]) -> _Sentence | None:
    """The sentence `step` places away in the article, from a retrieved passage that holds
    both (its own passage first), so it can be cited like any other; None if none does."""
    article_id = passages[sentence.passage_rank].article_id
    order = [sentence.passage_rank] + [r for r in range(len(passages)) if r != sentence.passage_rank]
    for rank in order:
        passage = passages[rank]
        if passage.article_id != article_id:
            continue
        starts = [start for start, _ in passage.sentences]
        if sentence.start in starts and 0 <= (i := starts.index(sentence.start) + step) < len(starts):
            start, end = passage.sentences[i]
            text = passage.text[start - passage.start : end - passage.start]
            return _Sentence(rank, start, end, text, 0.0, 0.0)
    return None


def _lead_in(sentence: _Sentence, passages: list[Passage]) -> str:
    """The `_LEAD_IN_SENTENCES` before the sentence in its article, as far as the retrieved
    passages hold them: what its "the city" or "he" may refer back to."""
    before: list[str] = []
    current: _Sentence | None = sentence
    while len(before) < _LEAD_IN_SENTENCES and (current := _neighbour(current, -1, passages)) is not None:
        before.insert(0, current.text)
    return " ".join(before)


def _leaned_on(sentence: _Sentence, passages: list[Passage], with_before: bool) -> list[_Sentence]:
    """The neighbours the sentence leans on, in article order: the sentence before when it
    points back to it (`with_before`), the one after when it announces it or continues it."""
    before = _neighbour(sentence, -1, passages) if with_before else None
    after = _neighbour(sentence, 1, passages)
    return [
        *([before] if before is not None and points_back(sentence.text) else []),
        *([after] if after is not None and (announces_next(sentence.text) or points_back(after.text)) else []),
    ]


def _with_context(chosen: list[_Sentence], passages: list[Passage]) -> list[_Sentence]:
    """The chosen sentences plus the neighbours they lean on: for each, the sentence after
    when it announces it or continues it ("… đưa ra các đề xuất." then "Các đề xuất gồm:
    …"), and for the best one also the sentence before when it points back to it. Held-out
    keyword recall 0.875 -> 0.938 with continuations of every chosen sentence, not only the
    best one's. Adding the sentence before every chosen one as well made answers longer
    (450 characters on average against 437) and cited one wrong article, for no keyword."""
    quoted = {(passages[s.passage_rank].article_id, s.start) for s in chosen}
    added = []
    for i, sentence in enumerate(chosen):
        for neighbour in _leaned_on(sentence, passages, with_before=i == 0):
            key = (passages[neighbour.passage_rank].article_id, neighbour.start)
            if key not in quoted and not is_heading(neighbour.text):
                quoted.add(key)
                added.append(neighbour)
    return chosen + added


def _ranked(query: QueryAnalysis, passages: list[Passage], weights: dict[str, float]) -> list[_Sentence]:
    """The passages' sentences, best first; no caption or heading while another sentence is there."""
    candidates = sorted(_sentences(passages, weights, query), key=lambda s: -s.score)
    return [s for s in candidates if not (is_photo_caption(s.text) or is_heading(s.text))] or candidates


def _complementary(chosen: list[_Sentence], passages: list[Passage], weights: dict[str, float]) -> list[_Sentence]:
    """The chosen sentences less those from other articles than the top passage's that
    hold none of the question's terms the sentences before them leave out: a second
    article is cited for what the first does not say, not to say it again. The top
    passage's article goes first, not the best sentence's: a sentence elsewhere that
    repeats the question's words can outscore the article the question is about.
    Citations of articles that do not answer: 12 -> 8 on the eval set (2 of 144 good
    ones lost), 6 -> 4 on 32 questions written afterwards (1 of 63 lost)."""
    top = passages[0].article_id
    covered: set[str] = set()
    articles: set[str] = set()
    kept: list[_Sentence] = []
    for sentence in sorted(chosen, key=lambda s: passages[s.passage_rank].article_id != top):
        terms = weights.keys() & set(document_terms(sentence.text))
        article = passages[sentence.passage_rank].article_id
        if not kept or article in articles or terms - covered:
            kept.append(sentence)
            articles.add(article)
            covered |= terms
    return [s for s in chosen if s in kept]


def _select(query: QueryAnalysis, passages: list[Passage], corpus: CorpusIndex, max_sentences: int) -> list[_Sentence]:
    """The sentences that answer, best first: those scoring a share of the best one, at
    most `max_sentences` and each adding to what the others say, plus runners-up from
    articles already cited (`_SAME_SOURCE_EXTRA`)."""
    weights = _weights(query, corpus)
    candidates = _ranked(query, passages, weights)
    best = candidates[0].score
    qualifying = [s for s in candidates if s.score >= _SENTENCE_SHARE[query.language] * best]
    chosen = _complementary(qualifying[:max_sentences], passages, weights)
    cited = {passages[s.passage_rank].article_id for s in chosen}
    extra = [s for s in qualifying[max_sentences:] if passages[s.passage_rank].article_id in cited]
    return chosen + extra[:_SAME_SOURCE_EXTRA]


def _with_parts(
    chosen: list[_Sentence],
    query: QueryAnalysis,
    part_sentences: Sequence[Mapping[SentenceKey, float]],
    passages: list[Passage],
    corpus: CorpusIndex,
) -> list[_Sentence]:
    """The chosen sentences plus the best one for each part of a question that asks
    several things, scored as if that part were asked alone, when not chosen already:
    the best sentences for the whole question often answer only one of its parts."""
    quoted = {(passages[s.passage_rank].article_id, s.start) for s in chosen}
    added = []
    for part, similar in zip(query.parts, part_sentences):
        rescored = [
            replace(p, sentence_scores=tuple(similar.get((p.article_id, s, e)) for s, e in p.sentences))
            for p in passages
        ]
        best = _ranked(part, rescored, _weights(part, corpus))[0]
        if (key := (passages[best.passage_rank].article_id, best.start)) not in quoted:
            quoted.add(key)
            added.append(best)
    return chosen + added


def _missing_kind(
    query: QueryAnalysis, chosen: list[_Sentence], passages: list[Passage], corpus: CorpusIndex
) -> str | None:
    """`unstated_kind` of the answer. The best sentence is read with the neighbours it
    leans on (a quotation's date is often in the sentence attributing it), and each
    sentence with its lead-in; none of that is gathered for a question asking no kind."""
    if not asked_kinds(query.text) and not asked_thing(query.text):
        return None
    best = sorted([chosen[0], *_leaned_on(chosen[0], passages, with_before=True)], key=lambda s: s.start)
    statements = [" ".join(s.text for s in best), *(s.text for s in chosen[1:])]
    lead_ins = [_lead_in(s, passages) for s in [best[0], *chosen[1:]]]
    return unstated_kind(query.text, statements, _named(query, corpus), lead_ins, _question_words(query))


def evidence_checks(query: QueryAnalysis, passages: list[Passage], corpus: CorpusIndex) -> dict:
    """The signals abstention is decided on, kept in the result for inspection."""
    sims = [s for p in passages for s in p.sentence_scores if s is not None]
    return {
        "topical_terms": _topical_terms(query, corpus),
        "top_sentence": round(max(sims), 4) if sims else None,
        "unknown_names": [name for name in query.names if not corpus.bm25.knows_phrase(name)],
        "missing_kind": None,  # set by compose() once it knows which sentences it would quote
        "unknown_foreign_words": sorted(
            {
                f
                for f in _topical_syllables(query)
                if query.language != "en" and not corpus.bm25.knows(f"f:{f}") and not is_vietnamese_syllable(f)
            }
        ),
    }


def is_supported(checks: dict) -> bool:
    """Abstain when the question names someone or something the articles never mention
    (a capitalised name, or a foreign word in an unaccented question), or has nothing
    tying it to the articles."""
    return not (checks["unknown_names"] or checks["unknown_foreign_words"] or not checks["topical_terms"])


def compose(
    query: QueryAnalysis,
    passages: list[Passage],
    corpus: CorpusIndex,
    max_sentences: int,
    language: str,
    part_sentences: Sequence[Mapping[SentenceKey, float]] = (),
) -> Composed:
    """The cited answer, or the not-found message in `language` (that of the user's question).
    `part_sentences` are the nearest sentences of each of `query.parts` (`Retrieved`)."""
    checks = evidence_checks(query, passages, corpus)
    message_lang = "en" if language == "en" else "vi"
    if not passages or not is_supported(checks):
        return Composed(NOT_FOUND[message_lang], False, [], checks)

    chosen = _select(query, passages, corpus, max_sentences)
    chosen = _with_context(_with_parts(chosen, query, part_sentences, passages, corpus), passages)
    checks["missing_kind"] = _missing_kind(query, chosen, passages, corpus)
    if checks["missing_kind"]:
        return Composed(NOT_FOUND[message_lang], False, [], checks)
    # Read in source order: articles as they first rank, each in its own order.
    article_rank: dict[str, int] = {}
    for s in sorted(chosen, key=lambda s: s.passage_rank):
        article_rank.setdefault(passages[s.passage_rank].article_id, s.passage_rank)
    chosen.sort(key=lambda s: (article_rank[passages[s.passage_rank].article_id], s.start))

    numbers: dict[int, int] = {}
    parts: list[str] = []
    for sentence in chosen:
        n = numbers.setdefault(sentence.passage_rank, len(numbers) + 1)
        parts.append(f"{sentence.text} [{n}]")
    citations = []
    for rank, n in numbers.items():
        passage = passages[rank]
        quotes = tuple((s.start, s.end) for s in chosen if s.passage_rank == rank)
        citations.append(Citation.of(n, passage, quotes))
    return Composed(" ".join(parts), True, citations, checks)
