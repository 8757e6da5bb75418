"""Pack whole sentences into chunks that keep exact spans into the article body.

Chunks never cut a sentence, so a citation can always quote whole sentences, and the
spans let the UI highlight the passage inside the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from vectorstore.articles import Article
from vectorstore.text import Span, count_tokens, cut_long_spans, split_sentences


@dataclass(frozen=True)
class Chunk:
    article_id: str
    index: int
    start: int
    end: int
    sentences: tuple[Span, ...]
    text: str

    @property
    def id(self) -> str:
        return f"{self.article_id}#{self.index}"


def chunk_article(article: Article, max_tokens: int, overlap_tokens: int) -> list[Chunk]:
    """Greedy packing of sentences up to max_tokens, repeating trailing sentences
    worth up to overlap_tokens at the head of the next chunk.

    A sentence up to twice max_tokens becomes a chunk of its own rather than being
    cut, so quotes stay whole; only longer runs of text are cut at word boundaries.
    """
    body = article.body
    sentences = cut_long_spans(body, split_sentences(body), 2 * max_tokens)
    sizes = [count_tokens(body[s:e]) for s, e in sentences]
    chunks: list[Chunk] = []
    first = 0
    while first < len(sentences):
        last = first
        total = sizes[first]
        while last + 1 < len(sentences) and total + sizes[last + 1] <= max_tokens:
            last += 1
            total += sizes[last]
        spans = tuple(sentences[first : last + 1])
        start, end = spans[0][0], spans[-1][1]
        chunks.append(Chunk(article.id, len(chunks), start, end, spans, body[start:end]))
        if last + 1 >= len(sentences):
            break
        nxt = last + 1
        carried = 0
        while nxt - 1 > first and carried + sizes[nxt - 1] <= overlap_tokens:
            nxt -= 1
            carried += sizes[nxt]
        first = nxt
    return chunks
