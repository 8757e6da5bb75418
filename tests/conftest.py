"""Shared fixtures: a fresh index built from seeds/ in a temporary folder (never .index/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa.catalog import ingest
from qa.settings import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"
BUDAPEST_ARTICLE = "000_10bd9dba5d87f1eb"


def run_python_m_eval(questions: Path, index_dir: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """`python -m eval --questions Q --index-dir I FLAGS…` as a user runs it, in a process of its own."""
    command = [sys.executable, "-m", "eval", "--questions", str(questions), "--index-dir", str(index_dir), *flags]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def make_settings(index_dir: Path, **overrides) -> Settings:
    """Settings that ignore the developer's NEWSQA_* environment."""
    return Settings.from_env(env={}, index_dir=index_dir, **overrides)


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("seed-index"))
    report = ingest([SEEDS], settings)
    assert len(report.added) == 5 and not report.skipped
    return settings


@pytest.fixture()
def article_dir(tmp_path: Path) -> Path:
    """A folder with two small articles, for tests that change files."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "alpha.txt").write_text(
        " date 2025-01-02 Ảnh minh họa.\n\nHà Nội công bố kế hoạch xây cầu mới qua sông Hồng. "
        "Cây cầu dài 5 km và dự kiến hoàn thành năm 2030.\n",
        encoding="utf-8",
    )
    (folder / "beta.md").write_text(
        "# Giá lúa gạo tăng mạnh\n\nGiá lúa tại Đồng bằng sông Cửu Long tăng 10% trong tháng 3. "
        "Nông dân phấn khởi vì được mùa.\n",
        encoding="utf-8",
    )
    return folder
