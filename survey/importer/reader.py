"""Find the units, learning outcomes and assessment criteria in a source, line by line.

The source's lines are cut into pieces (table cells, `<br>` parts), each piece is classified
once, and one pass builds the drafts; every step is linear in the number of pieces. Nothing
becomes a criterion without a number of its own; what cannot be placed is kept, with its line.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from survey.content import Qualification, criterion_kind, first_person

from .columns import Line, read_run
from .language import (
    hyphen_belongs,
    looks_cut_off,
    speaks_of_the_learner,
    to_first_person,
    to_second_person,
)
from .source import NoCriteria, Source, SourceLine, source_from_text


@dataclass(frozen=True)
class DraftCriterion:
    """One assessment criterion as found; `truncated` when its last words look lost."""

    number: str
    text: str
    statement: str
    kind: str
    truncated: bool
    lines: tuple[int, ...] = ()  # the source lines it was read from


@dataclass(frozen=True)
class DraftOutcome:
    """One learning outcome with the criteria found under it."""

    number: int
    title: str
    criteria: tuple[DraftCriterion, ...]
    lines: tuple[int, ...] = ()  # the source lines of its number and title
    learner_title: str = ""  # the title spoken to the learner, where the source speaks of them


@dataclass(frozen=True)
class DraftUnit:
    """One unit found in the source, with the lines it could not place (and where they are)."""

    number: str | None
    accreditation: str | None
    title: str
    outcomes: tuple[DraftOutcome, ...]
    unplaced: tuple[str, ...]
    unplaced_lines: tuple[int, ...] = ()  # the source line of each unplaced text, in step
    name: str = ""  # a file name for the draft, unique in its reading: the number, or the title
    lines: tuple[int, ...] = ()  # the source lines of its heading and title


@dataclass(frozen=True)
class Reading:
    """What the reader made of a source: the drafts, and every piece of text it did not place."""

    source: Source
    units: tuple[DraftUnit, ...]
    unplaced: tuple[SourceLine, ...]  # number and page of the source line, text of the piece
    outside: tuple[SourceLine, ...] = ()  # those of them outside every draft (a handbook's intro)


# ---- pieces ----------------------------------------------------------------------------------

_ACCREDITATION = re.compile(r"\b[A-Z]/\d{3}/\d{4}\b")
_UNIT = re.compile(
    r"^unit\s+(?:(?:no\.?|number)\s*:?\s*)?([A-Z]{0,3}\d{1,4})\b\s*"
    r"(?:\(\s*([A-Z]/\d{3}/\d{4})\s*\))?\s*(?:([-:.|])\s*)?(.*)$",
    re.I,
)
# "1.1", "1.1.", "AC1.1", and as scanned text gives them: "1,1", "1.1Recognise"
_CRITERION = re.compile(
    r"^(?:AC\s*|A\.C\.\s*|(?i:(?:assessment\s+)?criterion)\s+)?(\d{1,2})[.,](\d{1,2})"
    r"(?:[.):]?\s+(\S.*)|(?=[A-Z][a-z])(.*)|[.):]?)$"
)
_CRITERION_MID = re.compile(r"^(.*?[A-Za-z,'])\s+(\d{1,2})\.(\d{1,2})\s+([A-Z].*)$")
_OUTCOME = re.compile(
    r"^(?:learning\s+outcome|outcome|LO)\s*(\d{1,2})\b\s*[-:.)]?\s*(.*)$",
    re.I,
)
_OUTCOME_UNNUMBERED = re.compile(r"^(?:learning\s+)?outcome\s*[-:]\s*(\S.*)$", re.I)
_NUMBERED = re.compile(r"^(\d{1,2})[.)]?\s+([A-Za-z(\"'].*)$")
_NUMBER = re.compile(r"^(\d{1,2})[.)]?$")
_UNIT_TITLE = re.compile(r"^(?:unit\s+)?title\b\s*:?\s*(.*)$", re.I)
_LEARNER_WILL = re.compile(
    r"^(?:on\s+completion\s+of\s+this\s+unit\s+)?(?:the\s+|a\s+)?(?:learners?|candidates?)\s+"
    r"(?:will|should|must|can)(?:\s+be\s+able\s+to)?\s*[:.]?\s*",
    re.I,
)
_LABEL = re.compile(
    r"""^(?:
        (?:on\s+completion\s+of\s+this\s+unit\s+)?(?:the\s+|a\s+)?(?:learners?|candidates?)\s+
          (?:will|can|should|must)(?:\s+be\s+able\s+to)?
      | (?:assessment\s+criteria|learning\s+outcomes?)
          (?:\s*[.:-]?\s*(?:(?:the\s+)?(?:learners?|candidates?)\s+(?:can|will)|i\s+can)
          (?:\s+be\s+able\s+to)?)?
      | learning\s+outcomes?\s+and\s+assessment\s+criteria
      | i\s+can | i\s+will
      | knowledge,?\s+understanding(?:,?\s+and\s+skills)?
      | and\s+skills
      | candidates\s+must\s+.*
      | unit\s+(?:purpose(?:\s+and\s+aim)?|aim|number|reference(?:\s+number)?|level|code
          |accreditation\s+number)(?:\s*:.*)?
      | (?:level|credit\s+value|credits?|guided\s+learning\s+hours|glh|tqt|uan|urn
          |total\s+qualification\s+time|sector\s+subject\s+area|aim|purpose)(?:\s*:.*|\s+[\d.]+)?
      | evidence\s+requirements | guidance\s+on\s+.*
      | (?:unit\s+|assessment\s+|delivery\s+)?guidance
      | additional\s+information | key\s+terms | range | unit\s+content | essential\s+content
      | national\s+occupational\s+standards.*
    )\s*[:.]?$""",
    re.I | re.X,
)
# a reference such as "section 2.1 Describe" is not a criterion starting mid-line
_NOT_BEFORE_CRITERION = {
    "section",
    "see",
    "criterion",
    "criteria",
    "page",
    "paragraph",
    "version",
    "unit",
    "table",
    "figure",
    "outcome",
    "ac",
}
_BULLET = re.compile(
    r"^(?:[•▪●◦‣∙·■□➢✓✔]\s*|[-*+]\s+|\(?[a-z]\)\s+|[a-z]\.\s+|\(?(?:i|ii|iii|iv|v|vi|vii)[.)]\s+)"
)
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u00ad": "",  # a soft hyphen only shows where a line breaks
        "\ufeff": "",
        "\t": " ",
        "\uf0b7": "•",
        "\u2610": "",  # the tick boxes of a tracker: ☐ ☑ ☒
        "\u2611": "",
        "\u2612": "",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BR = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?(?:b|i|u|em|strong|span|p|div|font|sup|sub)\b[^>]*>", re.I)
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_CAN_LABEL = re.compile(r"^(?:assessment\s+criteria\b.*|.*\bcan\b.*)$", re.I)
_SPLIT_LABEL = re.compile(
    r"(?<=\S)(?<!\sand)\s*(?=assessment\s+criteria\s*[.:-]?\s*(?:(?:the\s+learner|i)\s+can:?)?\s*$)",
    re.I,
)


@dataclass(slots=True)
class _Line:
    """One classified piece of a source line."""

    kind: str  # blank unit unit_title outcome criterion numbered number label bullet heading text
    raw: str
    at: int  # the source line's number
    page: int
    text: str = ""
    a: str = ""  # unit number / outcome number / criterion's outcome number
    b: str = ""  # accreditation / criterion's number within its outcome
    prefix: str = ""  # text before a criterion number on the same line
    furniture: bool = False  # a page header or footer, repeated down the source
    column: int = 0  # the table column it stands in (1 for the first), 0 outside tables


def _cells(line: str) -> list[str] | None:
    """The cells of a pasted table row (pipes or tabs), or None for an ordinary line."""
    stripped = line.strip()
    if "\t" in stripped:
        return line.split("\t")
    if stripped.startswith("|") or (stripped.endswith("|") and stripped.count("|") >= 2):
        return re.split(r"(?<!\\)\|", stripped.strip("|"))
    return None


def _tidy(text: str) -> str:
    """One piece's text: plain typography, no markdown emphasis or stray markup."""
    text = _CONTROL.sub(" ", text.translate(_TYPOGRAPHY))
    text = text.replace("**", " ").replace("__", " ")
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


_SPACED = re.compile(r"\S {3,}\S")  # columns laid out with spaces, as pdftotext -layout writes


def _pieces(source: Source) -> list[tuple[str, SourceLine, int]]:
    """Each source line cut into the pieces that are read one by one, with their column."""
    out: list[tuple[str, SourceLine, int]] = []

    def cut(text: str, line: SourceLine, column: int) -> bool:
        produced = False
        for part in _BR.split(text):
            for piece in _SPLIT_LABEL.split(_tidy(part), maxsplit=1):
                if piece:
                    out.append((piece, line, column))
                    produced = True
        return produced

    pasted = source.kind == "text"
    lines = source.lines
    i = 0
    while i < len(lines):
        line = lines[i]
        if pasted and _SPACED.search(line.text) and _cells(line.text) is None:
            j = i  # the block of plain lines around it, read as columns if they are
            while j > 0 and lines[j - 1].text.strip() and _cells(lines[j - 1].text) is None:
                j -= 1
            k = i
            while k + 1 < len(lines) and lines[k + 1].text.strip():
                if _cells(lines[k + 1].text) is not None:
                    break
                k += 1
            # lines before it in the block were already cut one by one: take them back
            while out and out[-1][1].number > lines[j].number - 1:
                out.pop()
            for text, cell, column, at in read_run(_spaced_lines(lines[j : k + 1]), 2):
                del cell
                cut(text, lines[at], column)
            i = k + 1
            continue
        text = line.text.replace("\t", " ") if not pasted else line.text
        cells = _cells(text) if pasted else None
        if cells is None:
            cells = [text]
        elif _TABLE_RULE.match(text.strip()):
            i += 1
            continue  # the line under a markdown table's header
        produced = False
        for n, words in enumerate(cells, start=1):
            produced = cut(words, line, n if len(cells) > 1 else line.column) or produced
        if not produced:
            out.append(("", line, 0))
        i += 1
    return out


def _spaced_lines(lines: tuple[SourceLine, ...]) -> list[Line]:
    """Lines of pasted text as positioned words: a character is one unit wide, a line one high."""
    return [
        Line(
            n,
            n + 0.8,
            [
                {"x0": m.start(), "x1": m.end(), "top": n, "bottom": n + 0.8, "text": m.group()}
                for m in re.finditer(r"\S+", line.text)
            ],
            line.number - 1,
        )
        for n, line in enumerate(lines)
    ]


def _unit_line(body: str, raw: str, at: int, page: int) -> _Line | None:
    m = _UNIT.match(body)
    if not m:
        return None
    rest = m.group(4).strip()
    accreditation = m.group(2) or ""
    if not accreditation and (found := _ACCREDITATION.search(rest)):
        accreditation = found.group(0)
        rest = (rest[: found.start()] + rest[found.end() :]).strip(" ()-:")
    # "Unit 203 Provide customer service" is a heading; "Unit 4 covers ..." is a sentence
    if rest and not (m.group(3) or m.group(2) or rest[:1].isupper()):
        return None
    if len(rest.split()) > 20:
        return None
    rest = re.sub(r"(?:\s*\.{2,}\s*\d*|\s{2,}\d{1,3})$", "", rest).strip()
    return _Line("unit", raw, at, page, rest, m.group(1).upper(), accreditation)


def _classify(raw: str, at: int, page: int) -> _Line:
    """What one piece is, with markdown headings, bold and list markers set aside."""
    if not raw:
        return _Line("blank", raw, at, page)
    body = raw
    heading = body.startswith("#")
    body = body.lstrip("#").strip()
    bullet = False
    if (m := _BULLET.match(body)) and body[m.end() :]:
        bullet, body = True, body[m.end() :]
    if not body:
        return _Line("blank", raw, at, page)
    if m := _CRITERION.match(body):
        a, b, text = m.group(1), m.group(2), (m.group(3) or m.group(4) or "").strip()
        text = re.sub(rf"^(?:AC\s*)?0*{a}\.0*{b}[.):]?(?:\s+|$)", "", text)  # number typed twice
        return _Line("criterion", raw, at, page, text, a, b)
    if bullet:
        return _Line("bullet", raw, at, page, body)
    if unit := _unit_line(body, raw, at, page):
        return unit
    if m := _OUTCOME.match(body):
        title = _LEARNER_WILL.sub("", m.group(2).strip(), count=1)
        title = re.sub(rf"^0*{m.group(1)}[.)]?\s+", "", title)  # number typed twice
        return _Line("outcome", raw, at, page, title, m.group(1))
    if m := _OUTCOME_UNNUMBERED.match(body):
        return _Line("outcome", raw, at, page, m.group(1).strip())
    if m := _UNIT_TITLE.match(body):
        return _Line("unit_title", raw, at, page, m.group(1).strip())
    if _LABEL.match(body):
        return _Line("label", raw, at, page, body)
    m = _CRITERION_MID.match(body)
    if m and _words_before(m.group(1)) not in _NOT_BEFORE_CRITERION:
        prefix = re.sub(r"^\d{1,2}[.)]?\s+", "", m.group(1)).strip()
        return _Line("criterion", raw, at, page, m.group(4).strip(), m.group(2), m.group(3), prefix)
    if m := _NUMBERED.match(body):
        return _Line("numbered", raw, at, page, m.group(2).strip(), m.group(1))
    if m := _NUMBER.match(body):
        return _Line("number", raw, at, page, "", m.group(1))
    if heading:
        return _Line("heading", raw, at, page, body)
    return _Line("text", raw, at, page, body)


def _words_before(text: str) -> str:
    words = re.findall(r"[a-z]+", text.lower()[-20:])
    return words[-1] if words else ""


# ---- page furniture --------------------------------------------------------------------------

_FURNITURE_KINDS = {"text", "heading", "label", "bullet", "unit_title"}
_ALWAYS_FURNITURE = re.compile(
    r"(?:©|\(c\)\s|\bcopyright\b|\ball rights reserved\b|^page\s+\d+\b|\bpage\s+\d+$"
    r"|\bpage\s+\d+\s+of\s+\d+\b)",
    re.I,
)


def _furniture_key(line: _Line) -> str | None:
    if line.kind not in _FURNITURE_KINDS or len(line.raw) > 150 or line.raw[:1].islower():
        return None
    return re.sub(r"\d+", "#", line.raw.lower())


def _mark_furniture(lines: list[_Line], paged: bool) -> None:
    """Mark page headers and footers: lines repeated at the tops and bottoms of pages.

    Without pages (a paste), a line repeated three times that carries a number or several words
    ("Level 2 NVQ Certificate in Customer Service", "Version 3") is taken for one.
    """
    keys = [_furniture_key(line) for line in lines]
    counts = Counter(k for k in keys if k is not None)
    for line, key in zip(lines, keys, strict=True):
        if line.kind == "label" and key is not None and counts[key] >= 2:
            line.furniture = True  # a table's header row, repeated on each page it runs over
    if paged:
        by_page: dict[int, list[int]] = {}
        for i, line in enumerate(lines):
            if line.kind != "blank":
                by_page.setdefault(line.page, []).append(i)
        zone_pages: dict[str, set[int]] = {}
        zone: set[int] = set()
        for page, indexes in by_page.items():
            for i in indexes[:3] + indexes[-3:]:
                zone.add(i)
                if (found := keys[i]) is not None:
                    zone_pages.setdefault(found, set()).add(page)
        for i in zone:
            key = keys[i]
            if key is not None and (
                len(zone_pages[key]) >= 2 or _ALWAYS_FURNITURE.search(lines[i].raw)
            ):
                lines[i].furniture = True
        return
    for line, key in zip(lines, keys, strict=True):
        if key is None:
            continue
        repeated = counts[key] >= 3 and ("#" in key or len(key.split()) >= 3)
        if repeated or _ALWAYS_FURNITURE.search(line.raw):
            line.furniture = True


def _next_criterion(lines: list[_Line]) -> tuple[list[int | None], list[_Line | None]]:
    """For each piece, the outcome number of the next criterion before another heading starts,
    and the next piece that is not blank: one backward pass."""
    found: list[int | None] = [None] * len(lines)
    following: list[_Line | None] = [None] * len(lines)
    outcome: int | None = None
    after: _Line | None = None
    for i in range(len(lines) - 1, -1, -1):
        found[i], following[i] = outcome, after
        line = lines[i]
        if line.kind == "criterion":
            outcome = int(line.a)
        elif line.kind in ("unit", "outcome", "numbered"):
            outcome = None
        if line.kind != "blank":
            after = line
    return found, following


# ---- building --------------------------------------------------------------------------------


_HYPHEN_END = re.compile(r"([A-Za-z]+)-$")
_WORD_START = re.compile(r"[A-Za-z]+")


@dataclass
class _Text:
    """Text gathered piece by piece, joined once at the end."""

    parts: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def add(self, text: str, at: int) -> None:
        if text:
            self.parts.append(text)
        self.lines.append(at)

    def tail(self) -> str:
        """The last words, enough to judge whether the text looks cut off."""
        return " ".join(self.parts[-2:])[-200:]

    def join(self, known: set[str]) -> str:
        """The parts as one text; a word hyphenated at a line's end is joined up again."""
        out: list[str] = []
        for part in self.parts:
            if out and (m := _HYPHEN_END.search(out[-1])):
                after = _WORD_START.match(part)
                if after and not hyphen_belongs(m.group(1), after.group(0), known):
                    out[-1] = out[-1][:-1]  # "organi-" + "sation"
                out.append(part)
            elif out:
                out += [" ", part]
            else:
                out.append(part)
        return "".join(out)


@dataclass
class _CriterionBuilder:
    number: str
    text: _Text
    items: list[_Text] = field(default_factory=list)  # a list inside the criterion

    def tail(self) -> str:
        return (self.items[-1] if self.items else self.text).tail()


@dataclass
class _OutcomeBuilder:
    number: int
    title: _Text = field(default_factory=_Text)
    heading: list[tuple[str, int]] = field(default_factory=list)  # its own lines, as read
    criteria: list[_CriterionBuilder] = field(default_factory=list)


@dataclass
class _UnitBuilder:
    number: str | None
    accreditation: str | None = None
    title: str = ""
    heading: list[tuple[str, int]] = field(default_factory=list)  # its heading and title lines
    outcomes: dict[int, _OutcomeBuilder] = field(default_factory=dict)
    numbers: set[str] = field(default_factory=set)
    unplaced: list[tuple[int, int, str]] = field(default_factory=list)  # line, order, text
    first_person: bool = False
    criteria_expected: bool = False  # a "The learner can:" or an outcome has been seen
    last: tuple[int, int] | None = None  # the last criterion's numbers

    def outcome(self, number: int) -> _OutcomeBuilder:
        found = self.outcomes.get(number)
        if found is None:
            found = self.outcomes[number] = _OutcomeBuilder(number)
        return found


_LIST_INTRO = re.compile(
    r"(?::|\b(?:including|include|includes|e\.?g\.?|such as|following))$", re.I
)


class _Parser:
    """A one-pass reader: criteria and outcome titles continue until something else starts."""

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.next_criterion, self.next_line = _next_criterion(lines)
        self.units: list[_UnitBuilder] = [_UnitBuilder(None)]
        self.by_number: dict[str, _UnitBuilder] = {}
        self.unit = self.units[0]
        self.outcome: _OutcomeBuilder | None = None
        self.criterion: _CriterionBuilder | None = None
        self.title_open = False  # an outcome title just started: the next plain lines are its own
        self.title_pending = False  # a title split across the column ("… their job in"): it first
        self.want_unit_title = False
        self.listing: _OutcomeBuilder | None = None  # criteria numbered 1., 2. under an outcome
        self.list_next = 1
        self.loose: list[_Line] = []  # a paragraph of its own: may be the next outcome's title
        self.loose_done = False
        self.loose_is_title = False
        self.page = 0
        self.page_top = False
        self.order = 0
        # table columns: a title cell and a criterion cell both run on over a page break
        self.title_column = 0
        self.criterion_column = 0
        self.i = 0  # the piece being read
        self.titled_at = (
            -99
        )  # the piece where a "Unit title:" gave a unit without a number its title

    # -- state

    def close(self) -> None:
        self.criterion = None
        self.title_open = self.title_pending = False

    def _unplace(self, line: _Line, text: str | None = None) -> None:
        if not self.unit.outcomes and not self.unit.accreditation:
            if m := _ACCREDITATION.search(line.raw):
                self.unit.accreditation = m.group(0)
        self.order += 1
        self.unit.unplaced.append((line.at, self.order, line.raw if text is None else text))

    def _flush_loose(self) -> None:
        for line in self.loose:
            self._unplace(line)
        self.loose = []
        self.loose_is_title = False

    def _add_loose(self, line: _Line, text: str | None = None) -> None:
        if self.loose and self.loose_done:
            self._flush_loose()
        self.loose.append(line if text is None else replace(line, raw=text, text=""))
        self.loose_done = False

    def _take_loose_title(self, outcome: _OutcomeBuilder) -> None:
        """A paragraph of its own just before an untitled outcome's first criterion is its title."""
        if len(self.loose) > 4 and not self.loose_is_title:
            self._flush_loose()
            return
        texts = [line.text or line.raw for line in self.loose]
        joined = " ".join(texts)
        usable = self.loose_is_title or (
            0 < len(self.loose)
            and len(joined.split()) <= 30
            and not joined.endswith((".", ":", ";"))
        )
        if not usable:
            self._flush_loose()
            return
        for line, text in zip(self.loose, texts, strict=True):
            outcome.title.add(text, line.at)
            outcome.heading.append((line.raw, line.at))
        self.loose = []
        self.loose_is_title = False

    # -- the pass

    def run(self) -> list[_UnitBuilder]:
        for i, line in enumerate(self.lines):
            self.i = i
            if line.kind == "blank":
                self.close()
                self.loose_done = True
                continue
            if line.page and line.page != self.page:
                self.page, self.page_top = line.page, True
            if line.kind == "label" and line.raw[:1].islower() and self.criterion is not None:
                line = replace(line, kind="text")  # "… the\nrange"
            if self._transparent(line):
                if line.kind != "unit":
                    self._unplace(line)
                if line.kind == "label":
                    self._note_label(line)
                self.page_top = True
                continue
            self.page_top = False
            if line.kind == "numbered":
                line = self._numbered(i, line)
            elif line.kind == "number":
                line = self._number(i, line)
            getattr(self, f"_{line.kind}")(line)
        self._flush_loose()
        return self.units

    def _transparent(self, line: _Line) -> bool:
        """Page furniture, and a unit's own heading repeated on its pages, break nothing."""
        if line.kind == "unit":
            if line.a == self.unit.number and (bool(self.unit.title) or not line.text):
                self.unit.heading.append((line.raw, line.at))
                return True
            return False
        if not line.furniture:
            return False
        if line.kind == "label":  # a table's header row repeated at the top of the next page
            return self.page_top and (self.criterion is not None or self.title_open)
        return not (self.want_unit_title and line.kind in ("text", "heading"))

    def _numbered(self, i: int, line: _Line) -> _Line:
        """Under an outcome "2. listen …" is its criterion 2; "2 Title" before 2.1 is an outcome."""
        number = int(line.a)
        if self.listing is not None and self.listing is self.outcome and number == self.list_next:
            self.list_next += 1
            return replace(line, kind="criterion", a=str(number), b="")
        if self.next_criterion[i] == number:
            return replace(line, kind="outcome")
        return replace(line, kind="text", text=line.raw)

    def _number(self, i: int, line: _Line) -> _Line:
        """A number alone is an outcome's when its title and then its criteria follow."""
        following = self.next_line[i]
        if self.next_criterion[i] == int(line.a) and following and following.kind == "text":
            return replace(line, kind="outcome", text="")
        return replace(line, kind="noise")

    def _noise(self, line: _Line) -> None:  # a page number: it breaks nothing
        self._unplace(line)

    def _unit(self, line: _Line) -> None:
        following = self.next_line[self.i]
        title_next = following is not None and following.kind in ("text", "heading")
        before = None  # "Deliver customer service", then "Unit 203", then a table: the line before
        title_at_margin = title_next and following is not None and not following.column
        if not line.text and not title_at_margin and len(self.loose) == 1:
            if self._title_like(self.loose[0]) and not self.loose_done:
                before, self.loose = self.loose[0], []
        self._flush_loose()
        self.close()
        self.outcome = self.listing = None
        if line.a == self.unit.number:  # its heading again, now with the title
            self.unit.title = self.unit.title or _title_case(line.text)
            self.unit.heading.append((line.raw, line.at))
            if before is not None:
                self._unplace(before)
            return
        found = self.by_number.get(line.a)
        if found is None and self.unit.number is None and self.i - self.titled_at <= 8:
            found = self.by_number[line.a] = self.unit  # "Unit title: …" then "Unit number: 16"
            found.number = line.a
        elif found is None:
            found = self.by_number[line.a] = _UnitBuilder(line.a)
            self.units.append(found)
        self.unit = found
        found.heading.append((line.raw, line.at))
        if line.b and not found.accreditation:
            found.accreditation = line.b
        # a contents page names the unit first; the title at its criteria wins
        if line.text and (not found.title or not found.numbers):
            found.title = _title_case(line.text)
        if before is not None and not found.title:
            self._give_title(before)
        elif before is not None:
            self._unplace(before)
        self.want_unit_title = not found.title

    def _give_title(self, line: _Line) -> None:
        """The unit's title from a line of its own, with the reference number it may carry."""
        self.unit.title = _title_case(line.text or line.raw)
        self.unit.heading.append((line.raw, line.at))
        if not self.unit.accreditation and (m := _ACCREDITATION.search(line.raw)):
            self.unit.accreditation = m.group(0)

    @staticmethod
    def _title_like(line: _Line) -> bool:
        text = line.text or line.raw
        return not line.column and len(text.split()) <= 15 and not text.endswith((".", ":"))

    def _unit_title(self, line: _Line) -> None:
        self._flush_loose()
        self.close()
        if self.unit.numbers:  # a second unit without a number
            self.unit = _UnitBuilder(None)
            self.units.append(self.unit)
            self.outcome = self.listing = None
        if line.text and not self.unit.title:
            self.unit.title = _title_case(line.text)
            self.unit.heading.append((line.raw, line.at))
            self.titled_at = self.i
        else:
            self._unplace(line)
            self.want_unit_title = not self.unit.title

    def _outcome(self, line: _Line) -> None:
        self.close()
        self.want_unit_title = False
        self.listing = None
        if not line.a:  # "Learning outcome: Identify customers": numbered by its criteria
            self._flush_loose()
            self._add_loose(line, line.text)
            self.loose_is_title = True
            return
        self._flush_loose()
        self.unit.criteria_expected = True
        self.outcome = self.unit.outcome(int(line.a))
        self.outcome.heading.append((line.raw, line.at))
        self.title_column = line.column
        if not self.outcome.title.parts:
            self.outcome.title.add(line.text, line.at)
            self.title_open = True

    def _accepts(self, a: int, b: int, lower: bool) -> bool:
        """A criterion in lower case ("1.5 kg of flour"?) must fit the numbering around it."""
        if not lower:
            return True
        last = self.unit.last
        if last == (a, b - 1):
            return True
        current = self.outcome is not None and self.outcome.number == a
        return b == 1 and (self.unit.criteria_expected or current or (last or (0, 0))[0] == a - 1)

    def _criterion(self, line: _Line) -> None:
        self.want_unit_title = False
        a = int(line.a)
        if not line.b:  # "2." under an outcome whose criteria are numbered 1, 2, 3
            assert self.outcome is not None
            a, b = self.outcome.number, int(line.a)
        else:
            b = int(line.b)
            if not self._accepts(a, b, line.text[:1].islower()):
                self._text(replace(line, kind="text", text=line.raw))
                return
            self.listing = None
        number = f"{a}.{b}"
        new_outcome = self.outcome is None or self.outcome.number != a
        if line.prefix and not new_outcome:
            self._text(replace(line, kind="text", raw=line.prefix, text=line.prefix))
        if number in self.unit.numbers:
            current = self.criterion
            if current is not None and current.number == number and not current.text.parts:
                current.text.add(line.text, line.at)  # the number typed again in the next cell
                return
            self.close()
            self._flush_loose()
            self._unplace(line)  # a repeated criterion: let the person decide
            return
        self.close()
        self.outcome = self.unit.outcome(a)
        if new_outcome and not self.outcome.title.parts and line.prefix:
            self._flush_loose()
            self.outcome.title.add(line.prefix, line.at)
            self.title_pending = looks_cut_off(line.prefix)
        elif not self.outcome.title.parts and not self.outcome.criteria:
            self._take_loose_title(self.outcome)  # "Learning outcome 1:", a label, then its title
        elif line.prefix and new_outcome:
            self._unplace(line, line.prefix)
        self._flush_loose()
        self.unit.numbers.add(number)
        self.unit.last = (a, b)
        self.criterion = _CriterionBuilder(number, _Text())
        self.criterion_column = line.column
        self.criterion.text.add(line.text, line.at)
        self.outcome.criteria.append(self.criterion)

    def _text(self, line: _Line) -> None:
        if self.want_unit_title:
            self._give_title(line)
            self.want_unit_title = False
            if self.unit.number is None:
                self.titled_at = self.i
        elif self.outcome is not None and self.title_pending:
            self.outcome.title.add(line.text, line.at)
            self.title_pending = looks_cut_off(self.outcome.title.tail())
        elif self.criterion is not None:
            c = self.criterion
            if not c.text.parts and not c.items:  # "| 1.1 | Its text |": the next cell
                self.criterion_column = line.column
                c.text.add(line.text, line.at)
            elif (
                self.outcome is not None
                and line.column
                and line.column == self.title_column != self.criterion_column
            ):  # the rest of the outcome's cell, beside its criteria
                self.outcome.title.add(line.text, line.at)
                self.outcome.heading.append((line.raw, line.at))
            elif line.column and self.criterion_column and line.column != self.criterion_column:
                self.close()  # another column of the table: a knowledge or evidence column
                self._add_loose(line)
            elif _continues(c.tail(), line.text):
                (c.items[-1] if c.items else c.text).add(line.text, line.at)
            else:  # a new paragraph: prose after the criteria, or the next outcome's title
                self.close()
                self._add_loose(line)
        elif self.outcome is not None and self.title_open:
            self.outcome.title.add(line.text, line.at)
            self.outcome.heading.append((line.raw, line.at))
            self.title_column = line.column or self.title_column
        else:
            self._add_loose(line)

    def _heading(self, line: _Line) -> None:
        if self.want_unit_title:
            self._text(line)
            return
        self.close()
        self._flush_loose()
        self._add_loose(line)
        self.loose_done = True

    def _note_label(self, line: _Line) -> None:
        if re.search(r"\bi\s+can\b", line.text, re.I):
            self.unit.first_person = True

    def _label(self, line: _Line) -> None:
        self.close()
        self._note_label(line)
        if _CAN_LABEL.match(line.text):
            self.unit.criteria_expected = True
            if self.outcome is not None and not self.outcome.criteria and self.listing is None:
                self.listing, self.list_next = self.outcome, 1
        else:
            self.listing = None
        self._unplace(line)

    def _bullet(self, line: _Line) -> None:
        c = self.criterion
        if c is not None and (c.items or _LIST_INTRO.search(c.tail()) or looks_cut_off(c.tail())):
            item = _Text()
            item.add(line.text, line.at)
            c.items.append(item)
            return
        self.close()
        self._flush_loose()
        self._unplace(line)


_FIELD = re.compile(r"^[A-Z][a-z]*(?:\s+[a-z]+){0,3}\s*:\s")


def _continues(tail: str, text: str) -> bool:
    """Whether a line goes on with the text before it, rather than starting a paragraph."""
    first = text[:1]
    if not first.isupper() or re.match(r"I\b", text):
        return True
    if _FIELD.match(text):  # "Assessment guidance: …", "Note: …" start something new
        return False
    return looks_cut_off(tail)


def _title_case(title: str) -> str:
    """A title in capitals, as the student guide prints them, in sentence case."""
    title = re.sub(r"\s*\(\s*[A-Z]/\d{3}/\d{4}\s*\)\s*", " ", title).strip()
    if title.isupper():
        title = title.lower()
    return title[:1].upper() + title[1:]


# ---- drafts ----------------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    """One line, without the full stop a specification may end a criterion with."""
    text = re.sub(r"\s+", " ", text).strip().rstrip(".;, ").strip()
    return text[:1].upper() + text[1:]


def _normal_title(title: str) -> str:
    """A title for comparing: no case, hyphens or punctuation."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", title.lower()).split())


def _match(unit: _UnitBuilder, qualification: Qualification | None) -> None:
    """Fill the number (and accreditation) of a unit from the catalogue."""
    if qualification is None:
        return
    known = qualification.unit(unit.number) if unit.number else None
    if known is None and unit.number is None:
        by_accreditation = [u for u in qualification.units if u.accreditation == unit.accreditation]
        if unit.title:
            wanted = {_normal_title(unit.title)}
        else:  # the title may sit among the lines before the outcomes
            wanted = {_normal_title(text) for _, _, text in unit.unplaced}
        by_title = [u for u in qualification.units if _normal_title(u.title) in wanted]
        candidates = by_accreditation or by_title
        if len(candidates) == 1:
            known = candidates[0]
            unit.number = known.number
            unit.title = unit.title or known.title
    if known is not None and not unit.accreditation:
        unit.accreditation = known.accreditation


def slug(text: str) -> str:
    """A safe file name from a title: lower-case letters, digits and hyphens."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", plain.lower())
    name = "-".join(words)[:60].strip("-")
    return name


def _draft(unit: _UnitBuilder, known: set[str], name: str) -> DraftUnit:
    """The finished draft of one unit, with statements, kinds and cut-off flags."""
    criteria_text = {
        id(c): _with_items(c, known) for o in unit.outcomes.values() for c in o.criteria
    }
    third_person = not unit.first_person and speaks_of_the_learner(list(criteria_text.values()))
    outcomes: list[DraftOutcome] = []
    unplaced = list(unit.unplaced)
    for o in sorted(unit.outcomes.values(), key=lambda o: o.number):
        if not o.criteria:  # a heading with nothing under it: a list of outcomes, or a stray "1 …"
            unplaced += [(at, 0, raw) for raw, at in o.heading]
            continue
        title = _clean_text(_title_case(_LEARNER_WILL.sub("", o.title.join(known), count=1)))
        criteria = []
        for c in o.criteria:
            raw_text = criteria_text[id(c)]
            text = _clean_text(raw_text)
            statement = first_person(to_first_person(text) if third_person else text)
            lines = c.text.lines + [at for item in c.items for at in item.lines]
            criteria.append(
                DraftCriterion(
                    number=c.number,
                    text=text,
                    statement=statement,
                    kind=criterion_kind(text, title),
                    truncated=looks_cut_off(raw_text[-200:]),
                    lines=tuple(sorted(set(lines))),
                )
            )
        heading_lines = sorted({at for _, at in o.heading} | set(o.title.lines))
        spoken = to_second_person(title) if third_person else ""
        outcomes.append(
            DraftOutcome(
                o.number,
                title,
                tuple(criteria),
                tuple(heading_lines),
                spoken if spoken != title else "",
            )
        )
    unplaced.sort()
    return DraftUnit(
        number=unit.number,
        accreditation=unit.accreditation,
        title=_clean_text(unit.title),
        outcomes=tuple(outcomes),
        unplaced=tuple(text for _, _, text in unplaced),
        unplaced_lines=tuple(at for at, _, _ in unplaced),
        name=name,
        lines=tuple(sorted({at for _, at in unit.heading})),
    )


def _with_items(c: _CriterionBuilder, known: set[str]) -> str:
    text = c.text.join(known)
    if not c.items:
        return text
    items = "; ".join(re.sub(r"\s+", " ", item.join(known)).strip(" .;,") for item in c.items)
    return f"{text.rstrip(' :')}: {items}"


def _names(units: list[_UnitBuilder]) -> list[str]:
    """A file name per unit, never the same twice: its number, else its title."""
    taken: set[str] = set()
    tried: dict[str, int] = {}
    names = []
    for unit in units:
        base = (
            re.sub(r"[^A-Za-z0-9_-]+", "-", unit.number).strip("-")
            if unit.number
            else slug(unit.title)
        ) or "unit"
        name, n = base, tried.get(base.lower(), 1)
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        tried[base.lower()] = n
        taken.add(name.lower())
        names.append(name)
    return names


def read(source: Source, qualification: Qualification | None = None) -> Reading:
    """Every unit found in a source, in order; NoCriteria when there is none."""
    pieces = _pieces(source)
    lines = [_classify(text, line.number, line.page) for text, line, _ in pieces]
    for line, (_, _, column) in zip(lines, pieces, strict=True):
        line.column = column
    _mark_furniture(lines, paged=source.kind == "pdf" or source.pages > 1)
    known = {w for line in lines for w in re.findall(r"[a-z]+(?:-[a-z]+)*", line.raw.lower())}
    built = _Parser(lines).run()
    kept = [u for u in built if any(c.number.endswith(".1") for o in u.outcomes.values()
                                    for c in o.criteria)]  # fmt: skip
    if not kept:
        raise NoCriteria(
            "no learning outcomes or assessment criteria found: is this a unit specification?"
        )
    for unit in kept:
        _match(unit, qualification)
    drafts = [_draft(u, known, name) for u, name in zip(kept, _names(kept), strict=True)]
    page_of = {line.number: line.page for line in source.lines}
    inside = [(at, text) for d in drafts for at, text in zip(d.unplaced_lines, d.unplaced)]
    outside: list[tuple[int, str]] = []
    kept_ids = {id(u) for u in kept}
    for unit in built:
        if id(unit) not in kept_ids:
            outside += [(at, raw) for raw, at in unit.heading]
            outside += [(at, text) for at, _, text in unit.unplaced]
            outside += [(at, raw) for o in unit.outcomes.values() for raw, at in o.heading]
            outside += [
                (at, f"{c.number} {c.text.join(known)}")
                for o in unit.outcomes.values()
                for c in o.criteria
                for at in c.text.lines[:1]
            ]
    outside.sort(key=lambda x: x[0])

    def as_lines(pairs: list[tuple[int, str]]) -> tuple[SourceLine, ...]:
        return tuple(SourceLine(at, text, page_of.get(at, 0)) for at, text in pairs)

    everything = sorted(inside + outside, key=lambda x: x[0])
    return Reading(source, tuple(drafts), as_lines(everything), as_lines(outside))


def draft_units(text: str, qualification: Qualification | None = None) -> list[DraftUnit]:
    """Every unit found in a pasted text, in order; raise ImportProblem when there is none."""
    return list(read(source_from_text(text), qualification).units)
