"""A PDF's text in reading order: ruled tables cell by cell, columns without rules row by row.

pdfminer.six interprets each page into characters and drawn lines; pdfplumber's table finder
turns the drawn lines into table cells. (pdfplumber's own page objects convert every character
into a dictionary of twenty attributes, which took two thirds of the time on a long handbook,
so the characters are taken from pdfminer directly.) The rest is laid out here: characters into
words and lines, a table's words into its cells, and a run of lines whose words leave a vertical
gutter free into columns, read row by row, so an outcome's title comes before its criteria
rather than interleaved with them.
"""

from __future__ import annotations

import io
import statistics
from typing import Any

from .columns import Line, Piece, Word, read_run, text_of
from .source import NoTextLayer, Source, SourceLine, UnreadableFile


def read_pdf(data: bytes, name: str = "") -> Source:
    """The lines of a PDF, page by page; NoTextLayer when its pages are only pictures."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    name = name or "the PDF"
    lines: list[SourceLine] = []
    text_found = False
    pages = 0
    try:
        manager = PDFResourceManager()
        device = PDFPageAggregator(manager, laparams=None)
        interpreter = PDFPageInterpreter(manager, device)
        for page in PDFPage.get_pages(io.BytesIO(data)):
            pages += 1
            interpreter.process_page(page)
            words, edges = _contents(device.get_result())
            if words:
                text_found = True
            for text, cell, column in page_lines(words, edges):
                lines.append(SourceLine(len(lines) + 1, text, pages, cell, column))
    except Exception as e:  # pdfminer raises many kinds for a damaged or locked file
        if "password" in repr(e).lower() or "encrypt" in repr(e).lower():
            raise UnreadableFile(
                f"{name} is protected by a password: remove it, or paste the text"
            ) from None
        raise UnreadableFile(f"{name} cannot be read as a PDF: the file may be damaged") from None
    if not text_found:
        raise NoTextLayer("this PDF has no text layer; paste the text instead")
    return Source(name, "pdf", tuple(lines), pages)


def _contents(layout: Any) -> tuple[list[Word], list[dict[str, Any]]]:
    """A page's words (top-down coordinates, as pdfplumber's) and its drawn lines as edges."""
    from pdfminer.layout import LTChar, LTCurve

    height = layout.y1
    chars: list[tuple[float, float, float, float, str, float]] = []
    edges: list[dict[str, Any]] = []
    for obj in layout:
        if isinstance(obj, LTChar):
            if obj.get_text().startswith("(cid:"):
                continue  # a glyph the PDF gives no text for
            chars.append(
                (height - obj.y1, height - obj.y0, obj.x0, obj.x1, obj.get_text(), obj.size)
            )
        elif isinstance(obj, LTCurve):  # LTLine and LTRect are curves too
            edges += _edges(obj.x0, obj.x1, height - obj.y1, height - obj.y0)
    return _words(chars), edges


def _edges(x0: float, x1: float, top: float, bottom: float) -> list[dict[str, Any]]:
    """A drawn line, or the four sides of a drawn box, as table edges."""

    def edge(x0: float, x1: float, top: float, bottom: float, orientation: str) -> dict[str, Any]:
        return {
            "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "orientation": orientation,
            "object_type": "line",
        }  # fmt: skip

    if bottom - top < 2:
        return [edge(x0, x1, (top + bottom) / 2, (top + bottom) / 2, "h")]
    if x1 - x0 < 2:
        return [edge((x0 + x1) / 2, (x0 + x1) / 2, top, bottom, "v")]
    return [
        edge(x0, x1, top, top, "h"),
        edge(x0, x1, bottom, bottom, "h"),
        edge(x0, x0, top, bottom, "v"),
        edge(x1, x1, top, bottom, "v"),
    ]


def _words(chars: list[tuple[float, float, float, float, str, float]]) -> list[Word]:
    """Characters into words: a space, or a gap wider than a fifth of the type, ends a word."""
    words: list[Word] = []
    for line in _group_lines(chars, key=lambda c: c[0]):
        line.sort(key=lambda c: c[2])
        current: list[tuple[float, float, float, float, str, float]] = []
        for c in line:
            if c[4].isspace() or (current and c[2] - current[-1][3] > 0.2 * max(c[5], 1.0)):
                if current:
                    words.append(_word(current))
                current = [] if c[4].isspace() else [c]
            else:
                current.append(c)
        if current:
            words.append(_word(current))
    return words


def _word(chars: list[tuple[float, float, float, float, str, float]]) -> Word:
    return {
        "top": min(c[0] for c in chars),
        "bottom": max(c[1] for c in chars),
        "x0": chars[0][2],
        "x1": chars[-1][3],
        "text": "".join(c[4] for c in chars),
    }


def _group_lines(items: list[Any], key: Any) -> list[list[Any]]:
    """Items whose tops lie within 2.5 points of the line's first, line by line."""
    lines: list[list[Any]] = []
    top = None
    for item in sorted(items, key=key):
        if lines and top is not None and key(item) - top <= 2.5:
            lines[-1].append(item)
        else:
            lines.append([item])
            top = key(item)
    return lines


def _tables(edges: list[dict[str, Any]]) -> list[list[list[Any]]]:
    """The ruled tables a page's drawn lines make: rows of cells (None where a cell spans)."""
    if len(edges) < 4:
        return []
    from pdfplumber.table import (
        Table,
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )

    merged = [e for e in merge_edges(edges, 3, 3, 3, 3) if e["width"] >= 3 or e["height"] >= 3]
    cells = intersections_to_cells(edges_to_intersections(merged, 3, 3))
    return [
        [list(row.cells) for row in Table(None, tuple(table)).rows]  # type: ignore[arg-type]
        for table in cells_to_tables(cells)
    ]


def page_lines(words: list[Word], edges: list[dict[str, Any]]) -> list[Piece]:
    """One page's lines in reading order: tables and the text around them, top to bottom."""
    blocks: list[tuple[float, list[Piece]]] = []
    outside = words
    for rows in _tables(edges):
        cells = [cell for row in rows for cell in row if cell is not None]
        x0 = min(c[0] for c in cells)
        top = min(c[1] for c in cells)
        x1 = max(c[2] for c in cells)
        bottom = max(c[3] for c in cells)
        inside: dict[tuple[float, ...], list[Word]] = {}
        rest = []
        for w in outside:
            cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
            if x0 <= cx <= x1 and top <= cy <= bottom:
                cell = next((c for c in cells if c[0] <= cx <= c[2] and c[1] <= cy <= c[3]), None)
                if cell is not None:
                    inside.setdefault(cell, []).append(w)
                    continue
            rest.append(w)
        outside = rest
        pieces: list[Piece] = []
        for row in rows:
            for column, cell in enumerate(row, start=1):
                if cell is None or cell not in inside:
                    continue
                cell_lines = _lines(inside[cell])
                pieces += [(text_of(ln.words), i == 0, column) for i, ln in enumerate(cell_lines)]
        blocks.append((top, pieces))
    blocks += _text_blocks(outside)
    blocks.sort(key=lambda b: b[0])
    return [piece for _, pieces in blocks for piece in pieces]


def _lines(words: list[Word]) -> list[Line]:
    """Words that share a baseline, left to right, lines top to bottom."""
    lines = []
    for group in _group_lines(words, key=lambda w: w["top"]):
        group.sort(key=lambda w: w["x0"])
        lines.append(Line(min(w["top"] for w in group), max(w["bottom"] for w in group), group))
    return lines


def _text_blocks(words: list[Word]) -> list[tuple[float, list[Piece]]]:
    """Runs of close lines; a run with a free vertical gutter is read as columns."""
    lines = _lines(words)
    if not lines:
        return []
    height = statistics.median(ln.bottom - ln.top for ln in lines) or 10.0
    gap = max(8.0, height)  # wider than any space between words of one line
    runs: list[list[Line]] = [[lines[0]]]
    for line in lines[1:]:
        if line.top - runs[-1][-1].bottom > 0.9 * height:
            runs.append([line])
        else:
            runs[-1].append(line)
    return [(run[0].top, [(t, c, n) for t, c, n, _ in read_run(run, gap)]) for run in runs]
