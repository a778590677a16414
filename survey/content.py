"""The qualification as data: load the TOML files of one qualification into frozen dataclasses."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

KINDS = ("knowledge", "performance")
ANSWERS = ("yes", "sometimes", "no")
RULE_KINDS = ("all_units", "credits", "units_each_group")
WEIGHT_NAMES = (
    "no_evidence",
    "some_evidence",
    "not_interested",
    "readiness_gap",
    "unknown_readiness",
    "credit",
    "unit",
)
# Identifiers that become web addresses (/check/B1), form field names (r-B1-1.1, c-writing)
# and page keys (B1-1, group-B): the one rule for each, applied by the loader
QUALIFICATION_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")  # also names its folder
QUALIFICATION_CODE_RULE = "must be 1 to 40 letters, digits, dots, dashes or underscores"
UNIT_NUMBER = re.compile(r"[A-Z0-9]{1,10}")
UNIT_NUMBER_RULE = "must be 1 to 10 capital letters and digits, e.g. B1 or 301"
GROUP_ID = re.compile(r"[A-Za-z0-9]{1,10}")
GROUP_ID_RULE = "must be 1 to 10 letters and digits, e.g. B"
CONTEXT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CONTEXT_ID_RULE = "must be lower-case words joined by dashes, e.g. face-to-face"
# verbs that make a criterion a knowledge criterion (DESIGN.md, "I can" statements)
KNOWLEDGE_VERBS = ("describe", "explain", "identify", "list", "state", "outline")
# how knowledge criteria are evidenced: they are never observed (seed, "Recording evidence")
KNOWLEDGE_METHODS = ("professional discussion", "questioning")
# funding profile kinds: the proportion still to deliver (adult funding), or an apprenticeship's
# off-the-job hours, price and duration
FUNDING_KINDS = ("proportion", "apprenticeship")
APPRENTICESHIP_LIMITS = ("price_reduction_share", "min_duration_months", "min_off_the_job_hours")
# the funding profiles shipped with the app, shared by every qualification
FUNDING = Path(__file__).resolve().parent.parent / "content" / "funding"
# the four-point rating scales of a qualification that names none of its own (one added in the
# browser, or imported from another publisher's CASE package)
DEFAULT_SCALES = {
    "performance": ["Not yet", "With help", "On my own", "Could show evidence now"],
    "knowledge": ["Not yet", "A little", "Could explain", "Could explain with examples"],
}
HOURS_PER_CREDIT = 10  # QCF: one credit is ten hours of notional learning


class ContentError(Exception):
    """A content file is missing, unreadable or wrong; the message names the file and the field."""

    def __init__(self, file: str | Path, field: str, problem: str) -> None:
        self.file = str(file)
        self.field = field
        self.problem = problem
        where = f"{self.file}: {field}" if field else self.file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Criterion:
    unit: str
    outcome: int
    number: str
    text: str
    statement: str
    kind: str
    help: tuple[str, ...] = ()
    seed_text: str = ""
    uncertain: bool = False
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.unit}:{self.number}"


@dataclass(frozen=True)
class Outcome:
    number: int
    title: str
    criteria: tuple[Criterion, ...]
    learner_title: str = ""  # spoken to the learner where `title` speaks of them ("their job")

    @property
    def heading(self) -> str:
        """The title as a learner reads it."""
        return self.learner_title or self.title

    @property
    def kind(self) -> str:
        kinds = {c.kind for c in self.criteria}
        return kinds.pop() if len(kinds) == 1 else "mixed"


@dataclass(frozen=True)
class Situation:
    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    simulation_allowed: bool | None = None
    notes: tuple[str, ...] = ()
    situations: tuple[Situation, ...] = ()


@dataclass(frozen=True)
class Guidance:
    term: str
    text: str
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One "I can" line a learner rates: a criterion, or a unit's single statement."""

    id: str
    unit: str
    text: str
    kind: str
    help: tuple[str, ...] = ()
    uncertain: bool = False


@dataclass(frozen=True)
class Unit:
    number: str
    accreditation: str
    title: str
    credits: int
    level: int
    group: str
    statement: str
    outcomes: tuple[Outcome, ...] = ()
    evidence: Evidence = field(default_factory=Evidence)
    guidance: tuple[Guidance, ...] = ()
    aim: str = ""
    source: str = ""

    @property
    def awaiting_criteria(self) -> bool:
        return not self.outcomes

    # derived values are worked out once: content never changes after loading
    @cached_property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for o in self.outcomes for c in o.criteria)

    @property
    def unit_statement_id(self) -> str:
        return f"{self.number}:unit"

    @cached_property
    def summary_statement(self) -> Statement:
        """The one unit-level statement, used where a page asks one statement a unit."""
        return Statement(self.unit_statement_id, self.number, self.statement, "performance")

    def statements(self) -> tuple[Statement, ...]:
        """The statements a learner rates for this unit: every criterion, or the unit statement."""
        return self._statements

    @cached_property
    def _statements(self) -> tuple[Statement, ...]:
        if self.awaiting_criteria:
            return (self.summary_statement,)
        return tuple(
            Statement(c.id, self.number, c.statement, c.kind, c.help, c.uncertain)
            for c in self.criteria
        )


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    mandatory: bool = False
    credits: int | None = None
    wording: str = ""

    @property
    def label(self) -> str:
        return f"Group {self.id} ({self.title})"


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    groups: tuple[str, ...]
    min: int = 0
    levels: tuple[int, ...] = ()
    wording: str = ""
    note: str = ""


@dataclass(frozen=True)
class JobRole:
    title: str
    level: int


@dataclass(frozen=True)
class Context:
    id: str
    label: str
    question: str
    units: tuple[str, ...]
    help: str = ""


@dataclass(frozen=True)
class Activity:
    """A workplace activity an assessor can observe, and the statements it can evidence.

    `context` is the job context it needs; empty means any customer service job has it.
    `evidences` holds performance criteria (`F1:2.2`) and, for units still without criteria,
    the unit-level statement (`A11:unit`). An `A11:unit` entry written before A11 had criteria
    stands for all A11's performance criteria: they are in `evidences`, and A11 in `whole_units`.
    """

    id: str
    title: str
    context: str
    evidences: tuple[str, ...]
    whole_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class FundingProfile:
    """Published funding rules for prior learning, as data (README, "The prior-learning ledger")."""

    id: str
    title: str
    kind: str
    source: str
    applies_from: date
    note: str = ""
    # apprenticeship only: the price falls by at least this share (percent) of the percentage of
    # off-the-job hours removed; duration and off-the-job hours never fall below these minimums
    price_reduction_share: int = 0
    min_duration_months: int = 0
    min_off_the_job_hours: int = 0


@dataclass(frozen=True)
class Weights:
    no_evidence: int = 1_000_000
    some_evidence: int = 10_000
    not_interested: int = 1_000
    readiness_gap: int = 10
    unknown_readiness: int = 15
    credit: int = 2
    unit: int = 1


@dataclass(frozen=True)
class Scales:
    performance: tuple[str, ...]
    knowledge: tuple[str, ...]

    def labels(self, kind: str) -> tuple[str, ...]:
        return self.knowledge if kind == "knowledge" else self.performance


class UnitNotFound(LookupError):
    """No unit of the qualification has that number; `units` are the ones it has."""

    def __init__(self, number: str, units: tuple[Unit, ...]) -> None:
        super().__init__(f"no unit {number!r}")
        self.number = number
        self.units = units


# compared and hashed by identity: one loaded qualification is one object (and a cache key)
@dataclass(frozen=True, eq=False)
class Qualification:
    code: str
    title: str
    short_title: str
    awarding_body: str
    level: int
    source: str
    groups: tuple[Group, ...]
    units: tuple[Unit, ...]
    rules: tuple[Rule, ...]
    roles: tuple[JobRole, ...]
    contexts: tuple[Context, ...]
    weights: Weights
    scales: Scales
    # when the content last changed; exports carry it so the same content exports the same bytes
    last_changed: datetime | None = None
    activities: tuple[Activity, ...] = ()
    knowledge_method: str = KNOWLEDGE_METHODS[0]
    # unit -> method, where a unit's knowledge is evidenced otherwise than `knowledge_method`
    knowledge_methods: Mapping[str, str] = field(default_factory=dict)
    hours_per_credit: int = HOURS_PER_CREDIT
    funding: tuple[FundingProfile, ...] = ()
    # statements of earlier versions of the content, by id, as they were worded then
    former: Mapping[str, Statement] = field(default_factory=dict, repr=False)
    _unit_index: dict[str, Unit] = field(default_factory=dict, repr=False, compare=False)
    _statement_index: dict[str, Statement] = field(default_factory=dict, repr=False, compare=False)
    _unit_any_case: dict[str, Unit] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._unit_index.update({u.number: u for u in self.units})
        self._unit_any_case.update({u.number.casefold(): u for u in self.units})
        self._statement_index.update({s.id: s for u in self.units for s in u.statements()})
        self._statement_index.update({u.unit_statement_id: u.summary_statement for u in self.units})

    @property
    def draft(self) -> bool:
        """No rules of combination yet: units may still lack credits, levels and accreditation."""
        return not self.rules

    def unit(self, number: str) -> Unit | None:
        """The unit with exactly this number, or None (for numbers the app itself wrote)."""
        return self._unit_index.get(number)

    def find_unit(self, number: str) -> Unit:
        """The unit a person or an address names, in any case ("b1" is B1); UnitNotFound if
        there is none. Every route that names a unit looks it up here."""
        found = self._unit_any_case.get(number.casefold())
        if found is None:
            raise UnitNotFound(number, self.units)
        return found

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def statement(self, statement_id: str) -> Statement | None:
        return self._statement_index.get(statement_id)

    def retired_statement(self, statement_id: str) -> Statement | None:
        """A statement no longer asked, as it was worded when answered; None if current or unknown.

        A unit's `UNIT:unit` once it has criteria is one; so is any statement of an earlier
        version of the content (`former`) that the current content no longer has.
        """
        current = self._statement_index.get(statement_id)
        if current is not None and current in self._unit_index[current.unit].statements():
            return None
        return self.former.get(statement_id, current)

    def units_named(self, numbers: Iterable[str]) -> tuple[Unit, ...]:
        """The units with these numbers, once each, in the qualification's order."""
        wanted = set(numbers)
        unknown = sorted(n for n in wanted if n not in self._unit_index)
        if unknown:
            raise ValueError(f"unknown unit {unknown[0]!r}")
        return tuple(u for u in self.units if u.number in wanted)

    def units_in(self, group_id: str) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.group == group_id)

    @cached_property
    def mandatory_units(self) -> tuple[Unit, ...]:
        mandatory = {g.id for g in self.groups if g.mandatory}
        return tuple(u for u in self.units if u.group in mandatory)

    @cached_property
    def optional_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if not g.mandatory)

    @cached_property
    def optional_units(self) -> tuple[Unit, ...]:
        mandatory = {g.id for g in self.groups if g.mandatory}
        return tuple(u for u in self.units if u.group not in mandatory)

    def role(self, title: str) -> JobRole | None:
        return next((r for r in self.roles if r.title == title), None)

    def context(self, context_id: str) -> Context | None:
        return next((c for c in self.contexts if c.id == context_id), None)

    def contexts_for(self, unit: str) -> tuple[Context, ...]:
        return self._contexts_by_unit.get(unit, ())

    @cached_property
    def _contexts_by_unit(self) -> dict[str, tuple[Context, ...]]:
        return {
            u.number: tuple(c for c in self.contexts if u.number in c.units) for u in self.units
        }

    def statements(self) -> Iterator[Statement]:
        for u in self.units:
            yield from u.statements()

    def activity(self, activity_id: str) -> Activity | None:
        return next((a for a in self.activities if a.id == activity_id), None)

    def method_for_knowledge(self, unit: str) -> str:
        """How a unit's knowledge criteria are evidenced: professional discussion or questioning."""
        return self.knowledge_methods.get(unit, self.knowledge_method)

    def funding_profile(self, profile_id: str) -> FundingProfile | None:
        return next((f for f in self.funding if f.id == profile_id), None)


def first_person(text: str) -> str:
    """Turn a criterion into an "I can" statement."""
    text = text.strip().rstrip(".")
    if not text:
        return text
    return "I can " + text[0].lower() + text[1:]


def criteria_ranges(unit: Unit, numbers: Iterable[str]) -> str:
    """Criterion numbers as short text, runs within a learning outcome joined: "1.1, 1.4–1.6".

    A run is criteria next to each other in the unit's own order, so "2.9, 2.10" is "2.9–2.10".
    """
    position = {c.number: (c.outcome, i) for i, c in enumerate(unit.criteria)}
    wanted = sorted({n for n in numbers if n in position}, key=position.__getitem__)
    runs: list[list[str]] = []
    for n in wanted:
        outcome, i = position[n]
        if runs and position[runs[-1][-1]] == (outcome, i - 1):
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def criterion_kind(text: str, outcome_title: str = "") -> str:
    """Knowledge for a "Know how to …" outcome or a criterion starting with a knowledge verb."""
    if outcome_title.strip().lower().startswith(("know ", "understand ")):
        return "knowledge"
    words = text.strip().split()
    return "knowledge" if words and words[0].lower() in KNOWLEDGE_VERBS else "performance"


# ---- reading and checking ------------------------------------------------------------------


class Reader:
    """Typed access to one parsed TOML table, raising ContentError with the field's path.

    `file` only names where the data came from in messages: a path, or a label such as
    "03455.json (as qualification.toml)" for data that never was a file.
    """

    def __init__(self, file: str | Path, data: dict[str, Any], path: str = "") -> None:
        self.file = file
        self.data = data
        self.path = path

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, problem: str) -> ContentError:
        return ContentError(self.file, self._name(key) if key else self.path, problem)

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.data:
            if required:
                raise self.error(key, "is missing")
            return None
        return self.data[key]

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.error(key, f"must be text, not {type(value).__name__}")
        if required and not value.strip():
            raise self.error(key, "is empty")
        return value.strip()

    def identifier(self, key: str, pattern: re.Pattern[str], rule: str) -> str:
        value = self.text(key)
        if not pattern.fullmatch(value) or len(value) > 60:
            raise self.error(key, f"{value!r} {rule}")
        return value

    def integer(
        self, key: str, required: bool = True, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, not {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.error(key, f"must be between {low} and {high}, not {value}")
        return value

    def boolean(self, key: str, default: bool | None = None) -> bool | None:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {value!r}")
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of text")
        for i, v in enumerate(value):
            if not v.strip():
                raise self.error(f"{key}[{i}]", "is empty")
        return tuple(v.strip() for v in value)

    def tables(self, key: str, required: bool = False) -> list[Reader]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "must be a list of tables ([[" + key + "]])")
        if required and not value:
            raise self.error(key, "is empty")
        return [Reader(self.file, v, f"{self._name(key)}[{i}]") for i, v in enumerate(value)]

    def moment(self, key: str) -> datetime | None:
        """A TOML date-time with its offset (2025-06-01T09:00:00Z), or a date (UTC midnight)."""
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise self.error(key, "needs a time zone, e.g. 2025-06-01T09:00:00Z")
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        raise self.error(key, f"must be a date and time like 2025-06-01T09:00:00Z, not {value!r}")

    def table(self, key: str) -> Reader | None:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(key, "must be a table")
        return Reader(self.file, value, self._name(key))


def parse_toml(text: str, file: str | Path) -> dict[str, Any]:
    """TOML text as data; a ContentError naming `file` when it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ContentError(file, "", f"not valid TOML ({e})") from None
    except RecursionError:  # tomllib recurses once per level of [ or {
        raise ContentError(file, "", "not valid TOML (nested too deeply)") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ContentError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ContentError(path, "", f"cannot be read ({e})") from None
    return parse_toml(text, path)


# the files of a qualification folder besides units/*.toml
FOLDER_FILES = ("qualification.toml", "roles.toml", "contexts.toml", "activities.toml")


class _Layers:
    """A qualification's files: texts not yet written over a folder over the folder beneath it.

    A file hides the same file lower down; a unit file hides any lower file of the same unit.
    """

    def __init__(self, folder: Path, base: Path | None, files: Mapping[str, str | None]) -> None:
        self.top = folder
        self.layers: list[Mapping[str, str | Path | None]] = [files]
        self.folders = [f for f in (folder, base) if f is not None and f.is_dir()]
        for f in self.folders:
            names = [n for n in FOLDER_FILES if (f / n).is_file()]
            names += [f"units/{p.name}" for p in sorted((f / "units").glob("*.toml"))]
            self.layers.append({n: f / n for n in names})
        if not files and not self.folders:
            raise ContentError(folder, "", "content folder not found")

    def _reader(self, name: str, value: str | Path | None) -> Reader | None:
        if value is None:
            return None
        if isinstance(value, Path):
            return Reader(value, _read_toml(value))
        return Reader(self.top / name, parse_toml(value, self.top / name))

    def find(self, name: str) -> Reader | None:
        for layer in self.layers:
            if name in layer:
                return self._reader(name, layer[name])
        return None

    def read(self, name: str) -> Reader:
        found = self.find(name)
        if found is None:
            home = self.folders[0] if self.folders else self.top
            raise ContentError(home / name, "", "file not found")
        return found

    def unit_files(self) -> list[Reader]:
        seen: set[str] = set()
        chosen: dict[str, Reader] = {}
        for layer in self.layers:
            here: dict[str, Reader] = {}
            for name in sorted(n for n in layer if n.startswith("units/") and n not in seen):
                seen.add(name)
                r = self._reader(name, layer[name])
                if r is None:
                    continue
                number = r.text("number")
                if number in here:
                    raise r.error("number", f"unit {number} is described by two files")
                here[number] = r
            for number, r in here.items():
                chosen.setdefault(number, r)
        return list(chosen.values())


def load_qualification(
    folder: str | Path,
    funding_folder: str | Path | None = None,
    *,
    base: str | Path | None = None,
    files: Mapping[str, str | None] | None = None,
    former: Mapping[str, Statement] | None = None,
) -> Qualification:
    """Load and validate one qualification folder; raise ContentError on the first problem.

    `base` is a folder beneath it (the shipped files of a qualification a centre changes): a
    file of `folder` takes precedence over the same file of `base`, and a unit file over any
    file of `base` for the same unit, so `folder` holds only what it changes and may be absent.
    `files` (a path within the folder, e.g. "units/B1.toml", to its text, or to None for "no
    such file") takes precedence over both: content checked before it is written, whose
    messages name the path it would have in `folder`. `former` gives the statements of earlier
    versions (Qualification.retired_statement).

    The funding profiles it names are read from `funding_folder` if given, else from the
    `funding` folder beside it (or beside `base`), else from the shipped content/funding, where
    qualifications share them (a qualification added under the instance folder uses the
    shipped ones).
    """
    folder = Path(folder)
    below = Path(base) if base is not None else None
    layers = _Layers(folder, below, files or {})
    main = layers.read("qualification.toml")
    unit_files = layers.unit_files()
    beside = [f.parent / "funding" for f in (folder, below) if f is not None]
    folders = (Path(funding_folder),) if funding_folder else (*dict.fromkeys(beside), FUNDING)
    return qualification_from_data(
        main,
        unit_files,
        layers.read("roles.toml"),
        layers.read("contexts.toml"),
        layers.find("activities.toml"),
        folders,
        former,
    )


def qualification_from_data(
    q: Reader,
    unit_files: list[Reader],
    roles_file: Reader,
    contexts_file: Reader,
    activities_file: Reader | None = None,
    funding_folders: Iterable[Path] = (),
    former: Mapping[str, Statement] | None = None,
) -> Qualification:
    """Validate a qualification given as the parsed content of its files (see load_qualification).

    Data from elsewhere (a CASE package) goes through the same checks as the TOML files.
    """
    # a qualification whose rules are still to be entered (one imported from CASE, say) is a
    # draft: the catalogue facts only the rules use may wait until the rules are entered
    draft = not q.data.get("rules")
    groups = _groups(q)
    group_ids = {g.id for g in groups}
    catalogue = _catalogue(q, group_ids, draft)
    details = _unit_files(unit_files, catalogue)
    units = tuple(details.get(u.number, u) for u in catalogue)
    if not draft:
        _check_group_credits(q, groups, units)
    rules = _rules(q, group_ids, {u.number for u in units})
    roles = _roles(roles_file)
    contexts = _contexts(contexts_file, {u.number for u in units})
    activities, knowledge_method, knowledge_methods = _activities(activities_file, units, contexts)
    hours_per_credit, funding = _ledger_settings(q, funding_folders)
    return Qualification(
        code=q.identifier("code", QUALIFICATION_CODE, QUALIFICATION_CODE_RULE),
        title=q.text("title"),
        short_title=q.text("short_title", required=False) or q.text("title"),
        awarding_body=q.text("awarding_body", required=False),
        level=q.integer("level", required=not draft, low=1, high=8) or 0,
        source=q.text("source", required=False),
        groups=groups,
        units=units,
        rules=rules,
        roles=roles,
        contexts=contexts,
        weights=_weights(q),
        scales=_scales(q),
        last_changed=q.moment("last_changed"),
        activities=activities,
        knowledge_method=knowledge_method,
        knowledge_methods=knowledge_methods,
        hours_per_credit=hours_per_credit,
        funding=funding,
        former=dict(former or {}),
    )


def _groups(q: Reader) -> tuple[Group, ...]:
    groups: list[Group] = []
    for g in q.tables("groups", required=True):
        gid = g.identifier("id", GROUP_ID, GROUP_ID_RULE)
        if any(x.id == gid for x in groups):
            raise g.error("id", f"duplicate group {gid!r}")
        groups.append(
            Group(
                id=gid,
                title=g.text("title"),
                mandatory=bool(g.boolean("mandatory", False)),
                credits=g.integer("credits", required=False, low=1, high=1000),
                wording=g.text("wording", required=False),
            )
        )
    return tuple(groups)


def _catalogue(q: Reader, group_ids: set[str], draft: bool) -> list[Unit]:
    units: list[Unit] = []
    seen: dict[str, str] = {}
    for u in q.tables("units", required=True):
        number = u.identifier("number", UNIT_NUMBER, UNIT_NUMBER_RULE)
        if number in seen:
            raise u.error("number", f"duplicate unit number {number!r}")
        accreditation = u.text("accreditation", required=not draft)
        if accreditation and accreditation in seen.values():
            raise u.error("accreditation", f"duplicate accreditation number {accreditation!r}")
        seen[number] = accreditation
        group = u.text("group")
        if group not in group_ids:
            raise u.error("group", f"unknown group {group!r}")
        title = u.text("title")
        units.append(
            Unit(
                number=number,
                accreditation=accreditation,
                title=title,
                credits=u.integer("credits", required=not draft, low=1, high=100) or 0,
                level=u.integer("level", required=not draft, low=1, high=8) or 0,
                group=group,
                statement=u.text("statement", required=False) or first_person(title),
            )
        )
    return units


def _check_group_credits(q: Reader, groups: tuple[Group, ...], units: tuple[Unit, ...]) -> None:
    """A mandatory group's declared credits must match its units: a unit credited wrongly shows."""
    for i, g in enumerate(groups):
        if g.mandatory and g.credits is not None:
            total = sum(u.credits for u in units if u.group == g.id)
            if total != g.credits:
                raise ContentError(
                    q.file,
                    f"groups[{i}].credits",
                    f"group {g.id} declares {g.credits} credits but its units add up to {total}",
                )


def _rules(q: Reader, group_ids: set[str], unit_numbers: set[str]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for r in q.tables("rules"):
        rid = r.text("id")
        if any(x.id == rid for x in rules):
            raise r.error("id", f"duplicate rule {rid!r}")
        kind = r.text("kind")
        if kind not in RULE_KINDS:
            raise r.error(
                "kind", f"unknown kind {kind!r} (expected one of {', '.join(RULE_KINDS)})"
            )
        groups = r.texts("groups", required=True)
        if not groups:
            raise r.error("groups", "is empty")
        for i, gid in enumerate(groups):
            if gid not in group_ids:
                raise r.error(f"groups[{i}]", f"unknown group {gid!r}")
        for i, number in enumerate(r.texts("units")):
            if number not in unit_numbers:
                raise r.error(f"units[{i}]", f"unknown unit {number!r}")
        levels_raw = r.data.get("levels", [])
        if not isinstance(levels_raw, list) or not all(
            isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 8 for x in levels_raw
        ):
            raise r.error("levels", "must be a list of levels from 1 to 8")
        minimum = r.integer("min", required=kind != "all_units", low=1, high=10000) or 0
        rules.append(
            Rule(
                id=rid,
                kind=kind,
                groups=groups,
                min=minimum,
                levels=tuple(levels_raw),
                wording=r.text("wording", required=False),
                note=r.text("note", required=False),
            )
        )
    return tuple(rules)


def _unit_files(unit_files: list[Reader], catalogue: list[Unit]) -> dict[str, Unit]:
    by_number = {u.number: u for u in catalogue}
    loaded: dict[str, Unit] = {}
    for r in unit_files:
        number = r.text("number")
        if number not in by_number:
            raise r.error("number", f"unknown unit {number!r}: add it to qualification.toml first")
        if number in loaded:
            raise r.error("number", f"unit {number} is described by two files")
        loaded[number] = _unit_detail(r, by_number[number])
    return loaded


def _unit_detail(r: Reader, base: Unit) -> Unit:
    guidance = tuple(
        Guidance(term=g.text("term"), text=g.text("text"), criteria=g.texts("criteria"))
        for g in r.tables("guidance")
    )
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for o in r.tables("outcomes", required=True):
        number = o.integer("number", low=1, high=99) or 0
        if any(x.number == number for x in outcomes):
            raise o.error("number", f"duplicate learning outcome {number}")
        criteria: list[Criterion] = []
        for c in o.tables("criteria", required=True):
            cnum = c.text("number")
            if cnum in seen:
                raise c.error("number", f"duplicate criterion {cnum!r}")
            seen.add(cnum)
            if not cnum.startswith(f"{number}."):
                raise c.error("number", f"criterion {cnum!r} does not belong to outcome {number}")
            text = c.text("text")
            kind = c.text("kind")
            if kind not in KINDS:
                raise c.error("kind", f"must be knowledge or performance, not {kind!r}")
            helps = [g.text for g in guidance if cnum in g.criteria]
            own_help = c.text("help", required=False)
            if own_help:
                helps.insert(0, own_help)
            criteria.append(
                Criterion(
                    unit=base.number,
                    outcome=number,
                    number=cnum,
                    text=text,
                    statement=c.text("statement", required=False) or first_person(text),
                    kind=kind,
                    help=tuple(helps),
                    seed_text=c.text("seed_text", required=False),
                    uncertain=bool(c.boolean("uncertain", False)),
                    note=c.text("note", required=False),
                )
            )
        outcomes.append(
            Outcome(
                number=number,
                title=o.text("title"),
                criteria=tuple(criteria),
                learner_title=o.text("learner_title", required=False),
            )
        )
    for i, g in enumerate(guidance):
        for j, cnum in enumerate(g.criteria):
            if cnum not in seen:
                raise ContentError(
                    r.file, f"guidance[{i}].criteria[{j}]", f"unknown criterion {cnum!r}"
                )
    ev = r.table("evidence")
    evidence = Evidence()
    if ev is not None:
        evidence = Evidence(
            simulation_allowed=ev.boolean("simulation_allowed"),
            notes=ev.texts("notes"),
            situations=tuple(
                Situation(heading=s.text("heading"), items=s.texts("items", required=True))
                for s in ev.tables("situations")
            ),
        )
    return Unit(
        number=base.number,
        accreditation=base.accreditation,
        title=base.title,
        credits=base.credits,
        level=base.level,
        group=base.group,
        statement=base.statement,
        outcomes=tuple(outcomes),
        evidence=evidence,
        guidance=guidance,
        aim=r.text("aim", required=False),
        source=r.text("source", required=False),
    )


def _roles(r: Reader) -> tuple[JobRole, ...]:
    roles: list[JobRole] = []
    for block in r.tables("roles"):
        level = block.integer("level", low=1, high=8) or 0
        for title in block.texts("titles", required=True):
            if any(x.title == title for x in roles):
                raise block.error("titles", f"duplicate job role {title!r}")
            roles.append(JobRole(title=title, level=level))
    return tuple(roles)


def _contexts(r: Reader, unit_numbers: set[str]) -> tuple[Context, ...]:
    contexts: list[Context] = []
    for c in r.tables("contexts"):
        cid = c.identifier("id", CONTEXT_ID, CONTEXT_ID_RULE)
        if any(x.id == cid for x in contexts):
            raise c.error("id", f"duplicate context {cid!r}")
        units = c.texts("units", required=True)
        for i, number in enumerate(units):
            if number not in unit_numbers:
                raise c.error(f"units[{i}]", f"unknown unit {number!r}")
        contexts.append(
            Context(
                id=cid,
                label=c.text("label"),
                question=c.text("question"),
                units=units,
                help=c.text("help", required=False),
            )
        )
    return tuple(contexts)


def _activities(
    r: Reader | None, units: tuple[Unit, ...], contexts: tuple[Context, ...]
) -> tuple[tuple[Activity, ...], str, dict[str, str]]:
    """activities.toml, if there is one: the workplace activities and what each can evidence."""
    if r is None:
        return (), KNOWLEDGE_METHODS[0], {}
    by_number = {u.number: u for u in units}
    criteria = {c.id: c for u in units for c in u.criteria}
    context_ids = {c.id for c in contexts}
    activities: list[Activity] = []
    for a in r.tables("activities", required=True):
        aid = a.text("id")
        if any(x.id == aid for x in activities):
            raise a.error("id", f"duplicate activity {aid!r}")
        context = a.text("context", required=False)
        if context and context not in context_ids:
            raise a.error("context", f"unknown context {context!r}")
        evidences = a.texts("evidences", required=True)
        if not evidences:
            raise a.error("evidences", "is empty")
        shown: dict[str, None] = {}  # in order, once each
        whole: list[str] = []
        for i, sid in enumerate(evidences):
            problem = _observable_problem(sid, by_number, criteria)
            if problem:
                raise a.error(f"evidences[{i}]", problem)
            if sid in evidences[:i]:
                raise a.error(f"evidences[{i}]", f"{sid!r} is listed twice")
            number, _, part = sid.partition(":")
            if part == "unit" and not by_number[number].awaiting_criteria:
                # written before the unit had criteria: it stands for all it can show
                whole.append(number)
                shown.update(
                    (c.id, None) for c in by_number[number].criteria if c.kind == "performance"
                )
            else:
                shown[sid] = None
        activities.append(
            Activity(aid, a.text("title"), context, tuple(shown), whole_units=tuple(whole))
        )
    method, methods = KNOWLEDGE_METHODS[0], {}
    k = r.table("knowledge")
    if k is not None:
        method = _knowledge_method(k, "method")
        per_unit = k.table("units") or Reader(r.file, {})
        for number in per_unit.data:
            if number not in by_number:
                raise per_unit.error(number, f"unknown unit {number!r}")
            methods[number] = _knowledge_method(per_unit, number)
    return tuple(activities), method, methods


def _observable_problem(
    sid: str, by_number: Mapping[str, Unit], criteria: Mapping[str, Criterion]
) -> str:
    """Why a statement id cannot be listed for observation, or "" when it can."""
    number, _, part = sid.partition(":")
    unit = by_number.get(number)
    if unit is None or not part:
        return f"unknown statement {sid!r} (expected UNIT:CRITERION or UNIT:unit)"
    if part == "unit":
        return ""
    criterion = criteria.get(sid)
    if criterion is None:
        return f"unknown criterion {sid!r}"
    if criterion.kind == "knowledge":
        return f"{sid} is a knowledge criterion: it is evidenced by discussion, not observed"
    return ""


def _knowledge_method(r: Reader, key: str) -> str:
    value = r.text(key)
    if value not in KNOWLEDGE_METHODS:
        raise r.error(key, f"must be one of {', '.join(KNOWLEDGE_METHODS)}, not {value!r}")
    return value


def _ledger_settings(
    q: Reader, funding_folders: Iterable[Path]
) -> tuple[int, tuple[FundingProfile, ...]]:
    """[ledger] in qualification.toml: hours per credit and the funding profiles that apply."""
    ledger = q.table("ledger")
    if ledger is None:
        return HOURS_PER_CREDIT, ()
    for key in ledger.data:
        if key not in ("hours_per_credit", "funding"):
            raise ledger.error(key, "unknown setting (expected hours_per_credit or funding)")
    hours = ledger.integer("hours_per_credit", required=False, low=1, high=1000)
    profiles: list[FundingProfile] = []
    for i, pid in enumerate(ledger.texts("funding")):
        if any(p.id == pid for p in profiles):
            raise ledger.error(f"funding[{i}]", f"{pid!r} is listed twice")
        found = [f / f"{pid}.toml" for f in funding_folders if (f / f"{pid}.toml").is_file()]
        if not found:
            raise ledger.error(f"funding[{i}]", f"unknown funding profile {pid!r}")
        profiles.append(load_funding_profile(found[0]))
    return hours or HOURS_PER_CREDIT, tuple(profiles)


def load_funding_profile(path: str | Path) -> FundingProfile:
    """One funding profile file; its id is the file's name without .toml."""
    path = Path(path)
    r = Reader(path, _read_toml(path))
    known = ("title", "kind", "source", "applies_from", "note", *APPRENTICESHIP_LIMITS)
    for key in r.data:
        if key not in known:
            raise r.error(key, f"unknown setting (expected one of {', '.join(known)})")
    kind = r.text("kind")
    if kind not in FUNDING_KINDS:
        raise r.error("kind", f"must be one of {', '.join(FUNDING_KINDS)}, not {kind!r}")
    applies_from = r.data.get("applies_from")
    if applies_from is None:
        raise r.error("applies_from", "is missing")
    if not isinstance(applies_from, date) or isinstance(applies_from, datetime):
        raise r.error("applies_from", f"must be a date like 2025-08-01, not {applies_from!r}")
    limits = {}
    for key, low, high in zip(APPRENTICESHIP_LIMITS, (1, 1, 1), (100, 120, 10_000)):
        if kind == "apprenticeship":
            limits[key] = r.integer(key, low=low, high=high)
        elif key in r.data:
            raise r.error(key, 'is only used by kind = "apprenticeship"')
    return FundingProfile(
        id=path.stem,
        title=r.text("title"),
        kind=kind,
        source=r.text("source"),
        applies_from=applies_from,
        note=r.text("note", required=False),
        **limits,  # type: ignore[arg-type]
    )


def _weights(q: Reader) -> Weights:
    w = q.table("weights")
    if w is None:
        return Weights()
    for key in w.data:
        if key not in WEIGHT_NAMES:
            raise w.error(key, f"unknown weight (expected one of {', '.join(WEIGHT_NAMES)})")
    values = {k: w.integer(k, required=False, low=0, high=10**9) for k in WEIGHT_NAMES}
    return Weights(**{k: v for k, v in values.items() if v is not None})


def _scales(q: Reader) -> Scales:
    s = q.table("scales")
    if s is None:
        raise ContentError(q.file, "scales", "is missing")
    performance = s.texts("performance", required=True)
    knowledge = s.texts("knowledge", required=True)
    for key, labels in (("performance", performance), ("knowledge", knowledge)):
        if len(labels) != 4:
            raise s.error(key, f"must have 4 labels (0 to 3), not {len(labels)}")
    return Scales(performance=performance, knowledge=knowledge)


def summary(q: Qualification) -> dict[str, int]:
    """Counts for `content check`."""
    return {
        "groups": len(q.groups),
        "units": len(q.units),
        "units with criteria": sum(1 for u in q.units if not u.awaiting_criteria),
        "learning outcomes": sum(len(u.outcomes) for u in q.units),
        "criteria": sum(len(u.criteria) for u in q.units),
        "uncertain criteria": sum(1 for u in q.units for c in u.criteria if c.uncertain),
        "statements": sum(1 for _ in q.statements()),
        "rules": len(q.rules),
        "job roles": len(q.roles),
        "job contexts": len(q.contexts),
        "activities": len(q.activities),
        "funding profiles": len(q.funding),
    }


def export(q: Qualification) -> dict[str, Any]:
    """The whole qualification as plain data, for `content export` and the JSON endpoint."""
    return {
        "code": q.code,
        "title": q.title,
        "awarding_body": q.awarding_body,
        "level": q.level,
        "source": q.source,
        "rules": [
            {
                "id": r.id,
                "kind": r.kind,
                "groups": list(r.groups),
                "min": r.min,
                "levels": list(r.levels),
                "wording": r.wording,
                "note": r.note,
            }
            for r in q.rules
        ],
        "groups": [
            {
                "id": g.id,
                "title": g.title,
                "mandatory": g.mandatory,
                "credits": g.credits,
                "wording": g.wording,
                "units": [u.number for u in q.units_in(g.id)],
            }
            for g in q.groups
        ],
        "units": [_export_unit(q, u) for u in q.units],
        "job_roles": [{"title": r.title, "level": r.level} for r in q.roles],
        "contexts": [
            {
                "id": c.id,
                "label": c.label,
                "question": c.question,
                "help": c.help,
                "answers": list(ANSWERS),
                "units": list(c.units),
            }
            for c in q.contexts
        ],
        "scales": {
            "performance": list(q.scales.performance),
            "knowledge": list(q.scales.knowledge),
        },
        "weights": dict(q.weights.__dict__),
        "activities": [
            {
                "id": a.id,
                "title": a.title,
                "context": a.context,
                "method": "observation",
                "evidences": list(a.evidences),
            }
            for a in q.activities
        ],
        "knowledge": {"method": q.knowledge_method, "units": dict(q.knowledge_methods)},
        "ledger": {
            "hours_per_credit": q.hours_per_credit,
            "funding": [
                {
                    "id": f.id,
                    "title": f.title,
                    "kind": f.kind,
                    "source": f.source,
                    "applies_from": f.applies_from.isoformat(),
                    "note": f.note,
                    **(
                        {k: getattr(f, k) for k in APPRENTICESHIP_LIMITS}
                        if f.kind == "apprenticeship"
                        else {}
                    ),
                }
                for f in q.funding
            ],
        },
    }


def _export_unit(q: Qualification, u: Unit) -> dict[str, Any]:
    return {
        "number": u.number,
        "accreditation": u.accreditation,
        "title": u.title,
        "credits": u.credits,
        "level": u.level,
        "group": u.group,
        "statement": u.statement,
        "awaiting_criteria": u.awaiting_criteria,
        "aim": u.aim,
        "contexts": [c.id for c in q.contexts_for(u.number)],
        "outcomes": [
            {
                "number": o.number,
                "title": o.title,
                "learner_title": o.learner_title,
                "criteria": [
                    {
                        "id": c.id,
                        "number": c.number,
                        "text": c.text,
                        "statement": c.statement,
                        "kind": c.kind,
                        "help": list(c.help),
                        "uncertain": c.uncertain,
                        "seed_text": c.seed_text,
                        "note": c.note,
                    }
                    for c in o.criteria
                ],
            }
            for o in u.outcomes
        ],
        "evidence": {
            "simulation_allowed": u.evidence.simulation_allowed,
            "notes": list(u.evidence.notes),
            "situations": [
                {"heading": s.heading, "items": list(s.items)} for s in u.evidence.situations
            ],
        },
        "guidance": [
            {"term": g.term, "text": g.text, "criteria": list(g.criteria)} for g in u.guidance
        ],
    }
