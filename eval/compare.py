"""`python -m eval.compare BEFORE.json AFTER.json`: what changed between two evaluation runs.

Comparing settings (an embedder, top-k, hybrid or dense only) or two versions of the
pipeline needs the questions that moved, not only the averages: on 75 questions one
question moves hit@5 by 0.016, and a gain on one question can hide a loss on another.
So this prints each metric before and after, overall and per language, then every
question whose outcome changed. The inputs are files written by `python -m eval --json-out`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.report import cell
from eval.runner import METRICS
from vectorstore.errors import NewsQAError

# What a question's outcome is made of, in the order shown.
OUTCOME = ("answered", "rank", "keyword_recall", "citations_good", "citations_total")


def load_run(path: Path) -> dict[str, Any]:
    """A run written by `python -m eval --json-out`, or a clear error saying what is wrong."""
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NewsQAError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NewsQAError(f"{path}: not valid JSON ({exc})") from exc
    questions = run.get("questions") if isinstance(run, dict) else None
    if not isinstance(questions, list) or not all(isinstance(q, dict) and "id" in q for q in questions):
        raise NewsQAError(f"{path}: not a file written by `python -m eval --json-out`")
    return run


def _change(before: Any, after: Any) -> str:
    """Shown as "=" when the values print the same (0.9634 and 0.9631 are both 0.963)."""
    old, new = cell(before), cell(after)
    return "=" if old == new else f"{old} → {new}"


def metrics_table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """A Markdown table: one row per metric, "=" where a group's value did not change."""
    langs = list(dict.fromkeys([*before.get("by_lang", {}), *after.get("by_lang", {})]))
    groups = [(before, after)] + [
        (before.get("by_lang", {}).get(g, {}), after.get("by_lang", {}).get(g, {})) for g in langs
    ]
    lines = ["| metric | all | " + " | ".join(langs) + " |", "|---" * (len(langs) + 2) + "|"]
    for metric in METRICS:
        row = [_change(b.get(metric), a.get(metric)) for b, a in groups]
        lines.append(f"| {metric} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def question_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per question whose outcome changed or that only one run has."""
    old = {q["id"]: q for q in before["questions"]}
    new = {q["id"]: q for q in after["questions"]}
    lines = []
    for qid in dict.fromkeys([*old, *new]):
        if qid not in new or qid not in old:
            lines.append(f"- {qid}: only in the {'first' if qid in old else 'second'} run")
            continue
        a, b = old[qid], new[qid]
        changed = [
            f"{field} {_change(a.get(field), b.get(field))}" for field in OUTCOME if a.get(field) != b.get(field)
        ]
        if changed:
            text = str(b.get("question", ""))
            text = text if len(text) <= 70 else text[:69] + "…"
            lines.append(f"- {qid} ({b.get('lang', '?')}): " + ", ".join(changed) + f" — {text}")
    return lines


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    changes = question_changes(before, after)
    return "\n".join(
        [
            metrics_table(before, after),
            "",
            f"Questions whose outcome changed ({len(changes)}):" if changes else "No question's outcome changed.",
            *changes,
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.compare", description=__doc__)
    parser.add_argument("before", type=Path, help="a run written by `python -m eval --json-out`")
    parser.add_argument("after", type=Path, help="another run, of the same question set")
    args = parser.parse_args(argv)
    try:
        before, after = load_run(args.before), load_run(args.after)
    except NewsQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(compare(before, after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
