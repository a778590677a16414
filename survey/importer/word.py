"""A Word .docx as lines: paragraphs and tables in document order, each table cell by cell.

python-docx reads the document; Word's automatic numbering ("1.1", "a)", bullets) is not part
of a paragraph's text, so it is worked out here from the numbering definitions, because a
tracker's criteria are often numbered that way.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from .source import Source, SourceLine, UnreadableFile

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(data: bytes, name: str = "") -> Source:
    """The lines of a Word document; each table cell's first line is marked as a cell."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    name = name or "the Word file"
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise UnreadableFile(f"{name} cannot be read as a Word file ({e})") from None
    except Exception:  # lxml and zipfile raise several kinds for a damaged file
        raise UnreadableFile(f"{name} cannot be read as a Word file: it may be damaged") from None
    numbering = _Numbering(document)
    lines: list[SourceLine] = []
    for text, cell, column in _blocks(document, numbering):
        lines.append(SourceLine(len(lines) + 1, text, 0, cell, column))
    return Source(name, "docx", tuple(lines))


def _blocks(container: Any, numbering: _Numbering) -> Iterator[tuple[str, bool, int]]:
    """Paragraph lines and table cells in order: (text, begins a cell, table column)."""
    from docx.table import Table, _Cell

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for column, tc in enumerate(row._tr.tc_lst, start=1):
                    if tc.vMerge == "continue":  # the rest of a cell merged from the row above
                        continue
                    first = True
                    for text, _, _ in _blocks(_Cell(tc, block), numbering):
                        yield text, first, column
                        first = False
        else:
            label = numbering.label(block)
            for i, line in enumerate(block.text.split("\n")):
                if i == 0 and label:
                    line = f"{label} {line}"
                if line.strip():
                    yield line, False, 0
                elif i == 0:
                    yield "", False, 0  # an empty paragraph separates, as a blank line does


_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]  # fmt: skip


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _format(n: int, kind: str) -> str:
    if kind == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if kind == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if kind == "lowerRoman":
        return _roman(n)
    if kind == "upperRoman":
        return _roman(n).upper()
    return str(n)


class _Numbering:
    """Word's list numbering, counted paragraph by paragraph as Word shows it."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId -> ilvl -> format
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for a in root.findall(f"{_W}abstractNum"):
            levels = {}
            for lvl in a.findall(f"{_W}lvl"):
                start = lvl.find(f"{_W}start")
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    int(start.get(f"{_W}val", "1")) if start is not None else 1,
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{_W}val", "") if text is not None else "",
                )
            abstract[a.get(f"{_W}abstractNumId", "")] = levels
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId", "")] = abstract.get(ref.get(f"{_W}val", ""), {})

    def label(self, paragraph: Any) -> str:
        """The number or bullet Word shows before a paragraph, or ""."""
        num_pr = None
        p_pr = paragraph._p.pPr
        if p_pr is not None and p_pr.numPr is not None:
            num_pr = p_pr.numPr
        elif paragraph.style is not None and paragraph.style.element.pPr is not None:
            num_pr = paragraph.style.element.pPr.numPr
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id = str(num_pr.numId.val)
        level = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        levels = self.levels.get(num_id)
        if not levels or level not in levels:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[level] = counts.get(level, levels[level][0] - 1) + 1
        for deeper in [k for k in counts if k > level]:
            del counts[deeper]
        _, kind, text = levels[level]
        if kind == "bullet":
            return "•"
        if kind == "none":
            return text
        for k in range(level, -1, -1):
            start, k_kind, _ = levels.get(k, (1, "decimal", ""))
            text = text.replace(f"%{k + 1}", _format(counts.get(k, start), k_kind))
        return text
