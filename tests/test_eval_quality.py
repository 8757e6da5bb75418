"""The project's quality bar: the full question set, through `python -m eval`, must not
fall below what was measured (bars set just under the README's table)."""

import subprocess
import sys

BARS = {
    "--min-hit-at-k": "0.99",
    "--min-mrr": "0.93",
    "--min-doc-hit-at-k": "0.98",
    "--min-keyword-recall": "0.91",
    "--min-citation-precision": "0.95",
    "--min-abstention-accuracy": "0.70",
    "--max-false-abstention-rate": "0.05",
}


def test_full_question_set_meets_the_bars(seed_settings):
    cmd = [sys.executable, "-m", "eval", "--index-dir", str(seed_settings.index_dir)]
    for flag, value in BARS.items():
        cmd += [flag, value]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
