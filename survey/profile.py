"""What the planner knows about one learner, built in one place; pure Python, no Flask.

A Profile is frozen and hashable (its mappings are FrozenMaps), so the planner can remember
its suggestions per profile as they are. The job's answers are the workplace's where it gave
one, else the learner's (NVQ evidence comes from the real job); the workplace's own answers are
kept beside them, so a reason can say who confirmed what. Three doors lead to one: a learner's
saved answers (`learner_profile`, for the learner's and the assessor's pages), a JSON profile
given to `flask plan` (`read_profile`, checked field by field), and tests or benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .content import ANSWERS, Qualification
from .evidence_plan import job_answers
from .scoring import RATINGS, readiness

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only mapping that can be hashed: equal to any mapping with the same items."""

    __slots__ = ("_items", "_hash")

    def __init__(self, items: Mapping[K, V] | None = None) -> None:
        self._items: dict[K, V] = dict(items or {})
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._items.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"


def _frozen(value: Mapping[K, V]) -> FrozenMap[K, V]:
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


@dataclass(frozen=True)
class Profile:
    """What the planner knows about one learner."""

    job_role: str = ""
    contexts: Mapping[str, str] = field(default_factory=FrozenMap)  # question id -> answer
    readiness: Mapping[str, float | None] = field(default_factory=FrozenMap)  # unit -> 0-3
    interests: frozenset[str] = frozenset()
    exclusions: frozenset[str] = frozenset()
    ratings: Mapping[str, int] = field(default_factory=FrozenMap)  # statement id -> 0-3
    # the workplace's own answers about the job (already counted in `contexts`), and how the
    # learner's pages speak of whoever gave them ("your manager")
    workplace: Mapping[str, str] = field(default_factory=FrozenMap)
    workplace_by: str = ""

    def __post_init__(self) -> None:
        # whatever mappings and sets it was given, it keeps frozen copies: hashable, unchanging
        for name in ("contexts", "readiness", "ratings", "workplace"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        for name in ("interests", "exclusions"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))

    @classmethod
    def from_ratings(cls, q: Qualification, ratings: Mapping[str, int], **kwargs: Any) -> Profile:
        """A profile whose readiness comes from per-statement ratings."""
        return cls(readiness=readiness(q, ratings), ratings=ratings, **kwargs)


def learner_profile(
    q: Qualification,
    learner: Mapping[str, Any],
    ratings: Mapping[str, int],
    contexts: Mapping[str, str],
    interests: frozenset[str] | set[str],
    workplace: Mapping[str, str] | None = None,
    workplace_by: str = "",
) -> Profile:
    """A learner's profile from their saved answers; their own words for their job, if any.

    `workplace` is the workplace's answers about the job (survey/workplace.py: workplace_job):
    where it gave one, it counts as the job's answer, the learner's "no" included.
    """
    job_role = learner["job_role_other"] or learner["job_role"]
    return Profile.from_ratings(
        q,
        ratings,
        job_role=job_role,
        contexts=job_answers(contexts, workplace),
        interests=frozenset(interests),
        workplace=workplace or {},
        workplace_by=workplace_by,
    )


class ProfileError(ValueError):
    """A JSON profile that is not one: the message names the field and the problem."""


PROFILE_FIELDS = (
    "job_role",
    "contexts",
    "workplace",
    "ratings",
    "readiness",
    "interests",
    "exclusions",
)


def read_profile(q: Qualification, data: Any) -> Profile:
    """Check a plan profile (parsed JSON) and turn it into a Profile; ProfileError if wrong."""
    if not isinstance(data, dict):
        raise ProfileError("the profile must be a JSON object")
    for key in data:
        if key not in PROFILE_FIELDS:
            known = ", ".join(sorted(PROFILE_FIELDS))
            raise ProfileError(f"unknown field {key!r} (expected {known})")
    role = data.get("job_role", "")
    if not isinstance(role, str):
        raise ProfileError("job_role must be text")
    contexts, workplace = (_contexts(q, data, key) for key in ("contexts", "workplace"))
    ratings = data.get("ratings", {})
    if not isinstance(ratings, dict):
        raise ProfileError("ratings must be an object of statement id to 0-3")
    for key, value in ratings.items():
        if q.statement(key) is None:
            raise ProfileError(f"unknown statement {key!r}")
        if isinstance(value, bool) or value not in RATINGS:
            raise ProfileError(f"rating for {key!r} must be 0, 1, 2 or 3, not {value!r}")
    given = data.get("readiness", {})
    if not isinstance(given, dict):
        raise ProfileError("readiness must be an object of unit number to 0-3")
    for key, value in given.items():
        if q.unit(key) is None:
            raise ProfileError(f"unknown unit {key!r} in readiness")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3
        ):
            raise ProfileError(f"readiness for {key!r} must be from 0 to 3, not {value!r}")
    lists = {}
    for key in ("interests", "exclusions"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProfileError(f"{key} must be a list of unit numbers")
        for number in value:
            if q.unit(number) is None:
                raise ProfileError(f"unknown unit {number!r} in {key}")
        lists[key] = frozenset(value)
    # readiness given outright wins over readiness worked out from ratings
    merged = {**(readiness(q, ratings) if ratings else {}), **given}
    return Profile(
        job_role=role,
        contexts=job_answers(contexts, workplace),
        workplace=workplace,
        workplace_by="your workplace" if workplace else "",
        readiness=merged,
        interests=lists["interests"],
        exclusions=lists["exclusions"],
        ratings=ratings,
    )


def _contexts(q: Qualification, data: dict[str, Any], field_name: str) -> dict[str, str]:
    """A profile's job answers (`contexts`, the learner's; `workplace`, the workplace's)."""
    given = data.get(field_name, {})
    if not isinstance(given, dict):
        raise ProfileError(f"{field_name} must be an object of context id to yes, sometimes or no")
    for key, value in given.items():
        if q.context(key) is None:
            raise ProfileError(f"unknown context {key!r} in {field_name}")
        if value not in ANSWERS:
            raise ProfileError(
                f"the answer for {key!r} in {field_name} must be yes, sometimes or no, "
                f"not {value!r}"
            )
    return given
