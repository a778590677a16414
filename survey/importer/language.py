"""The reader's English: does a text look cut short, the first person, hyphens at line ends."""

from __future__ import annotations

import re

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
    # relative and linking words that always have more to come
    "when",
    "where",
    "whereby",
    "while",
    "whose",
    "which",
    "including",
    "such",
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


def speaks_of_the_learner(texts: list[str]) -> bool:
    """True when criteria speak of the learner in the third person and never say "I" or "my"."""
    return not any(_FIRST_PERSON.search(t) for t in texts) and any(
        _THIRD_PERSON.search(t) for t in texts
    )


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
    for rule, words in table:
        text = re.sub(rule, words, text, flags=re.I)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


# ---- words hyphenated across lines -------------------------------------------------------

# endings that are never words on their own: "organi-" + "sation", "commu-" + "nicate"
_SUFFIX_PIECE = re.compile(
    r"^[a-z]{0,3}(?:tion|sion|ion|ment|ness|ing|ity|ities|ance|ence|able|ible|ism|ist|ure|ous|ive"
    r"|ate|ates|ated|ating|ise|ised|ising|ize|ized|izing|al|ally|ular)s?$"
)
_KEEP_BEFORE = {"self", "well", "non", "co", "re", "pre", "post", "up", "to", "face", "on", "e"}


def hyphen_belongs(before: str, after: str, known: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether "before-" at a line's end and "after" on the next form one hyphenated word.

    `known` holds the lower-case words of the whole text: a word printed whole elsewhere
    ("organisation") settles it, and so does the hyphenated form ("customer-friendly").
    """
    b, a = before.lower(), after.lower()
    if f"{b}{a}" in known:
        return False
    if f"{b}-{a}" in known or not a[:1].islower() or b in _KEEP_BEFORE or "-" in b:
        return True
    if len(b) < 2 or not b.isalpha() or not a.isalpha():
        return True
    return _SUFFIX_PIECE.match(a) is None
