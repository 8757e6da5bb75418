"""Human-readable output of an evaluation run: a table, a Markdown report, a chart."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eval.runner import METRICS, Detail, EvalRun
from qa.types import ExtractiveChecks

CHART_NAME = "metrics_by_lang.png"
_CHART_METRICS = ("hit_at_k", "mrr", "keyword_recall", "citation_precision", "abstention_accuracy")


def cell(value: object) -> str:
    """A value as tables print it: shares to three decimals, milliseconds to one."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def print_progress(done: int, total: int, qid: str) -> None:
    """Question i of n on one line of stderr, rewritten as the run goes."""
    end = "\n" if done >= total else ""
    print(f"\rquestion {done}/{total} {qid[-16:]:<16}", end=end, file=sys.stderr, flush=True)


def write_json(run: EvalRun, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


def show(run: EvalRun, json_out: Path | None) -> None:
    """The table on stdout, and the full results as JSON when asked for."""
    print(table(run))
    if json_out:
        write_json(run, json_out)


def table(run: EvalRun) -> str:
    """A Markdown table: one row per metric, a column overall and per language."""
    langs = list(run.by_lang)
    lines = ["| metric | all | " + " | ".join(langs) + " |", "|---" * (len(langs) + 2) + "|"]
    for metric in METRICS:
        row = [cell(run.summary.get(metric))] + [cell(run.by_lang[lang].get(metric)) for lang in langs]
        lines.append(f"| {metric} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def write_chart(run: EvalRun, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    langs = list(run.by_lang)
    x = np.arange(len(_CHART_METRICS))
    width = 0.8 / max(len(langs), 1)
    fig, ax = plt.subplots(figsize=(9, 4))
    for i, lang in enumerate(langs):
        values = [run.by_lang[lang].get(m) or 0.0 for m in _CHART_METRICS]
        ax.bar(x + i * width, values, width, label=lang)
    ax.set_xticks(x + width * (len(langs) - 1) / 2, _CHART_METRICS)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title("Answer quality by question language")
    if langs:  # a run stopped before its first question has none
        ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def failure_reasons(detail: Detail) -> list[str]:
    """Why a failed question counts as failed, in the words of the report."""
    r = detail.result
    why = []
    if r.answerable and r.rank is None:
        why.append("no relevant passage retrieved")
    if r.answerable and not r.answered:
        why.append("abstained although answerable")
    if not r.answerable and r.answered:
        why.append("answered although the articles do not hold the answer")
    if detail.missing_keywords:
        why.append("missing keywords: " + "; ".join(" / ".join(g) for g in detail.missing_keywords))
    if r.citations_good < r.citations_total:
        why.append(f"{r.citations_total - r.citations_good} citation(s) to other articles")
    return why


def stopped_note(run: EvalRun) -> str:
    """What a run stopped early covers, said wherever its numbers are shown."""
    return (
        f"Stopped after {len(run.details)} of {run.planned} questions: the numbers cover those {len(run.details)} only."
    )


def write_report(run: EvalRun, directory: Path, command: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    write_chart(run, directory / CHART_NAME)
    failed = [d for d in run.details if d.failed]
    lines = [
        "# Evaluation report",
        "",
        f"Command: `{command}`",
        "",
        *([] if run.complete else [stopped_note(run), ""]),
        table(run),
        "",
        f"![metrics by language]({CHART_NAME})",
        "",
        f"## Failed questions ({len(failed)} of {len(run.details)})",
    ]
    for d in failed:
        r = d.result
        lines += [
            "",
            f"### {r.id} ({r.lang}) — {', '.join(failure_reasons(d))}",
            f"- question: {d.question}",
            f"- answer: {d.answer}",
            f"- first relevant rank: {r.rank}",
            "- retrieved: " + "; ".join(d.retrieved),
            f"- answer model: {_decision(d.reply.checks.extractive)}",
        ]
    path = directory / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _decision(checks: ExtractiveChecks) -> str:
    """The gates' probabilities against their thresholds, and which refused."""
    gates = ", ".join(f"{g} {p:.3f} (threshold {checks.thresholds.get(g, 0):.3f})" for g, p in checks.gates.items())
    refused = f"refused by {', '.join(checks.refused_by)}" if checks.refused_by else "answered"
    return f"{refused}; {gates}" if gates else refused
