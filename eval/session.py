"""An evaluation run for the chat page, on the runner of `python -m eval`.

A question file is checked whole before anything runs (its format, its size against
`max_eval_questions`, every source in the index and every evidence string in its
sources), so a run never stops half-way on bad input; a SQuAD file runs on its own
temporary index, as `python -m eval.squad` does. The run reports its progress and can be
stopped; what it found is written as the same JSON and Markdown report as the command
line's. Files are named as the user knows them, never by the server's paths.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.metrics import occurrences, summarise
from eval.questions import DEFAULT_QUESTIONS, Question, read_questions
from eval.report import CHART_NAME, write_json, write_report
from eval.runner import EvalRun, run_eval
from eval.squad import SquadSet, load_squad, temporary_index
from qa.catalog import get_article
from qa.settings import Settings
from vectorstore.errors import NewsQAError
from vectorstore.store import ArticleRecord

# A small example of the question format, one question of each kind, to start a set from.
TEMPLATE = Path(__file__).resolve().parent / "template.jsonl"
JSON_NAME = "eval-results.json"
# What a run is doing when it reports progress.
INDEXING = "indexing"
ASKING = "asking"
_EVIDENCE_SHOWN = 60


@dataclass(frozen=True)
class QuestionSet:
    """A checked set of questions, ready to run."""

    name: str
    questions: tuple[Question, ...]
    # For a SQuAD file: its articles, indexed apart for the run.
    squad: SquadSet | None = None


@dataclass(frozen=True)
class Step:
    """Progress of a run: `done` of `total` sentences indexed or questions asked."""

    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class Outcome:
    """A finished (or stopped) run with what is needed to show its failures."""

    run: EvalRun
    command: str
    # Every article a failed answer cites or shows, read while its index was there (a
    # SQuAD set's temporary index is gone once the run ends).
    records: dict[str, ArticleRecord | None]


class _Stopped(Exception):
    """Raised inside an ingest to stop it when the run is cancelled."""


def load_question_set(path: Path, name: str, settings: Settings) -> QuestionSet:
    """The question set in the file at `path`, uploaded as `name`: the project's JSON lines
    (`.jsonl`) checked against the index, or a SQuAD file (`.json`). Raises NewsQAError
    with one line that names the file and, where there is one, the line."""
    suffix = Path(name).suffix.lower()
    limit = settings.server.max_eval_questions
    if suffix == ".jsonl":
        numbered = read_questions(_text(path, name), name, limit)
        check_against_index(numbered, name, settings)
        return QuestionSet(name, tuple(q for _, q in numbered))
    if suffix == ".json":
        try:
            squad = load_squad(path)
        except NewsQAError as exc:
            raise NewsQAError(str(exc).replace(str(path), name)) from None
        if len(squad.questions) > limit:
            raise NewsQAError(
                f"{name}: {len(squad.questions)} questions (each asked as written and without diacritics), "
                f"more than {limit}, the most one run takes"
            )
        return QuestionSet(name, squad.questions, squad)
    raise NewsQAError(f"{name}: a question set is a .jsonl file (one question a line) or a SQuAD .json file")


def bundled_set(settings: Settings) -> QuestionSet:
    """The set `python -m eval` runs when given none."""
    return load_question_set(DEFAULT_QUESTIONS, DEFAULT_QUESTIONS.name, settings)


def _text(path: Path, name: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NewsQAError(f"{name}: not UTF-8 text (invalid byte at position {exc.start})") from None
    except OSError as exc:
        raise NewsQAError(f"{name}: cannot be read ({exc.strerror})") from None


def check_against_index(numbered: Sequence[tuple[int, Question]], name: str, settings: Settings) -> None:
    """Every source of every question is in the index and every evidence string is in one
    of its question's sources: a question failing this would be scored as a miss that
    says nothing about the answers."""
    bodies: dict[str, str | None] = {}
    for line, question in numbered:
        where = f"{name}:{line} ({question.id})"
        for source in question.sources:
            if source not in bodies:
                record = get_article(source, settings)
                bodies[source] = record.body if record else None
            if bodies[source] is None:
                raise NewsQAError(f"{where}: source article {source!r} is not in the index")
        if question.answerable and not question.evidence:
            raise NewsQAError(f"{where}: an answerable question needs evidence quoted from its sources")
        for evidence in question.evidence:
            if not any(occurrences(bodies[s] or "", evidence) for s in question.sources):
                shown = evidence if len(evidence) <= _EVIDENCE_SHOWN else evidence[:_EVIDENCE_SHOWN] + "…"
                raise NewsQAError(f"{where}: evidence {shown!r} is not in its sources {', '.join(question.sources)}")


def command_for(question_set: QuestionSet, k: int, settings: Settings) -> str:
    """The command line that runs the same evaluation."""
    if question_set.squad is not None:
        return f"python -m eval.squad {question_set.name} --k {k} --mode {settings.answering.answer_mode}"
    return f"python -m eval --questions {question_set.name} --k {k} --mode {settings.answering.answer_mode}"


def run_question_set(
    question_set: QuestionSet,
    settings: Settings,
    k: int,
    progress: Callable[[Step], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Outcome:
    """Run the set as `python -m eval` (or `python -m eval.squad`) would; when `stop()`
    turns true the run ends early and its outcome covers the questions asked so far."""
    questions = list(question_set.questions)
    command = command_for(question_set, k, settings)

    def asked(done: int, total: int, _qid: str) -> None:
        if progress:
            progress(Step(ASKING, done, total))

    if question_set.squad is None:
        run = run_eval(questions, settings, k, progress=asked, stop=stop)
        return Outcome(run, command, shown_records(run, settings))

    def indexed(done: int, total: int, _article_id: str) -> None:
        if stop and stop():
            raise _Stopped
        if progress:
            progress(Step(INDEXING, done, total))

    try:
        with temporary_index(question_set.squad, settings, progress=indexed) as index:
            run = run_eval(questions, index, k, progress=asked, stop=stop)
            return Outcome(run, command, shown_records(run, index))
    except _Stopped:
        return Outcome(EvalRun(summarise([]), {}, [], planned=len(questions)), command, {})


def shown_records(run: EvalRun, settings: Settings) -> dict[str, ArticleRecord | None]:
    """The records of the articles the failed answers cite or show, each read once."""
    ids = {
        source.article_id
        for detail in run.details
        if detail.failed
        for source in (*detail.reply.citations, *detail.reply.passages)
    }
    records: dict[str, ArticleRecord | None] = {}
    for article_id in sorted(ids):
        try:
            records[article_id] = get_article(article_id, settings)
        except NewsQAError:
            records[article_id] = None
    return records


def run_steps(question_set: QuestionSet, settings: Settings, k: int, stop: threading.Event) -> Iterator[Step | Outcome]:
    """The run in a worker thread, as a stream: its latest progress each time the reader
    asks (steps it had no time to show are skipped), then its outcome. Closing the
    stream early (the page was closed) stops the run; errors of the run are raised here."""
    updates: queue.Queue[Step | Outcome | Exception] = queue.Queue()

    def work() -> None:
        try:
            updates.put(run_question_set(question_set, settings, k, progress=updates.put, stop=stop.is_set))
        except Exception as exc:  # noqa: BLE001 - handed over to the reader, who raises it
            updates.put(exc)

    threading.Thread(target=work, name="newsqa-eval", daemon=True).start()
    try:
        while True:
            item = updates.get()
            while isinstance(item, Step) and not updates.empty():
                item = updates.get()
            if isinstance(item, Exception):
                raise item
            yield item
            if isinstance(item, Outcome):
                return
    finally:
        stop.set()


def write_outputs(outcome: Outcome, folder: Path) -> tuple[Path, Path, Path]:
    """The JSON results, the Markdown report and its chart, written into `folder`."""
    json_path = folder / JSON_NAME
    write_json(outcome.run, json_path)
    report = write_report(outcome.run, folder, outcome.command)
    return json_path, report, report.with_name(CHART_NAME)
