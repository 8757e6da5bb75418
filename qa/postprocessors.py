"""What happens to the ranked chunks before they become passages, as llama-index node
postprocessors: their texts are read from the store, and each is opened one sentence
earlier when it starts mid-thought. Ranking is untouched."""

from __future__ import annotations

from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import PrivateAttr

from qa.discourse import carries_on
from vectorstore.corpus import CorpusIndex
from vectorstore.store import ArticleStore, SentenceKey, StoredChunk


class ChunkTexts(BaseNodePostprocessor):
    """Fills in the ranked chunks' texts, all read in one call to the store. A chunk gone
    by then (removed by an ingest since the corpus was read) is dropped."""

    _corpus: CorpusIndex = PrivateAttr()
    _store: ArticleStore = PrivateAttr()

    def __init__(self, corpus: CorpusIndex, store: ArticleStore) -> None:
        super().__init__()
        self._corpus, self._store = corpus, store

    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        texts = self._corpus.texts.get([n.node.node_id for n in nodes], self._store.chunk_texts)
        return [
            NodeWithScore(
                node=TextNode(id_=n.node.node_id, text=texts[n.node.node_id], metadata=n.node.metadata), score=n.score
            )
            for n in nodes
            if n.node.node_id in texts
        ]


class LeadInExpander(BaseNodePostprocessor):
    """Opens a chunk one sentence earlier when its first sentence carries on from the one
    before ("Đồng thời, ...", "Theo ông, ..."): a passage shown or quoted should not open
    mid-thought, and the sentence before is often what the question asks ("Putin described
    the front line. At the same time, he stressed peace."). The sentence is taken from a
    chunk holding both it and the chunk's first sentence (the overlap between chunks
    usually makes one; without one the chunk stays as it is), all such chunks read in one
    call to the store. The node's metadata get `lead_in`, the added sentence's span."""

    _corpus: CorpusIndex = PrivateAttr()
    _store: ArticleStore = PrivateAttr()

    def __init__(self, corpus: CorpusIndex, store: ArticleStore) -> None:
        super().__init__()
        self._corpus, self._store = corpus, store

    def _before(self, chunk: StoredChunk, text: str) -> tuple[SentenceKey, StoredChunk] | None:
        first = chunk.sentences[0]
        if not carries_on(text[: first[1] - first[0]]):
            return None
        key = (chunk.article_id, *first)
        sentence_chunks = self._corpus.sentence_chunks
        before = sentence_chunks.previous(key)
        holders = set(sentence_chunks.get(before, ())) & set(sentence_chunks[key]) if before else set()
        return (before, self._corpus.chunks[min(holders)]) if holders else None

    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        chunks = self._corpus.chunks
        wanted = {
            n.node.node_id: found
            for n in nodes
            if (found := self._before(chunks[n.node.metadata["position"]], n.node.get_content()))
        }
        if not wanted:
            return nodes
        held = self._corpus.texts.get([holder.id for _, holder in wanted.values()], self._store.chunk_texts)
        out = []
        for n in nodes:
            found = wanted.get(n.node.node_id)
            holder_text = held.get(found[1].id) if found else None
            if found is None or holder_text is None:
                out.append(n)
                continue
            (_, start, end), holder = found
            chunk = chunks[n.node.metadata["position"]]
            text = holder_text[start - holder.start : chunk.start - holder.start] + n.node.get_content()
            node = TextNode(id_=n.node.node_id, text=text, metadata={**n.node.metadata, "lead_in": (start, end)})
            out.append(NodeWithScore(node=node, score=n.score))
        return out
