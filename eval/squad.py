"""`python -m eval.squad FILE`: any SQuAD-format file as an evaluation of the whole pipeline.

A SQuAD v1/v2 file becomes articles (title + paragraphs) and a question set in the
project's format: each question as written, the same question typed without diacritics,
and the parallel English question when a parallel file with the same question ids is
given. The evidence is the sentence holding the answer span; the answer keywords are the
answer texts. A deterministic share of the articles is left out of the index, and their
questions become unanswerable ones (as do SQuAD v2 `is_impossible` questions): the answer
must say the articles do not hold it. The articles are ingested into a temporary index
(never the user's), and the same metrics as `python -m eval` are printed per language.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from eval.questions import LANGS, Question
from eval.report import print_progress, show
from eval.runner import EvalRun, run_eval
from qa.catalog import ingest
from qa.cli import settings_arguments, settings_from_args
from qa.resources import forget_store
from qa.settings import Settings
from vectorstore.errors import NewsQAError
from vectorstore.ingest import Progress
from vectorstore.text import fold, normalize, split_sentences

_UNSAFE = re.compile(r"[^\w-]+", re.UNICODE)


@dataclass(frozen=True)
class SquadArticle:
    id: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def as_markdown(self) -> str:
        """The file ingest reads: a `# Title` line, then the paragraphs."""
        return f"# {self.title}\n\n{self.body}\n"


@dataclass(frozen=True)
class SquadSet:
    articles: tuple[SquadArticle, ...]  # to be indexed
    left_out: tuple[SquadArticle, ...]  # not indexed: their questions are unanswerable
    questions: tuple[Question, ...]
    # Question id -> the id of the article it was asked on (indexed or left out).
    origin: dict[str, str]

    def write_articles(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for article in self.articles:
            path = folder / f"{article.id}.md"
            path.write_text(article.as_markdown(), encoding="utf-8")
            paths.append(path)
        return paths


def _read(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NewsQAError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise NewsQAError(f"{path}: not UTF-8 text (invalid byte at position {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise NewsQAError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise NewsQAError(f"{path}: not a SQuAD file (no top-level 'data' list)")
    return data["data"]


def _field(obj: object, key: str, kind: type, where: str) -> object:
    if not isinstance(obj, dict) or not isinstance(obj.get(key), kind):
        raise NewsQAError(f"{where}: missing or malformed '{key}'")
    return obj[key]


def _article_id(index: int, title: str) -> str:
    return f"{index:03d}_{_UNSAFE.sub('_', title).strip('_')[:60] or 'article'}"


def _left_out(titles: Sequence[str], n: int, rotation: int) -> set[int]:
    """The articles to keep out of the index: the same ones on every run and machine
    (ranked by a hash of their title), whatever order the file lists them in; rotation r
    leaves out the r-th group of `n` in that ranking."""
    if not 0 <= n < len(titles):
        raise NewsQAError(f"--leave-out must be between 0 and {len(titles) - 1} (got {n})")
    ranked = sorted(range(len(titles)), key=lambda i: hashlib.sha256(titles[i].encode("utf-8")).hexdigest())
    first = (rotation * n) % len(titles)
    return set((ranked + ranked)[first : first + n])


def _evidence(context: str, start: int, text: str) -> str:
    """The sentence(s) of the context holding the answer at `start` (or, when the offset
    is off, its nearest occurrence)."""
    if context[start : start + len(text)] != text:
        found = [m.start() for m in re.finditer(re.escape(text), context)]
        if not found:
            return ""
        start = min(found, key=lambda s: abs(s - start))
    end = start + len(text)
    spans = [(a, b) for a, b in split_sentences(context) if a < end and b > start] or [(start, end)]
    return context[spans[0][0] : spans[-1][1]]


def _english_questions(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    return {
        str(qa.get("id")): normalize(str(qa.get("question", "")))
        for article in _read(path)
        for paragraph in article.get("paragraphs", [])
        for qa in paragraph.get("qas", [])
    }


def _digest(text: str) -> float:
    """A stable number in [0, 1) for a text: the same draw on every run and machine."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16) / 16**12


def _without_an_answer(context: str, qas: list, where: str) -> str:
    """The paragraph less the sentence(s) answering its first question (in a fixed draw):
    its questions on that sentence become near misses, asked about an indexed article
    that does not hold their answer."""
    answered = [qa for qa in qas if isinstance(qa, dict) and qa.get("answers") and not qa.get("is_impossible")]
    if not answered:
        return context
    qa = min(answered, key=lambda q: _digest(str(q.get("id"))))
    answer = _field(qa["answers"][0], "text", str, f"{where} answers[0]")
    start = _field(qa["answers"][0], "answer_start", int, f"{where} answers[0]")
    sentence = _evidence(context, start, normalize(answer).strip())
    return " ".join(context.replace(sentence, " ").split()) if sentence else context


def load_squad(
    path: Path, parallel_en: Path | None = None, leave_out: int = 0, rotation: int = 0, near_miss: float = 0.0
) -> SquadSet:
    """The articles and question set of a SQuAD file; malformed input raises NewsQAError
    naming the place (article, paragraph, question). `near_miss` is the share of indexed
    paragraphs (a fixed draw) whose answer to one question is cut out: the questions that
    lose their answer are unanswerable, though their article is indexed."""
    raw = _read(path)
    english = _english_questions(parallel_en)
    titles = [normalize(str(_field(a, "title", str, f"{path}: data[{i}]"))) for i, a in enumerate(raw)]
    out = _left_out(titles, leave_out, rotation) if raw else set()
    kept: list[SquadArticle] = []
    dropped: list[SquadArticle] = []
    questions: list[Question] = []
    origin: dict[str, str] = {}
    for i, (article, title) in enumerate(zip(raw, titles)):
        where = f"{path}: data[{i}] ({title})"
        paragraphs = _field(article, "paragraphs", list, where)
        shown = SquadArticle(_article_id(i, title), title.replace("_", " "), ())
        contexts = []
        for j, paragraph in enumerate(paragraphs):
            place = f"{where} paragraphs[{j}]"
            context = normalize(str(_field(paragraph, "context", str, place))).strip()
            qas = _field(paragraph, "qas", list, place)
            cut = i not in out and _digest(f"{rotation}:{context}") < near_miss
            if cut:
                context = _without_an_answer(context, qas, place)
            contexts.append(context)
            for m, qa in enumerate(qas):
                asked = _questions(qa, context, shown.id, i in out, english, f"{place} qas[{m}]", cut)
                questions.extend(asked)
                origin.update((q.id, shown.id) for q in asked)
        shown = SquadArticle(shown.id, shown.title, tuple(c for c in contexts if c))
        (dropped if i in out else kept).append(shown)
    if not questions:
        raise NewsQAError(f"{path}: no questions")
    return SquadSet(tuple(kept), tuple(dropped), tuple(questions), origin)


def _questions(
    qa: dict, context: str, article_id: str, left_out: bool, english: dict[str, str], where: str, cut: bool = False
) -> Iterable[Question]:
    qid = str(_field(qa, "id", (str, int), where))
    text = normalize(str(_field(qa, "question", str, where))).strip()
    if not text:
        return []
    impossible = bool(qa.get("is_impossible", False))
    answers = [] if impossible else _field(qa, "answers", list, where)
    evidence, keywords = [], []
    for n, answer in enumerate(answers):
        answer_text = normalize(str(_field(answer, "text", str, f"{where} answers[{n}]"))).strip()
        start = _field(answer, "answer_start", int, f"{where} answers[{n}]")
        sentence = _evidence(context, start, answer_text) if answer_text else ""
        if sentence and sentence not in evidence:
            evidence.append(sentence)
        if answer_text and answer_text not in keywords:
            keywords.append(answer_text)
    answerable = not (left_out or impossible) and bool(evidence)
    if not answerable and not (left_out or impossible or cut):
        return []  # an answer whose text the context does not hold: nothing to check it by
    common = {
        "answerable": answerable,
        "sources": (article_id,) if answerable else (),
        "evidence": tuple(evidence) if answerable else (),
        "answer_keywords": (tuple(keywords),) if answerable else (),
    }
    forms = [("vi", text), ("vi-noaccent", fold(text))]
    if english.get(qid):
        forms.append(("en", english[qid]))
    return [Question(id=f"{qid}:{lang}", question=q, lang=lang, **common) for lang, q in forms]


def sample(questions: Sequence[Question], per_lang: int, seed: int = 0) -> list[Question]:
    """The same `per_lang` source questions in every language (a fixed draw), so the
    languages are compared on the same facts."""
    ids = sorted({q.id.rsplit(":", 1)[0] for q in questions})
    chosen = set(random.Random(seed).sample(ids, min(per_lang, len(ids))))
    return [q for q in questions if q.id.rsplit(":", 1)[0] in chosen]


@contextmanager
def temporary_index(squad: SquadSet, settings: Settings, progress: Progress | None = None) -> Iterator[Settings]:
    """The settings of an embedded index of the set's articles in a temporary folder.

    The user's index is never touched, not even a Chroma server the settings name; the
    folder and the cached handles on it are gone when the block ends."""
    with tempfile.TemporaryDirectory(prefix="newsqa-squad-") as tmp:
        root = Path(tmp)
        indexed = settings.with_(index_dir=root / "index", chroma_url="")
        try:
            report = ingest(squad.write_articles(root / "articles"), indexed, progress=progress)
            if report.skipped:
                raise NewsQAError(f"{len(report.skipped)} articles could not be ingested: {report.skipped[0]}")
            yield indexed
        finally:
            forget_store(indexed)


def run_squad(squad: SquadSet, settings: Settings, k: int, progress=None) -> EvalRun:
    """Ingest the set's articles into a temporary index and run its questions there."""
    with temporary_index(squad, settings) as indexed:
        return run_eval(list(squad.questions), indexed, k, progress=progress)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.squad", parents=[settings_arguments()], description=__doc__)
    parser.add_argument("file", type=Path, help="SQuAD v1/v2 JSON file (questions in the articles' language)")
    parser.add_argument("--parallel-en", type=Path, help="the same questions in English (same ids)")
    parser.add_argument("--leave-out", type=int, default=0, help="articles kept out of the index (unanswerable)")
    parser.add_argument(
        "--near-miss", type=float, default=0.0, help="share of paragraphs whose answer to a question is cut out"
    )
    parser.add_argument("--sample", type=int, help="this many questions (each in every language), a fixed draw")
    parser.add_argument("--langs", help="only these question forms, e.g. 'vi,en' (default: every one)")
    parser.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    parser.add_argument("--json-out", type=Path, help="write the metrics and per-question results as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        squad = load_squad(args.file, args.parallel_en, args.leave_out, near_miss=args.near_miss)
        if args.sample:
            squad = replace(squad, questions=tuple(sample(squad.questions, args.sample)))
        if args.langs:
            wanted = set(args.langs.split(","))
            if unknown := wanted - set(LANGS):
                raise NewsQAError(f"--langs: unknown form {min(unknown)!r} (one of {', '.join(LANGS)})")
            squad = replace(squad, questions=tuple(q for q in squad.questions if q.lang in wanted))
        print(
            f"{len(squad.articles)} articles indexed, {len(squad.left_out)} left out, {len(squad.questions)} questions",
            file=sys.stderr,
        )
        run = run_squad(squad, settings_from_args(args), args.k, progress=print_progress)
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    show(run, args.json_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
