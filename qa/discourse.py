"""How a news sentence leans on its neighbours, for choosing what an answer quotes and
where a retrieved passage starts.

Vietnamese news writing keeps paragraphs short, so a sentence often needs the one
before it ("Theo ông, ...", "“...”, ông nhận định." name their speaker there) or the
one after it (a sentence ending in ":" announces a list). Quoted alone, such a sentence
reads as a riddle and drops the fact the question asked for. Photo captions describe a
picture and headings name a topic; neither is a claim to cite, so they are quoted only
when nothing else answers.
"""

from __future__ import annotations

import re

# A caption ends by crediting the picture: "(Ảnh: AFP)." / "(Photo: Reuters)".
_PHOTO_CREDIT = re.compile(r"\(\s*(?:ảnh|photo|nguồn ảnh)\s*:[^)]*\)\s*\.?\s*$", re.IGNORECASE)
# Openings that point back: "theo ông", "điều này", "việc đó", "đây", "các đề xuất gồm",
# English pronouns.
_POINTS_BACK_OPENING = re.compile(
    r"^[\W_]*(?:theo (?:ông|bà)\b|điều (?:này|đó)|việc (?:này|đó)|đây\b|đó là\b"
    r"|(?:các|những) [^,.:;]{1,30}? (?:này|đó|trên|gồm)\b|(?:he|she|they|this|these|it)\b)",
    re.IGNORECASE,
)
# A bare "ông"/"bà" as subject, opening the sentence or attributing a quotation
# ("“...”, ông nhận định."): the word after it is lower case (a name would not be).
_BARE_PRONOUN = (
    re.compile(r"^[\W_]*(?:[Ôô]ng|[Bb]à)(?: ấy)?\s+(\w)"),
    re.compile(r"[,”\"]\s*(?:ông|bà)(?: ấy)?\s+(\w)[^.!?]{0,30}[.!?]?\s*$"),
)
# "Cuộc gặp này ...": a demonstrative in the sentence's first clause. A quotation inside
# the clause does not end it ("Sau cuộc điện đàm “thực chất, cởi mở” này, ..."), so
# quotations are blanked out first.
_DEMONSTRATIVE_OPENING = re.compile(r"^[^,.;:]{0,80}?\bnày\b")
_QUOTATION = re.compile(r"“[^”]*”|\"[^\"]*\"")
_SENTENCE_END = tuple(".!?…:;\"'”’»)")
# Double quotation marks. Writers mix “…" and "…", so a sentence's marks are counted
# together, and a straight mark opens when nothing but space or an opening bracket is before it.
_QUOTE_MARK = re.compile(r"[“”\"]")
_OPENS_AFTER = tuple(" \t\n([{—–-")


def _unbalanced_quotation(sentence: str) -> str | None:
    """Where a quotation of several sentences, split like any text, leaves this one:
    "opens" when it starts a quotation that a later sentence ends, "closes" when it ends
    one, None when its quotation marks pair up."""
    marks = list(_QUOTE_MARK.finditer(sentence))
    if len(marks) % 2 == 0:
        return None
    first = marks[0]
    opening = first.group() == "“" or (
        first.group() == '"' and (first.start() == 0 or sentence[first.start() - 1] in _OPENS_AFTER)
    )
    return "opens" if opening else "closes"


def is_photo_caption(sentence: str) -> bool:
    return bool(_PHOTO_CREDIT.search(sentence))


def is_heading(sentence: str) -> bool:
    """A headline or section title ("Vấn đề Dải Gaza"): no closing punctuation."""
    return not sentence.rstrip().endswith(_SENTENCE_END)


def points_back(sentence: str) -> bool:
    """Whether the sentence only makes sense after the one before it."""
    text = sentence.strip()
    unquoted = _QUOTATION.sub(lambda m: "x" * len(m.group(0)), text)
    if _POINTS_BACK_OPENING.search(text) or _DEMONSTRATIVE_OPENING.search(unquoted):
        return True
    if _unbalanced_quotation(text) == "closes":
        return True
    return any((m := p.search(text)) is not None and m.group(1).islower() for p in _BARE_PRONOUN)


# Connectives that carry on from the sentence before ("Đồng thời, ...", "Tuy nhiên, ...").
_CONNECTIVE_OPENING = re.compile(
    r"^[\W_]*(?:đồng thời|ngoài ra|bên cạnh đó|tuy nhiên|trong khi đó|do đó|vì vậy|vì thế|sau đó|khi đó"
    r"|cũng theo|also|however|meanwhile)\b",
    re.IGNORECASE,
)


def carries_on(sentence: str) -> bool:
    """Whether the sentence opens mid-thought: it points back, or a connective carries on
    from the sentence before, so a passage should not start with it. A connective alone
    does not make the sentence need the one before for its facts, so answers do not quote
    that one for it (they grew 11 % longer, and a near miss was answered from its date)."""
    return points_back(sentence) or bool(_CONNECTIVE_OPENING.search(sentence))


def announces_next(sentence: str) -> bool:
    """Whether the sentence introduces what follows it: it ends with a colon, or opens a
    quotation that the next sentence ends (and attributes: “…’. Tất cả đều được xác
    nhận”, Ngoại trưởng Lavrov nói.)."""
    return sentence.rstrip().endswith(":") or _unbalanced_quotation(sentence) == "opens"
