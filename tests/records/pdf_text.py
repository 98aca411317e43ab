"""The text of a PDF that fpdf2 wrote, read back without a PDF library.

fpdf2 writes each line of text as a `(...) Tj` string in a Flate-compressed content
stream, in Latin-1 for the core fonts; this undoes exactly that, so tests can read
what a copy says.
"""
import re
import zlib

#: Where a stream's data begins; it ends where its Flate data ends. (Reading up to the
#: next "endstream" dropped a page whenever the compressed data ended in a CR byte.)
STREAM_START = re.compile(rb">>\s*stream\r?\n")
SHOWN = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", re.DOTALL)
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(match):
    code = match.group(1)
    if code[:1].isdigit():
        return bytes([int(code, 8)])
    return SIMPLE.get(code, code)


def page_contents(pdf):
    """The decompressed content streams (text and drawing operators) of the PDF."""
    contents = []
    for start in STREAM_START.finditer(pdf):
        decompressor = zlib.decompressobj()
        try:
            content = decompressor.decompress(pdf[start.end():])
        except zlib.error:  # not Flate-compressed: not page content here
            continue
        if decompressor.eof:
            contents.append(content)
    return contents


def pdf_lines(pdf):
    """Every line of text shown in the PDF, in order."""
    return [ESCAPE.sub(_unescape, m).decode("latin-1")
            for content in page_contents(pdf) for m in SHOWN.findall(content)]


def pdf_text(pdf):
    """The PDF's text as one string, lines joined by single spaces (so a wrapped sentence
    reads whole again)."""
    return " ".join(" ".join(pdf_lines(pdf)).split())
