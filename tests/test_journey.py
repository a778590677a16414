"""The assessment as pages (survey/journey.py), worked out from the job answers, without HTTP;
the learner's pages (test_learner.py, test_first_minute.py) show the same in a browser."""

from __future__ import annotations

from survey.journey import answered, minutes_needed, open_units, page_index, pages, scale_notes


def test_the_pages_go_job_then_mandatory_outcomes_then_groups_then_interests_and_review(q):
    keys = [p.key for p in pages(q, {})]
    assert keys[0] == "job" and keys[-2:] == ["interests", "review"]
    outcomes = [f"{u.number}-{o.number}" for u in q.mandatory_units for o in u.outcomes]
    assert keys[1 : 1 + len(outcomes)] == outcomes
    assert [k for k in keys if k.startswith("group-")] == [
        f"group-{g.id}" for g in q.optional_groups
    ]


def test_a_no_to_every_question_that_opens_a_group_takes_its_page_away(q):
    closing = {c.id: "no" for c in q.contexts}
    opened = {u.number for u in open_units(q, closing)}
    assert all(not q.contexts_for(n) for n in opened)  # only units any job can evidence
    assert len(pages(q, closing)) <= len(pages(q, {}))
    assert pages(q, {}) is pages(q, {})  # remembered per set of answers


def test_page_index_finds_a_page_by_key(q):
    all_pages = pages(q, {})
    assert page_index(all_pages, "job") == 0
    assert page_index(all_pages, "review") == len(all_pages) - 1
    assert page_index(all_pages, "nowhere") is None


def test_the_time_needed_is_whole_minutes_then_fives(q):
    minutes = minutes_needed(q, pages(q, {}))
    assert minutes > 10 and minutes % 5 == 0
    assert minutes_needed(q, pages(q, {})[:1]) <= 10


def test_a_scale_note_marks_each_change_of_rating_scale(q):
    statements = [s for u in q.mandatory_units for s in u.statements()]
    notes = scale_notes(statements)
    kinds = ["performance"] + [s.kind for s in statements]  # the scale seen before each
    changes = {s.id: s.kind for s, before in zip(statements, kinds) if s.kind != before}
    assert notes == changes and "knowledge" in notes.values()
    assert scale_notes(statements[:1], before=statements[0].kind) == {}


def test_answered_counts_only_statements_on_the_learners_pages(q):
    shown = [s.id for p in pages(q, {}) for s in p.statements]
    done, total = answered(q, {}, shown[:5] + ["no such statement"])
    assert (done, total) == (5, len(shown))
