"""A PDF's text in reading order: ruled tables cell by cell, columns without rules row by row.

pdfplumber (on pdfminer.six) gives the words with their positions and finds the tables drawn
with lines; what is left is laid out here: words into lines, lines into runs, and a run whose
words leave a vertical gutter free is read column by column within each row, so an outcome's
title comes before its criteria rather than interleaved with them.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass
from typing import Any

from .language import looks_cut_off
from .source import NoTextLayer, Source, SourceLine, UnreadableFile

Piece = tuple[str, bool, int]  # a line, whether it begins a table cell, its table column


@dataclass
class _Line:
    top: float
    bottom: float
    words: list[dict[str, Any]]


def read_pdf(data: bytes, name: str = "") -> Source:
    """The lines of a PDF, page by page; NoTextLayer when its pages are only pictures."""
    import pdfplumber

    name = name or "the PDF"
    lines: list[SourceLine] = []
    text_found = False
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            for number, page in enumerate(pdf.pages, start=1):
                if any(c["text"].strip() for c in page.chars):
                    text_found = True
                    for text, cell, column in page_lines(page):
                        lines.append(SourceLine(len(lines) + 1, text, number, cell, column))
                page.close()  # frees the page's parsed objects: a long handbook stays small
    except Exception as e:  # pdfminer raises many kinds for a damaged or locked file
        if "password" in repr(e).lower() or "encrypt" in repr(e).lower():
            raise UnreadableFile(
                f"{name} is protected by a password: remove it, or paste the text"
            ) from None
        raise UnreadableFile(f"{name} cannot be read as a PDF: the file may be damaged") from None
    if not text_found:
        raise NoTextLayer("this PDF has no text layer; paste the text instead")
    return Source(name, "pdf", tuple(lines), pages)


def page_lines(page: Any) -> list[Piece]:
    """One page's lines in reading order: tables and the text around them, top to bottom."""
    blocks: list[tuple[float, list[Piece]]] = []
    rest = page
    for table in page.find_tables():
        pieces: list[Piece] = []
        for row in table.extract():
            for column, cell in enumerate(row, start=1):
                if cell:
                    cell_lines = [ln.strip() for ln in cell.split("\n") if ln.strip()]
                    pieces += [(ln, i == 0, column) for i, ln in enumerate(cell_lines)]
        blocks.append((table.bbox[1], pieces))
        rest = rest.outside_bbox(table.bbox, strict=False)
    words = rest.extract_words(x_tolerance=2, y_tolerance=2)
    blocks += _text_blocks(words)
    blocks.sort(key=lambda b: b[0])
    return [piece for _, pieces in blocks for piece in pieces]


def _lines(words: list[dict[str, Any]]) -> list[_Line]:
    """Words that share a baseline, left to right, lines top to bottom."""
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and abs(w["top"] - lines[-1].top) <= 2.5:
            lines[-1].words.append(w)
            lines[-1].bottom = max(lines[-1].bottom, w["bottom"])
        else:
            lines.append(_Line(w["top"], w["bottom"], [w]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    return lines


def _text_blocks(words: list[dict[str, Any]]) -> list[tuple[float, list[Piece]]]:
    """Runs of close lines; a run with a free vertical gutter is read as columns."""
    lines = _lines(words)
    if not lines:
        return []
    height = statistics.median(ln.bottom - ln.top for ln in lines) or 10.0
    gap = max(8.0, height)  # wider than any space between words of one line
    runs: list[list[_Line]] = [[lines[0]]]
    for line in lines[1:]:
        if line.top - runs[-1][-1].bottom > 0.9 * height:
            runs.append([line])
        else:
            runs[-1].append(line)
    return [(run[0].top, _read_run(run, gap)) for run in runs]


def _gutters(run: list[_Line], gap: float) -> list[float]:
    """x positions of the vertical gaps that no word of the run crosses."""
    spans = sorted((w["x0"], w["x1"]) for line in run for w in line.words)
    gutters: list[float] = []
    right = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - right >= gap:
            gutters.append((x0 + right) / 2)
        right = max(right, x1)
    return gutters


def _text(words: list[dict[str, Any]]) -> str:
    return " ".join(w["text"] for w in words)


_OUTCOME_START = re.compile(r"^(?:\d{1,2}[.)]?\s|LO\s*\d|(?:learning\s+)?outcome\s+\d)", re.I)


def _read_run(run: list[_Line], gap: float) -> list[Piece]:
    """A run's lines; where columns stand side by side, each row column by column."""
    gutters = _gutters(run, gap)
    if not gutters or not any(len({_column(w, gutters) for w in line.words}) > 1 for line in run):
        return [(_text(line.words), False, 0) for line in run]
    rows: list[list[list[str]]] = []  # row -> column -> lines
    previous_first = ""
    for line in run:
        columns: list[list[dict[str, Any]]] = [[] for _ in range(len(gutters) + 1)]
        for w in line.words:
            columns[_column(w, gutters)].append(w)
        first = _text(columns[0])
        new_row = not rows or (
            first
            and (
                not previous_first
                or _OUTCOME_START.match(first)
                or (first[0].isupper() and not looks_cut_off(previous_first))
                or previous_first.endswith(":")
            )
        )
        if new_row:
            rows.append([[] for _ in columns])
        for i, words in enumerate(columns):
            if words:
                rows[-1][i].append(_text(words))
        previous_first = first
    pieces: list[Piece] = []
    for row in rows:
        for n, column in enumerate(row, start=1):
            pieces += [(text, i == 0, n) for i, text in enumerate(column)]
    return pieces


def _column(word: dict[str, Any], gutters: list[float]) -> int:
    return sum(1 for g in gutters if word["x0"] > g)
