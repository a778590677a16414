"""Turn the text of a unit specification, as pasted from a PDF, into a draft unit file to check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from survey.content import Qualification, criterion_kind, first_person

ELLIPSIS = " …"


class ImportProblem(Exception):
    """The text cannot be read as a unit specification; str() is one line for the person."""


@dataclass(frozen=True)
class DraftCriterion:
    """One assessment criterion as found; `truncated` when its last words look lost."""

    number: str
    text: str
    statement: str
    kind: str
    truncated: bool


@dataclass(frozen=True)
class DraftOutcome:
    """One learning outcome with the criteria found under it."""

    number: int
    title: str
    criteria: tuple[DraftCriterion, ...]
    learner_title: str = ""  # the title spoken to the learner, where the source speaks of them


@dataclass(frozen=True)
class DraftUnit:
    """One unit found in the text, with the lines the importer could not place."""

    number: str | None
    accreditation: str | None
    title: str
    outcomes: tuple[DraftOutcome, ...]
    unplaced: tuple[str, ...]


# ---- words ---------------------------------------------------------------------------------

ARTICLES = {"a", "an", "the"}
POSSESSIVES = {"my", "their", "his", "its", "our", "your", "whose"}
DETERMINERS = ARTICLES | POSSESSIVES | {"this", "these", "those", "every"}
CONJUNCTIONS = {
    "and",
    "or",
    "but",
    "nor",
    "because",
    "although",
    "whether",
    "if",
    "than",
    "as",
    "unless",
    "whereas",
}
PREPOSITIONS = {
    "about",
    "against",
    "among",
    "at",
    "between",
    "by",
    "during",
    "for",
    "from",
    "in",
    "into",
    "of",
    "on",
    "onto",
    "per",
    "regarding",
    "through",
    "to",
    "toward",
    "towards",
    "under",
    "until",
    "upon",
    "via",
    "with",
}
# a preposition may end a sentence after these words ("when I need to", "customers I deal with")
STRANDED = {
    "to": {
        "need",
        "needs",
        "want",
        "wants",
        "have",
        "has",
        "had",
        "ought",
        "able",
        "like",
        "wish",
        "try",
        "going",
        "used",
        "talk",
        "refer",
        "respond",
        "listen",
        "speak",
        "allowed",
        "expected",
        "required",
        "supposed",
    },
    "with": {"deal", "deals", "work", "works", "cope", "agree", "comply", "communicate"},
    "for": {"look", "ask", "care", "responsible", "pay", "wait", "account", "prepare"},
    "about": {"care", "know", "talk", "think", "ask", "complain"},
    "on": {"rely", "depend", "pass", "carry", "focus", "act", "follow", "agree", "log"},
    "in": {"involved", "fill", "log", "join", "take", "believe"},
    "by": {"abide", "stand"},
}
# adjectives that leave a noun phrase unfinished when nothing follows ("a good first")
ADJECTIVES = {
    "good",
    "first",
    "new",
    "own",
    "main",
    "full",
    "clear",
    "correct",
    "appropriate",
    "relevant",
    "different",
    "personal",
    "professional",
    "effective",
    "positive",
}
# a wh- clause that has its subject but lost its verb ("and what their organisation")
_HEADLESS_CLAUSE = re.compile(
    r"\b(?:what|how|why|when|where|who|whom|which|whether|that|if)\s+"
    r"(?:a|an|the|my|their|his|its|our|your|this|these|those)\s+[\w'-]+$"
)


def _words(text: str) -> list[str]:
    """The lower-case words of a text."""
    return re.findall(r"[a-z][a-z'-]*", text.lower())


def _adjective(word: str) -> bool:
    """True for a word that may stand between a determiner and its noun."""
    if word in ADJECTIVES:
        return True
    if "-" in word:  # "customer-friendly", "computer-based"
        return word.rsplit("-", 1)[1].endswith(("ly", "ed", "ful"))
    # "organised", "helpful", "courteous"; not "need" or "speed"
    return len(word) >= 5 and re.search(r"(?:[^e]ed|ful|ous)$", word) is not None


def looks_cut_off(text: str) -> bool:
    """True when the text ends where no English sentence ends ("… and their", "a good first")."""
    stripped = text.strip()
    if stripped.endswith((",", ":", ";", "-", "/", "(", "…", "...")):
        return True
    words = _words(stripped)
    if not words:
        return True
    last = words[-1]
    if last in ARTICLES or last in POSSESSIVES or last in CONJUNCTIONS:
        return True
    if last.endswith("'s") and last not in {"it's", "who's", "that's", "what's"}:
        return True  # a possessive noun always has its noun to come
    if last in PREPOSITIONS:
        previous = words[-2] if len(words) > 1 else ""
        return previous not in STRANDED.get(last, set())
    i = len(words) - 1
    while i >= 0 and _adjective(words[i]):
        i -= 1
    if 0 <= i < len(words) - 1 and words[i] in DETERMINERS:
        return True
    return _HEADLESS_CLAUSE.search(" ".join(words)) is not None


# ---- third person to first person ------------------------------------------------------------

_OTHERS = r"(?:customers|colleagues|others|people|staff|members|managers|suppliers|partners)"
# a pronoun that plainly refers to other people, not the learner: leave it alone
_KEEP = [
    re.compile(
        _OTHERS + r"\s+(?:when|if|who|whom|so\s+that|because|as|where|while|until|unless"
        r"|what|how|whether|why)\s+(they|their|them)\b",
        re.I,
    ),
    re.compile(
        r"\b(?:thank|tell|ask|help|inform|give|show|greet|serve|treat|keep|update|contact"
        r"|advise|reassure|welcome|support)\s+(them)\b",
        re.I,
    ),
]
_TO_FIRST = [
    (r"\bthe learner's\b", "my"),
    (r"\bthe learner\b", "I"),
    (r"\bthey are\b", "I am"),
    (r"\bthey were\b", "I was"),
    (r"\bthey're\b", "I'm"),
    (r"\bthemselves\b", "myself"),
    (r"\btheirs\b", "mine"),
    (r"\btheir\b", "my"),
    (r"\bthem\b", "me"),
    (r"\bthey\b", "I"),
]
_TO_SECOND = [
    (r"\bthe learner's\b", "your"),
    (r"\bthe learner\b", "you"),
    (r"\bthey're\b", "you're"),
    (r"\bthemselves\b", "yourself"),
    (r"\btheirs\b", "yours"),
    (r"\btheir\b", "your"),
    (r"\bthem\b", "you"),
    (r"\bthey\b", "you"),
]
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|[Mm]y|[Mm]e|[Mm]yself)\b")
_THIRD_PERSON = re.compile(r"\b(?:they|their|them|themselves|the learner)\b", re.I)


def to_first_person(text: str) -> str:
    """Best-effort rewrite of spec wording about the learner ("their job") into "my job"."""
    return _rewrite(text, _TO_FIRST)


def to_second_person(text: str) -> str:
    """The same, spoken to the learner: "their job" into "your job"."""
    return _rewrite(text, _TO_SECOND)


def _rewrite(text: str, table: list[tuple[str, str]]) -> str:
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        # the pronoun ends the match: swap it for a marker the rewrite cannot touch
        kept.append(match.group(1))
        return match.group(0)[: match.start(1) - match.start()] + f"\x00{len(kept) - 1}\x00"

    for pattern in _KEEP:
        text = pattern.sub(hold, text)
    for pattern, words in table:
        text = re.sub(pattern, words, text, flags=re.I)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


# ---- lines -----------------------------------------------------------------------------------

_ACCREDITATION = re.compile(r"\b[A-Z]/\d{3}/\d{4}\b")
_UNIT = re.compile(
    r"^unit\s+(?:(?:no\.?|number)\s*:?\s*)?([A-Z]{1,2}\d{1,3})\b\s*"
    r"(?:\(\s*([A-Z]/\d{3}/\d{4})\s*\))?\s*(?:([-:.])\s*)?(.*)$",
    re.I,
)
# a criterion starts with a capital ("1.5 kg of flour" is not one) or stands alone on its line
_CRITERION = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:[.):]?\s+([A-Z(\"'].*)|[.):]?)$")
_CRITERION_MID = re.compile(r"^(.*?[A-Za-z,'])\s+(\d{1,2})\.(\d{1,2})\s+([A-Z].*)$")
_OUTCOME = re.compile(r"^(?:learning\s+outcome|outcome|LO)\s*(\d{1,2})\b\s*[-:.)]?\s*(.*)$", re.I)
_OUTCOME_BARE = re.compile(r"^(\d{1,2})[.)]?\s+([A-Z][A-Za-z'-]*\b.*)$")
_UNIT_TITLE = re.compile(r"^unit\s+title\s*:?\s*(.*)$", re.I)
_LABEL = re.compile(
    r"""^(?:
        (?:the\s+)?learners?\s+(?:will|can|should|must)(?:\s+be\s+able\s+to)?
      | (?:assessment\s+criteria|learning\s+outcomes?)(?:[.:]?\s*(?:(?:the\s+learner|i)\s+can))?
      | i\s+can
      | knowledge,?\s+understanding(?:,?\s+and\s+skills)?
      | and\s+skills
      | candidates\s+must\s+.*
      | unit\s+(?:purpose(?:\s+and\s+aim)?|aim|number|reference(?:\s+number)?|level)(?:\s*:.*)?
      | credit\s+value(?:\s*:.*)? | guided\s+learning\s+hours(?:\s*:.*)? | level(?:\s*:.*)?
      | evidence\s+requirements | guidance\s+on\s+.* | additional\s+information | key\s+terms
      | national\s+occupational\s+standards.*
      | ©.* | \(c\)\s*ocr.* | page\s+\d+.*
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
}
_PDF_BULLET = "\uf0b7•▪●◦‣∙·"
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
        "\t": " ",
        "\uf0b7": "•",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class _Line:
    """One classified line of the pasted text."""

    kind: str  # blank, unit, criterion, outcome, bare, unit_title, label, bullet, heading, text
    raw: str
    text: str = ""
    a: str = ""  # unit number / outcome number / criterion outcome number
    b: str = ""  # accreditation / criterion number within its outcome / bare outcome title
    prefix: str = ""  # text before a criterion number on the same line


def _split_lines(text: str) -> list[str]:
    """Normalise typography and put an "Assessment criteria. I can:" stuck to a title on its own."""
    lines: list[str] = []
    for line in text.translate(_TYPOGRAPHY).splitlines():
        line = _CONTROL.sub(" ", line.replace("**", " ").replace("__", " "))
        parts = re.split(
            r"(?<=\S)\s*(?=assessment\s+criteria[.:]?\s*(?:(?:the\s+learner|i)\s+can:?)?\s*$)",
            line,
            maxsplit=1,
            flags=re.I,
        )
        lines.extend(parts)
    return lines


def _classify(line: str) -> _Line:
    """What one line is, with markdown headings, bold and list markers set aside."""
    raw = re.sub(r"\s+", " ", line).strip()
    if not raw:
        return _Line("blank", raw)
    body = raw
    heading = body.startswith("#")
    body = body.lstrip("#").strip()
    bullet = False
    if body[:1] in _PDF_BULLET:
        bullet, body = True, body[1:].strip()
    elif re.match(r"^[-*+]\s", body):
        bullet, body = True, body[2:].strip()
    if not body:
        return _Line("blank", raw)
    if m := _CRITERION.match(body):
        return _Line("criterion", raw, (m.group(3) or "").strip(), m.group(1), m.group(2))
    if bullet:
        return _Line("bullet", raw, body)
    if (m := _UNIT.match(body)) and (not m.group(4) or m.group(2) or m.group(3)):
        return _Line("unit", raw, m.group(4).strip(), m.group(1).upper(), m.group(2) or "")
    if m := _OUTCOME.match(body):
        return _Line("outcome", raw, m.group(2).strip(), m.group(1))
    if m := _UNIT_TITLE.match(body):
        return _Line("unit_title", raw, m.group(1).strip())
    if _LABEL.match(body):
        return _Line("label", raw, body)
    m = _CRITERION_MID.match(body)
    if m and _words(m.group(1))[-1:] and _words(m.group(1))[-1] not in _NOT_BEFORE_CRITERION:
        prefix = re.sub(r"^\d{1,2}[.)]?\s+", "", m.group(1)).strip()
        return _Line("criterion", raw, m.group(4).strip(), m.group(2), m.group(3), prefix)
    if m := _OUTCOME_BARE.match(body):
        return _Line("bare", raw, body, m.group(1), m.group(2).strip())
    if heading:
        return _Line("heading", raw, body)
    return _Line("text", raw, body)


def _bare_outcomes_confirmed(lines: list[_Line]) -> set[int]:
    """A bare "2 Title" line is an outcome only if the next criterion is numbered 2.x."""
    confirmed: set[int] = set()
    for i, line in enumerate(lines):
        if line.kind != "bare":
            continue
        for later in lines[i + 1 :]:
            if later.kind == "criterion":
                if int(later.a) == int(line.a):
                    confirmed.add(i)
                break
            if later.kind in ("unit", "outcome", "bare"):
                break
    return confirmed


# ---- building --------------------------------------------------------------------------------


def _join(text: str, more: str) -> str:
    """Continue a text with its next line."""
    if not text:
        return more
    if re.search(r"[A-Za-z]-$", text):  # a word hyphenated across lines
        return text + more
    return f"{text} {more}"


def _clean_text(text: str) -> str:
    """One line, without the full stop a specification may end a criterion with."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".;, ").strip()


def _sentence_case(title: str) -> str:
    """A title in capitals, as the student guide prints them, in sentence case."""
    if title.isupper():
        title = title.lower()
    return title[:1].upper() + title[1:]


@dataclass
class _OutcomeBuilder:
    number: int
    title: str = ""
    raw: list[str] = field(default_factory=list)
    criteria: list[list[str]] = field(default_factory=list)  # [number, text]


@dataclass
class _UnitBuilder:
    number: str | None
    accreditation: str | None = None
    title: str = ""
    outcomes: list[_OutcomeBuilder] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    first_person: bool = False

    def outcome(self, number: int) -> _OutcomeBuilder:
        found = next((o for o in self.outcomes if o.number == number), None)
        if found is None:
            found = _OutcomeBuilder(number)
            self.outcomes.append(found)
        return found

    def has_criterion(self, number: str) -> bool:
        return any(c[0] == number for o in self.outcomes for c in o.criteria)


class _Parser:
    """A line-by-line reader: criteria and outcome titles continue until something else starts."""

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.confirmed = _bare_outcomes_confirmed(lines)
        self.units: list[_UnitBuilder] = [_UnitBuilder(None)]
        self.unit = self.units[0]
        self.outcome: _OutcomeBuilder | None = None
        self.criterion: list[str] | None = None
        self.title_open = False  # an outcome title just started: the next plain lines are its own
        self.title_pending = False  # a title split across the column ("… their job in"): it first
        self.want_unit_title = False

    def close(self) -> None:
        self.criterion = None
        self.title_open = self.title_pending = False

    def run(self) -> list[_UnitBuilder]:
        for i, line in enumerate(self.lines):
            if line.kind == "bare" and i in self.confirmed:
                line = _Line("outcome", line.raw, line.b, line.a)
            elif line.kind == "bare":  # "1 Hills Road": ordinary text after all
                line = _Line("text", line.raw, line.text)
            getattr(self, f"_{line.kind}")(line)
        return self.units

    def _blank(self, line: _Line) -> None:
        self.close()

    def _unit(self, line: _Line) -> None:
        self.close()
        self.outcome = None
        found = next((u for u in self.units if u.number == line.a), None)
        if found is None:
            found = _UnitBuilder(line.a)
            self.units.append(found)
        self.unit = found
        if line.b and not found.accreditation:
            found.accreditation = line.b
        if line.text and not found.title:
            found.title = _sentence_case(line.text)
        self.want_unit_title = not found.title

    def _unit_title(self, line: _Line) -> None:
        self.close()
        if line.text and not self.unit.title:
            self.unit.title = _sentence_case(line.text)
        else:
            self.unit.unplaced.append(line.raw)
            self.want_unit_title = not self.unit.title

    def _outcome(self, line: _Line) -> None:
        self.close()
        self.want_unit_title = False
        self.outcome = self.unit.outcome(int(line.a))
        self.outcome.raw.append(line.raw)
        if not self.outcome.title:
            self.outcome.title = line.text
        self.title_open = True

    def _criterion(self, line: _Line) -> None:
        self.want_unit_title = False
        number = f"{int(line.a)}.{int(line.b)}"
        new_outcome = self.outcome is None or self.outcome.number != int(line.a)
        if line.prefix and not new_outcome:
            self._text(_Line("text", line.prefix, line.prefix))
        self.close()
        if self.unit.has_criterion(number):
            self.unit.unplaced.append(line.raw)  # a repeated criterion: let the person decide
            return
        self.outcome = self.unit.outcome(int(line.a))
        if line.prefix and new_outcome:
            if self.outcome.title:
                self.unit.unplaced.append(line.prefix)
            else:
                self.outcome.title = line.prefix
                self.title_pending = looks_cut_off(line.prefix)
        self.criterion = [number, line.text]
        self.outcome.criteria.append(self.criterion)

    def _text(self, line: _Line) -> None:
        if self.want_unit_title:
            self.unit.title = _sentence_case(line.text)
            self.want_unit_title = False
        elif self.outcome is not None and self.title_pending:
            self.outcome.title = _join(self.outcome.title, line.text)
            self.title_pending = looks_cut_off(self.outcome.title)
        elif self.criterion is not None:
            self.criterion[1] = _join(self.criterion[1], line.text)
        elif self.outcome is not None and self.title_open:
            self.outcome.title = _join(self.outcome.title, line.text)
            self.outcome.raw.append(line.raw)
        else:
            self._unplaced(line)

    def _heading(self, line: _Line) -> None:
        if self.want_unit_title:
            self._text(line)
            return
        self.close()
        self._unplaced(line)

    def _label(self, line: _Line) -> None:
        self.close()
        if re.match(r"^(?:assessment\s+criteria[.:]?\s*)?i\s+can\b", line.text, re.I):
            self.unit.first_person = True
        self._unplaced(line)

    def _bullet(self, line: _Line) -> None:
        self.close()
        self._unplaced(line)

    def _unplaced(self, line: _Line) -> None:
        if not self.unit.outcomes and not self.unit.accreditation:
            if m := _ACCREDITATION.search(line.raw):
                self.unit.accreditation = m.group(0)
        self.unit.unplaced.append(line.raw)


# ---- the public face -------------------------------------------------------------------------


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
        by_title = [
            u
            for u in qualification.units
            if unit.title and _normal_title(u.title) == _normal_title(unit.title)
        ]
        if not unit.title:  # the title may sit among the lines before the outcomes
            titles = {_normal_title(line) for line in unit.unplaced}
            by_title = [u for u in qualification.units if _normal_title(u.title) in titles]
        candidates = by_accreditation or by_title
        if len(candidates) == 1:
            known = candidates[0]
            unit.number = known.number
            unit.title = unit.title or known.title
    if known is not None and not unit.accreditation:
        unit.accreditation = known.accreditation


def _draft(unit: _UnitBuilder) -> DraftUnit:
    """The finished draft of one unit, with statements, kinds and cut-off flags."""
    texts = [c[1] for o in unit.outcomes for c in o.criteria]
    third_person = (
        not unit.first_person
        and not any(_FIRST_PERSON.search(t) for t in texts)
        and any(_THIRD_PERSON.search(t) for t in texts)
    )
    outcomes: list[DraftOutcome] = []
    unplaced = list(unit.unplaced)
    for o in unit.outcomes:
        if not o.criteria:  # a heading with nothing under it: a list of outcomes, or a stray "1 …"
            unplaced.extend(o.raw)
            continue
        title = _clean_text(o.title)
        criteria = []
        for number, raw_text in o.criteria:
            text = _clean_text(raw_text)
            statement = first_person(to_first_person(text) if third_person else text)
            criteria.append(
                DraftCriterion(
                    number=number,
                    text=text,
                    statement=statement,
                    kind=criterion_kind(text, title),
                    truncated=looks_cut_off(raw_text),
                )
            )
        spoken = to_second_person(title) if third_person else ""
        outcomes.append(
            DraftOutcome(o.number, title, tuple(criteria), spoken if spoken != title else "")
        )
    return DraftUnit(
        number=unit.number,
        accreditation=unit.accreditation,
        title=_clean_text(unit.title),
        outcomes=tuple(outcomes),
        unplaced=tuple(unplaced),
    )


def draft_units(text: str, qualification: Qualification | None = None) -> list[DraftUnit]:
    """Every unit found in the text, in order; raise ImportProblem when there is none."""
    if not text or not text.strip():
        raise ImportProblem("the text is empty: paste the text of a unit specification")
    lines = [_classify(line) for line in _split_lines(text)]
    drafts = []
    for unit in _Parser(lines).run():
        if not any(c[0].endswith(".1") for o in unit.outcomes for c in o.criteria):
            continue  # pages before the first unit, a unit named but not specified, a stray "2.5 …"
        _match(unit, qualification)
        drafts.append(_draft(unit))
    if not drafts:
        raise ImportProblem(
            "no learning outcomes or assessment criteria found: is this a unit specification?"
        )
    return drafts


def _string(value: str) -> str:
    """A TOML basic string."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _comment(value: str) -> str:
    """Text safe inside a TOML comment."""
    return _CONTROL.sub(" ", value.replace("\n", " ").replace("\r", " ").replace("\t", " "))


def to_toml(unit: DraftUnit) -> str:
    """A draft unit file in the format of content/<q>/units/*.toml, for a person to check."""
    name = f"Unit {unit.number}" if unit.number else "Unit (number not found)"
    if unit.accreditation:
        name += f" ({unit.accreditation})"
    name += f", {unit.title or 'title not found'}"
    out = [
        f"# DRAFT made by the importer: {_comment(name)}.",
        "# Check every outcome and criterion against the specification before using this file.",
        '# Criteria with `uncertain = true` look cut off: their text ends in " …" and `seed_text`',
        "# keeps the words as found; complete them only where the specification makes it certain.",
    ]
    if not unit.number:
        out.append("# The unit number was not found: set it to its number in qualification.toml.")
    out.append(f"number = {_string(unit.number or '')}")
    source = ", ".join(x for x in ("Unit specification", unit.title) if x)
    if unit.accreditation:
        source += f" ({unit.accreditation})"
    out.append(f"source = {_string(source)}")
    for outcome in unit.outcomes:
        out += ["", "[[outcomes]]", f"number = {outcome.number}"]
        if not outcome.title:
            out.append("# The title of this outcome was not found: fill it in.")
        out.append(f"title = {_string(outcome.title)}")
        if outcome.learner_title:
            out.append(f"learner_title = {_string(outcome.learner_title)}")
        for c in outcome.criteria:
            out += ["", "[[outcomes.criteria]]", f"number = {_string(c.number)}"]
            if c.truncated:
                out += [
                    f"text = {_string(c.text + ELLIPSIS)}",
                    f"seed_text = {_string(c.text)}",
                    "uncertain = true",
                    'note = "The text looks cut off in the specification as pasted: check it."',
                    f"statement = {_string(c.statement + ELLIPSIS)}",
                ]
            else:
                out += [f"text = {_string(c.text)}", f"statement = {_string(c.statement)}"]
            out.append(f"kind = {_string(c.kind)}")
    if unit.unplaced:
        out += [
            "",
            "# ---- Lines the importer could not place (knowledge column, headings, notes).",
            "# Check whether any of them belong above.",
        ]
        out += [f"#   {_comment(line)}" for line in unit.unplaced]
    return "\n".join(out) + "\n"
