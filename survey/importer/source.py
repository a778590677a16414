"""What the reader reads: pasted text, a text file, a PDF or a Word .docx, as numbered lines."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

# the largest file the reader takes; a bigger one is refused before it is read
MAX_BYTES = 50 * 1024 * 1024


class ImportProblem(Exception):
    """The input cannot be read as a unit specification; str() is one line for the person."""


class EmptySource(ImportProblem):
    """The file or the pasted text holds nothing."""


class TooLarge(ImportProblem):
    """The file is over MAX_BYTES."""


class UnreadableFile(ImportProblem):
    """The file is damaged, locked, or of a kind the reader does not take."""


class NoTextLayer(ImportProblem):
    """A PDF of scanned pages: pictures of text, no text to read."""


class NoCriteria(ImportProblem):
    """The text holds no learning outcomes or assessment criteria."""


@dataclass(frozen=True)
class SourceLine:
    """One line of the source as a person sees it, and where it stood on its page."""

    number: int  # 1-based position in Source.lines
    text: str
    page: int = 0  # 1-based page of a PDF, or of a text with form feeds; 0 when unknown
    cell: bool = False  # it begins a table cell
    column: int = 0  # the table column it stands in, 1 for the first; 0 outside tables


@dataclass(frozen=True)
class Source:
    """A unit specification as read: its lines, in reading order, with where each came from."""

    name: str
    kind: str  # "text", "pdf" or "docx"
    lines: tuple[SourceLine, ...]
    pages: int = 0

    def line(self, number: int) -> SourceLine:
        return self.lines[number - 1]


def check_size(size: int) -> None:
    """Refuse a file over MAX_BYTES, before reading it (an upload checks its declared length)."""
    if size > MAX_BYTES:
        raise TooLarge(
            f"the file is {size / 1024 / 1024:.1f} MB; files up to "
            f"{MAX_BYTES // 1024 // 1024} MB are read"
        )


# ---- text ------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes) -> str:
    """Text from bytes: a byte-order mark if there is one, else UTF-8, else Windows-1252."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 is what Word and older PDFs' copy give; its five unused bytes stay visible
        return data.decode("cp1252", errors="replace")


_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\x1c\x1d\x1e\x85\u2028\u2029]")


def source_from_text(text: str, name: str = "pasted text") -> Source:
    """A pasted text as lines; form feeds (as pdftotext writes them) start new pages."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise EmptySource("the text is empty: paste the text of a unit specification")
    pages = text.split("\f")
    while len(pages) > 1 and not pages[-1].strip():
        pages.pop()  # a form feed at the very end opens no page
    paged = len(pages) > 1
    lines: list[SourceLine] = []
    for page, chunk in enumerate(pages, start=1):
        for line in _LINE_BREAK.split(chunk):
            lines.append(SourceLine(len(lines) + 1, line, page if paged else 0))
    return Source(name, "text", tuple(lines), len(pages) if paged else 0)


# ---- files -----------------------------------------------------------------------------------


def _kind(data: bytes, name: str) -> str:
    """What a file is, from its first bytes; the name's extension only words the refusal."""
    suffix = Path(name).suffix.lower()
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise UnreadableFile(f"{name or 'the file'} is a damaged archive") from None
        if "word/document.xml" in names:
            return "docx"
        raise UnreadableFile(
            f"{name or 'the file'} is not a Word .docx file: save it as .docx or PDF, "
            "or paste the text"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            f"{name or 'the file'} is an old Word .doc file: save it as .docx, or paste the text"
        )
    if data.startswith(b"{\\rtf"):
        raise UnreadableFile(
            f"{name or 'the file'} is a rich text file: save it as .docx, or paste the text"
        )
    if suffix == ".pdf":
        raise UnreadableFile(f"{name} is named .pdf but is not a PDF")
    if suffix == ".docx":
        raise UnreadableFile(f"{name} is named .docx but is not a Word file")
    if b"\x00" in head and not any(data.startswith(bom) for bom, _ in _BOMS):
        raise UnreadableFile(f"{name or 'the file'} is not text, a PDF or a Word .docx file")
    return "text"


def source_from_bytes(data: bytes, name: str = "") -> Source:
    """Read a file's bytes as text, PDF or .docx, chosen by what the bytes are."""
    check_size(len(data))
    if not data.strip():
        raise EmptySource(f"{name or 'the file'} is empty")
    kind = _kind(data, name)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(data, name)
    if kind == "docx":
        from .word import read_docx

        return read_docx(data, name)
    text = decode(data)
    if not text.strip():
        raise EmptySource(f"{name or 'the file'} is empty")
    return source_from_text(text, name or "text file")


def source_from_path(path: str | Path) -> Source:
    """Read a file from disk; one over MAX_BYTES is refused before a byte of it is read."""
    path = Path(path)
    try:
        check_size(path.stat().st_size)
        data = path.read_bytes()
    except TooLarge as e:
        raise TooLarge(f"{path.name}: {e}") from None
    except OSError as e:
        raise UnreadableFile(f"cannot read {path.name}: {e.strerror or e}") from None
    return source_from_bytes(data, path.name)
