"""Read unit specifications (pasted text, text files, PDFs, Word .docx) into drafts to check.

Pure Python: no Flask, no database. A source is read into numbered lines (`Source`), the lines
into draft units (`Reading`), and a draft into a unit file (`to_toml`).
"""

from __future__ import annotations

from survey.content import Qualification

from .language import looks_cut_off, to_first_person, to_second_person
from .reader import DraftCriterion, DraftOutcome, DraftUnit, Reading, draft_units, read, slug
from .source import (
    MAX_BYTES,
    EmptySource,
    ImportProblem,
    NoCriteria,
    NoTextLayer,
    Source,
    SourceLine,
    TooLarge,
    UnreadableFile,
    check_size,
    source_from_bytes,
    source_from_path,
    source_from_text,
)
from .writer import ELLIPSIS, to_toml

__all__ = [
    "ELLIPSIS",
    "MAX_BYTES",
    "DraftCriterion",
    "DraftOutcome",
    "DraftUnit",
    "EmptySource",
    "ImportProblem",
    "NoCriteria",
    "NoTextLayer",
    "Reading",
    "Source",
    "SourceLine",
    "TooLarge",
    "UnreadableFile",
    "check_size",
    "draft_units",
    "looks_cut_off",
    "read",
    "read_bytes",
    "read_path",
    "slug",
    "source_from_bytes",
    "source_from_path",
    "source_from_text",
    "to_first_person",
    "to_second_person",
    "to_toml",
]


def read_bytes(data: bytes, name: str = "", qualification: Qualification | None = None) -> Reading:
    """Read an uploaded file's bytes (text, PDF or .docx) into drafts."""
    return read(source_from_bytes(data, name), qualification)


def read_path(path: str, qualification: Qualification | None = None) -> Reading:
    """Read a file on disk into drafts; one over MAX_BYTES is refused before it is read."""
    return read(source_from_path(path), qualification)
