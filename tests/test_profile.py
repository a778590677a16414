"""A learner's profile for the planner: built in one place, frozen, and a cache key as it is."""

from __future__ import annotations

import pytest

from survey.planner import suggest_plans
from survey.profile import FrozenMap, Profile, ProfileError, learner_profile, read_profile
from survey.scoring import readiness

PHONE_JOB = {"incoming-calls": "yes", "face-to-face": "no"}


def test_a_profile_is_frozen_hashable_and_equal_to_one_with_the_same_answers():
    one = Profile(contexts=dict(PHONE_JOB), ratings={"F1:1.1": 2}, interests={"A11"})
    two = Profile(contexts=FrozenMap(PHONE_JOB), ratings={"F1:1.1": 2}, interests=["A11"])
    assert one == two and hash(one) == hash(two)
    assert one.contexts == PHONE_JOB and isinstance(one.interests, frozenset)
    with pytest.raises(TypeError):
        one.contexts["face-to-face"] = "yes"  # type: ignore[index]
    assert Profile(contexts={"incoming-calls": "no"}) != one


def test_a_changed_dict_does_not_change_a_profile_made_from_it():
    answers = dict(PHONE_JOB)
    profile = Profile(contexts=answers)
    answers["face-to-face"] = "yes"
    assert profile.contexts["face-to-face"] == "no"


def test_the_planner_remembers_a_suggestion_per_profile(q):
    first = suggest_plans(q, Profile(contexts=dict(PHONE_JOB)))
    assert suggest_plans(q, Profile(contexts=dict(PHONE_JOB))) is first
    assert suggest_plans(q, Profile(contexts={"incoming-calls": "no"})) is not first


def test_a_learner_profile_takes_their_own_words_for_the_job_and_readiness_from_ratings(q):
    ratings = {"F1:1.1": 3, "F1:1.2": 1}
    learner = {"job_role": "other", "job_role_other": "Barista"}
    profile = learner_profile(q, learner, ratings, PHONE_JOB, {"A11"})
    assert profile == Profile(
        job_role="Barista",
        contexts=PHONE_JOB,
        readiness=readiness(q, ratings),
        interests=frozenset({"A11"}),
        ratings=ratings,
    )
    assert profile.readiness["F1"] == 2.0
    listed = {"job_role": "Call Centre Operators", "job_role_other": ""}
    assert learner_profile(q, listed, {}, {}, set()).job_role == "Call Centre Operators"


def test_a_json_profile_is_read_into_the_same_profile(q):
    data = {"job_role": "Courier", "contexts": PHONE_JOB, "ratings": {"F1:1.1": 2}}
    data |= {"readiness": {"C3": 1.5}, "interests": ["A11"], "exclusions": ["C6"]}
    profile = read_profile(q, data)
    assert profile.readiness["F1"] == 2.0 and profile.readiness["C3"] == 1.5
    assert profile.exclusions == {"C6"} and profile.interests == {"A11"}


@pytest.mark.parametrize(
    "data, problem",
    [
        ([], "must be a JSON object"),
        ({"job": "x"}, "unknown field 'job'"),
        ({"contexts": {"writing": "often"}}, "must be yes, sometimes or no"),
        ({"ratings": {"F1:1.1": 4}}, "must be 0, 1, 2 or 3"),
        ({"ratings": {"F1:1.1": True}}, "must be 0, 1, 2 or 3"),
        ({"readiness": {"C3": 3.5}}, "must be from 0 to 3"),
        ({"interests": ["ZZ9"]}, "unknown unit 'ZZ9' in interests"),
    ],
)
def test_a_json_profile_that_is_not_one_is_refused_with_the_field_named(q, data, problem):
    with pytest.raises(ProfileError, match=problem):
        read_profile(q, data)
