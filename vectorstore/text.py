"""Vietnamese text handling shared by chunking, the lexical index and query analysis.

Everything here is a pure function over strings, so spans computed at ingest time
and tokens computed at query time always agree.
"""

from __future__ import annotations

import re
import unicodedata

Span = tuple[int, int]

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_TOKEN_COUNT_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_CONTROL_RE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff]"
)

# Letters that only exist with Vietnamese diacritics; their presence marks an accented text.
_VI_DIACRITIC_CHARS = frozenset("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ")

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    {
        "tp",
        "ts",
        "ths",
        "pgs",
        "gs",
        "bs",
        "ks",
        "ông",
        "bà",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "vs",
        "etc",
        "tt",
        "q",
        "p",
        "tr",
        "ca",
        "co",
        "inc",
        "ltd",
        "jr",
        "sr",
    }
)
_SENTENCE_END = ".!?…"
_OPEN_QUOTES = "“‘«"
_CLOSE_QUOTES = "”’»"
_CLOSERS = _CLOSE_QUOTES + "\"')]"


def normalize(text: str) -> str:
    """NFC-normalise and unify line endings so offsets are stable across platforms."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def clean_question(text: str) -> str:
    """Normalise user input: NFC, no control or zero-width characters, single spaces."""
    text = _CONTROL_RE.sub(" ", normalize(text))
    return " ".join(text.split())


def fold(text: str) -> str:
    """Strip Vietnamese diacritics and lowercase, so unaccented queries can match."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


def has_diacritics(text: str) -> bool:
    return any(ch in _VI_DIACRITIC_CHARS for ch in text.lower())


def has_vietnamese_only_letters(text: str) -> bool:
    """Letters no Western European language writes ("ư", "ơ", "đ", "ộ"…): unlike "é" or
    "ã", shared with French, Spanish or Portuguese names, they mark Vietnamese text."""
    return any(ch in _VI_DIACRITIC_CHARS and ord(ch) > 0xFF for ch in text.lower())


def words(text: str) -> list[str]:
    """Lowercased syllables (Vietnamese writes one syllable per space-separated word)."""
    return _WORD_RE.findall(text.lower())


def word_spans(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


def count_tokens(text: str) -> int:
    """Approximate model tokens: syllables plus punctuation.

    On the seed articles this tracks multilingual-e5's tokenizer within a few per cent,
    and it keeps chunking independent of which embedder is configured.
    """
    return len(_TOKEN_COUNT_RE.findall(text))


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot]
    if not word:
        return False
    last = word.split(".")[-1]
    if len(last) == 1 and last.isupper():
        return True  # an initial, as in "D. Trump"
    return last.lower() in _ABBREVIATIONS


def _boundary_after(text: str, i: int) -> int | None:
    """If a sentence ends with the punctuation at i, return the index just past it."""
    n = len(text)
    j = i + 1
    while j < n and text[j] in _SENTENCE_END:
        j += 1
    while j < n and text[j] in _CLOSERS:
        j += 1
    if j >= n:
        return j
    if not text[j].isspace():
        return None  # "D.Trump", "16.10", "v.v"
    k = j
    while k < n and text[k].isspace():
        k += 1
    if k >= n:
        return j
    nxt = text[k]
    if nxt.isupper() or nxt.isdigit() or nxt in _OPEN_QUOTES or nxt in "\"'(-–—":
        return j
    return None


def _paragraph_sentences(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    depth = 0
    straight_open = False
    sent_start = start
    i = start
    while i < end:
        ch = text[i]
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth = max(0, depth - 1)
        elif ch == '"':
            if depth > 0 and not straight_open:
                depth -= 1  # a curly quote closed by a straight one
            elif straight_open:
                straight_open = False
                depth = max(0, depth - 1)
            else:
                straight_open = True
                depth += 1
        elif ch in _SENTENCE_END:
            boundary = _boundary_after(text, i)
            if boundary is not None and boundary <= end:
                closing = text[i + 1 : boundary]
                closes_quote = any(c in _CLOSE_QUOTES or c == '"' for c in closing)
                if closes_quote:
                    depth = 0
                    straight_open = False
                if depth == 0 and not (ch == "." and _is_abbreviation(text, i)):
                    spans.append((sent_start, boundary))
                    sent_start = boundary
                    i = boundary
                    continue
        i += 1
    if sent_start < end:
        spans.append((sent_start, end))
    return spans


def split_sentences(text: str) -> list[Span]:
    """Sentence spans (start, end) into text, trimmed of surrounding whitespace.

    Paragraph breaks always end a sentence; inside a paragraph a sentence ends at
    . ! ? … followed by space and an upper-case letter, digit or quote, but not after
    an abbreviation or initial ("D.Trump", "TP. Hồ Chí Minh") and not inside quotes.
    """
    spans: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        for s, e in _paragraph_sentences(text, line_start, line_end):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                spans.append((s, e))
    return spans


_VI_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"[aeiouy]{1,3}"
    r"(?:ch|ng|nh|[cmnpt])?$"
)


def is_vietnamese_syllable(word: str) -> bool:
    """Whether a word could be a Vietnamese syllable once its diacritics are removed.

    "macron" or "xi" fail or pass on shape alone; a foreign name typed into an
    unaccented question fails, which tells it from an ordinary word the corpus lacks.
    """
    return bool(_VI_SYLLABLE.match(fold(word)))


def cut_long_spans(text: str, spans: list[Span], limit: int) -> list[Span]:
    """Cut spans of more than `limit` tokens into pieces at word boundaries.

    A text with no sentence punctuation (a pasted table, a single 5 MB line) would
    otherwise become one "sentence" far beyond what a model reads or a person can check.
    """
    out: list[Span] = []
    for start, end in spans:
        if count_tokens(text[start:end]) <= limit:
            out.append((start, end))
            continue
        piece_start = start
        tokens = 0
        for match in _TOKEN_COUNT_RE.finditer(text, start, end):
            if tokens >= limit:
                out.append((piece_start, match.start()))
                piece_start, tokens = match.start(), 0
            tokens += 1
        out.append((piece_start, end))
    return [(s, _rstrip(text, s, e)) for s, e in out if text[s:e].strip()]


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
