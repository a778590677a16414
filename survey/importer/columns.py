"""Columns side by side without rules, read row by row: an outcome, then its criteria.

Used for a PDF page's text outside ruled tables (positions in points) and for pasted text laid
out in columns with spaces, as `pdftotext -layout` writes it (positions in characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .language import looks_cut_off

Piece = tuple[str, bool, int]  # a line, whether it begins a table cell, its table column
Keyed = tuple[str, bool, int, int]  # a piece and the key of the line it came from
Word = dict[str, Any]  # x0, x1, top, bottom, text


@dataclass
class Line:
    top: float
    bottom: float
    words: list[Word]
    key: int = 0  # where the line came from, for a caller that needs to know


def _gutters(run: list[Line], gap: float) -> list[float]:
    """x positions of the vertical gaps that no word of the run crosses."""
    spans = sorted((w["x0"], w["x1"]) for line in run for w in line.words)
    gutters: list[float] = []
    right = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - right >= gap:
            gutters.append((x0 + right) / 2)
        right = max(right, x1)
    return gutters


def text_of(words: list[Word]) -> str:
    return " ".join(w["text"] for w in words)


_OUTCOME_START = re.compile(r"^(?:\d{1,2}[.)]?\s|LO\s*\d|(?:learning\s+)?outcome\s+\d)", re.I)


def read_run(run: list[Line], gap: float) -> list[Keyed]:
    """A run's lines; where columns stand side by side, each row column by column."""
    gutters = _gutters(run, gap)
    if not gutters or not any(len({_column(w, gutters) for w in line.words}) > 1 for line in run):
        return [(text_of(line.words), False, 0, line.key) for line in run]
    rows: list[list[list[tuple[str, int]]]] = []  # row -> column -> (line, key)
    previous_first = ""
    for line in run:
        columns: list[list[Word]] = [[] for _ in range(len(gutters) + 1)]
        for w in line.words:
            columns[_column(w, gutters)].append(w)
        first = text_of(columns[0])
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
        for i, column_words in enumerate(columns):
            if column_words:
                rows[-1][i].append((text_of(column_words), line.key))
        previous_first = first
    pieces: list[Keyed] = []
    for row in rows:
        for n, column in enumerate(row, start=1):
            pieces += [(text, i == 0, n, key) for i, (text, key) in enumerate(column)]
    return pieces


def _column(word: Word, gutters: list[float]) -> int:
    return sum(1 for g in gutters if word["x0"] > g)
