"""All settings in one place: defaults, overridden by NEWSQA_* environment variables,
overridden by command-line flags. Nothing else reads the environment.

`Settings` is frozen and hashable, so heavy objects (embedder, Chroma client, lexical
index) can be cached per settings and shared by every question.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from vectorstore.embedders import DEFAULT_EMBED_MODEL
from vectorstore.errors import NewsQAError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RETRIEVAL_MODES = ("hybrid", "dense", "lexical")
ANSWER_MODES = ("extractive", "llm")
LLM_PROVIDERS = ("openai-like", "ollama")


def _default_index_dir() -> Path:
    # Beside the repo when running from a checkout; in the working folder otherwise.
    root = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").exists() else Path.cwd()
    return root / ".index"


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=_default_index_dir)
    chroma_url: str = ""
    embed_model: str = DEFAULT_EMBED_MODEL
    top_k: int = 5
    retrieval_mode: str = "hybrid"
    # Weight of the dense side in score fusion; the lexical side gets the rest. English
    # questions share only names with the articles, so their lexical side is weak.
    dense_weight: float = 0.7
    dense_weight_en: float = 1.0
    candidates: int = 30
    chunk_tokens: int = 256
    chunk_overlap_tokens: int = 48
    max_question_chars: int = 2000
    answer_sentences: int = 3
    # A question about the present state or the order of events also quotes the other
    # retrieved articles whose own best sentence is at least this share as probable as the
    # best article's (`qa.timing`).
    time_article_share: float = 0.6
    answer_mode: str = "extractive"
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout_s: float = 60.0
    # "openai-like": any OpenAI-compatible server at llm_url; "ollama": Ollama's own API
    # (llm_url defaults to the local Ollama).
    llm_provider: str = "openai-like"
    # With an LLM answering, also let it make a follow-up standalone before retrieval and
    # translate an English question into Vietnamese for the lexical side.
    llm_rewrite: bool = True
    llm_translate: bool = True
    host: str = "127.0.0.1"
    port: int = 7860
    share: bool = False
    auth_user: str = ""
    auth_password: str = field(default="", repr=False)
    # Serving beyond loopback without a login is refused unless this says it is meant.
    allow_no_auth: bool = False
    max_upload_bytes: int = 2_000_000
    max_article_bytes: int = 2_000_000
    # Seconds to fetch a URL given to `qa ingest`, redirects and all (its size is capped
    # by max_article_bytes).
    fetch_timeout_s: float = 20.0
    concurrency: int = 4

    def __post_init__(self) -> None:
        if self.top_k < 1 or self.top_k > 50:
            raise NewsQAError(f"top-k must be between 1 and 50 (got {self.top_k})")
        if self.retrieval_mode not in RETRIEVAL_MODES:
            raise NewsQAError(f"retrieval mode must be one of {', '.join(RETRIEVAL_MODES)}")
        if self.answer_mode not in ANSWER_MODES:
            raise NewsQAError(f"answer mode must be one of {', '.join(ANSWER_MODES)}")
        if self.llm_provider not in LLM_PROVIDERS:
            raise NewsQAError(f"LLM provider must be one of {', '.join(LLM_PROVIDERS)}")
        if not self.llm_timeout_s > 0:
            raise NewsQAError(f"LLM timeout must be more than 0 seconds (got {self.llm_timeout_s})")
        if not self.fetch_timeout_s > 0:
            raise NewsQAError(f"fetch timeout must be more than 0 seconds (got {self.fetch_timeout_s})")
        if self.llm_url and not self.llm_url.startswith(("http://", "https://")):
            raise NewsQAError(f"LLM URL must start with http:// or https:// (got {self.llm_url!r})")
        if not (0.0 <= self.dense_weight <= 1.0 and 0.0 <= self.dense_weight_en <= 1.0):
            raise NewsQAError("dense weight must be between 0 and 1")
        if self.chunk_tokens < 32 or not 0 <= self.chunk_overlap_tokens < self.chunk_tokens:
            raise NewsQAError("chunk size must be at least 32 tokens and larger than the overlap")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults < NEWSQA_<FIELD> environment variables < explicit overrides (None = unset)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"NEWSQA_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _parse(f.name, raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "index_dir" in values:
            values["index_dir"] = Path(values["index_dir"]).expanduser()
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _parse(name: str, raw: str, kind: Any) -> Any:
    kind = str(kind)
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if kind == "Path":
            return Path(raw)
    except ValueError:
        raise NewsQAError(f"NEWSQA_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw
