"""`python -m eval`: run the question set, print the table, optionally fail under a bar."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from eval.questions import DEFAULT_QUESTIONS, numbered_questions
from eval.report import print_progress, show, write_report
from eval.runner import run_eval
from eval.session import check_against_index
from qa.catalog import ingest
from qa.cli import settings_arguments, settings_from_args
from vectorstore.errors import NewsQAError

# Bars a run can be held to: metric -> True when higher is better.
BARS = {
    "hit_at_k": True,
    "mrr": True,
    "doc_hit_at_k": True,
    "keyword_recall": True,
    "citation_precision": True,
    "citation_support_rate": True,
    "abstention_accuracy": True,
    "false_abstention_rate": False,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", parents=[settings_arguments()], description=__doc__)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS, help="question file (JSON lines)")
    parser.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    parser.add_argument("--json-out", type=Path, help="write the metrics and per-question results as JSON")
    parser.add_argument("--report", type=Path, help="write report.md and a chart into this folder")
    parser.add_argument("--ingest", type=Path, nargs="*", help="ingest these article files/folders first")
    for metric, higher in BARS.items():
        word = "min" if higher else "max"
        parser.add_argument(
            f"--{word}-{metric.replace('_', '-')}",
            type=float,
            metavar="X",
            help=f"exit 1 when {metric} (overall) is {'below' if higher else 'above'} X",
        )
    parser.add_argument("--per-lang", action="store_true", help="apply the bars to every language too")
    return parser


def check_bars(args: argparse.Namespace, groups: dict[str, dict]) -> list[str]:
    failures = []
    for metric, higher in BARS.items():
        bar = getattr(args, f"{'min' if higher else 'max'}_{metric}")
        if bar is None:
            continue
        for name, values in groups.items():
            value = values.get(metric)
            if value is None:
                continue
            if (higher and value < bar) or (not higher and value > bar):
                failures.append(f"{metric} ({name}) = {value:.3f}, bar {'≥' if higher else '≤'} {bar}")
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = settings_from_args(args)
        if args.ingest:
            print(ingest(args.ingest, settings).summary(), file=sys.stderr)
        numbered = numbered_questions(args.questions)
        check_against_index(numbered, str(args.questions), settings)
        run = run_eval([q for _, q in numbered], settings, args.k, progress=print_progress)
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    show(run, args.json_out)
    if args.report:
        command = "python -m eval " + " ".join(argv if argv is not None else sys.argv[1:])
        print(f"report: {write_report(run, args.report, command)}", file=sys.stderr)
    groups = {"all": run.summary, **(run.by_lang if args.per_lang else {})}
    failures = check_bars(args, groups)
    for failure in failures:
        print(f"below the bar: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
