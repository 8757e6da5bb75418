"""PDFs made by the tests: a real text layer written by matplotlib, a scan-like image-only
PDF and encrypted copies, so the PDF reader is tried on files like the ones people have."""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from pypdf import PdfReader, PdfWriter

_A4 = (8.27, 11.69)
_WRAP_CHARS = 80
_LINE_STEP = 0.022


def text_pdf(pages: list[list[str]], title: str = "", author: str = "") -> bytes:
    """One page per list of paragraphs, each paragraph wrapped into lines as a word
    processor would, in DejaVu Sans (which has every Vietnamese letter) with the fonts
    embedded as TrueType, so the text layer holds Unicode text."""
    buffer = io.BytesIO()
    metadata = {key: value for key, value in (("Title", title), ("Author", author)) if value}
    with rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}), PdfPages(buffer, metadata=metadata) as pdf:
        for paragraphs in pages:
            figure = Figure(figsize=_A4)
            y = 0.95
            for paragraph in paragraphs:
                for line in textwrap.wrap(paragraph, _WRAP_CHARS):
                    figure.text(0.06, y, line, fontsize=10)
                    y -= _LINE_STEP
                y -= _LINE_STEP / 2
            pdf.savefig(figure)
    return buffer.getvalue()


def image_pdf() -> bytes:
    """A page that is only a picture, as a scanner makes it: no text layer at all."""
    figure = Figure(figsize=_A4)
    figure.figimage(np.random.default_rng(0).random((400, 300)), xo=50, yo=50)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf")
    return buffer.getvalue()


def encrypted(data: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    """An RC4-encrypted copy (pypdf writes RC4 without extra packages). An empty user
    password makes a PDF anyone may open, with restrictions only the owner can lift."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
