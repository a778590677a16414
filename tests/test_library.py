"""Where content lives (survey/library.py): shipped and centre folders, publishing with versions,
every worker serving a publication on its next request, and answers kept meaningful."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import threading
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import SECOND, foreign_package, same_qualification, write_folder

from survey import library as library_module
from survey.case import from_case
from survey.content import ContentError, load_qualification
from survey.content_files import toml_document
from survey.importer import read, source_from_text, to_toml
from survey.library import GENERATION, Library, LibraryError, PublishError

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    code: str
    unit: str  # a unit shipped with criteria
    awaiting: str  # a unit shipped without
    other: str  # another unit with criteria, which nothing here publishes


CASES = [Case("03455", "B1", "A11", "F1"), Case("TL3-2027", "301", "P1", "P2")]


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def shipped(tmp_path):
    """The shipped content (03455 and the funding profiles) and the second qualification."""
    root = tmp_path / "shipped"
    shutil.copytree(ROOT / "content", root)
    write_folder(root / "TL3-2027", SECOND)
    before = snapshot(root)
    yield root
    assert snapshot(root) == before, "the shipped content was written"


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance" / "content"


@pytest.fixture
def lib(shipped, instance):
    return Library(shipped, instance)


@pytest.fixture(params=CASES, ids=[c.code for c in CASES])
def case(request):
    return request.param


def criteria_draft(number: str, *, knowledge: bool = True) -> str:
    """A unit file giving a unit criteria: one to do and, unless told not to, one to know."""
    text = f"""number = "{number}"

[[outcomes]]
number = 1
title = "Be able to greet customers"

[[outcomes.criteria]]
number = "1.1"
text = "Greet each customer"
kind = "performance"
"""
    if knowledge:
        text += """
[[outcomes.criteria]]
number = "1.2"
text = "Explain why greeting matters"
kind = "knowledge"
"""
    return text


def reworded(shipped: Path, case: Case, statement: str) -> str:
    """The shipped file of the case's unit with its first "I can" statement reworded."""
    data = tomllib.loads((shipped / case.code / "units" / f"{case.unit}.toml").read_text("utf-8"))
    data["outcomes"][0]["criteria"][0]["statement"] = statement
    return toml_document(data)


def first_statement(q, unit: str) -> str:
    return q.unit(unit).criteria[0].statement


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


# ---- where content lives ---------------------------------------------------------------------


def test_every_qualification_is_listed_with_where_it_comes_from(lib, instance):
    assert [(x.code, x.origin, x.problem) for x in lib.qualifications()] == [
        ("03455", "shipped", ""),
        ("TL3-2027", "shipped", ""),
    ]
    lib.publish_unit("TL3-2027", criteria_draft("P1"), "staff:1")
    write_folder(instance / "DIP2-CARE", from_case(foreign_package(), code="DIP2-CARE").files)
    (instance / "half-made" / "units").mkdir(parents=True)
    listed = {x.code: x for x in lib.qualifications()}
    assert {code: x.origin for code, x in listed.items()} == {
        "03455": "shipped",
        "DIP2-CARE": "centre",
        "TL3-2027": "shipped+centre",
        "half-made": "centre",
    }
    assert listed["03455"].title == "OCR Level 2 NVQ Certificate in Customer Service"
    assert listed["TL3-2027"].title == 'Level 3 Certificate in Team Leading ("Lead" route)'
    assert listed["DIP2-CARE"].title == "Level 2 Diploma in Care"
    assert listed["half-made"].problem.endswith("half-made/qualification.toml: file not found")
    with pytest.raises(ContentError, match="qualification.toml: file not found"):
        lib.load("half-made")
    with pytest.raises(LibraryError, match="no qualification 'funding'"):
        lib.load("funding")  # the shipped funding profiles are no qualification
    assert [c in lib for c in ("03455", "DIP2-CARE", "funding", "99999", "..")] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_the_centres_unit_file_takes_precedence_unit_by_unit(shipped, instance, case):
    as_shipped = load_qualification(shipped / case.code)
    # any file name: what counts is the unit the file describes
    write_folder(instance / case.code, {"units/ours.toml": reworded(shipped, case, "I can X")})
    q = Library(shipped, instance).current(case.code)
    assert first_statement(q, case.unit) == "I can X"
    assert q.unit(case.unit).criteria[1:] == as_shipped.unit(case.unit).criteria[1:]
    assert q.unit(case.other) == as_shipped.unit(case.other)
    assert [u.number for u in q.units] == [u.number for u in as_shipped.units]
    assert q.rules == as_shipped.rules and q.contexts == as_shipped.contexts

    # publishing the unit replaces the centre's file of it, and keeps that file as version 1
    ours = (instance / case.code / "units" / "ours.toml").read_text("utf-8")
    Library(shipped, instance).publish_unit(case.code, reworded(shipped, case, "I can Y"), "s:1")
    assert sorted(p.name for p in (instance / case.code / "units").iterdir()) == [
        f"{case.unit}.toml"
    ]
    first = Library(shipped, instance).versions(case.code, case.unit)[0]
    assert first.note == "as it was before versions were kept"
    assert Library(shipped, instance).version_text(case.code, case.unit, 1) == ours


def test_publishing_a_unit_writes_only_that_unit_and_the_rest_stays_shipped(
    lib, shipped, instance, case
):
    version = lib.publish_unit(case.code, criteria_draft(case.awaiting), "staff:7", "handbook")
    folder = instance / case.code
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    history = f"versions/units/{case.awaiting}"
    assert written == [f"units/{case.awaiting}.toml", f"{history}/2.toml", f"{history}/log.json"]
    assert (folder / written[0]).read_text("utf-8") == criteria_draft(case.awaiting)
    assert {(folder / p).stat().st_mode & 0o777 for p in written} == {0o600}
    assert (version.number, version.who, version.note) == (2, "staff:7", "handbook")
    q = lib.current(case.code)
    assert [s.id for s in q.unit(case.awaiting).statements()] == [
        f"{case.awaiting}:1.1",
        f"{case.awaiting}:1.2",
    ]
    as_shipped = load_qualification(shipped / case.code)
    assert q.unit(case.unit) == as_shipped.unit(case.unit)
    assert lib.unit_text(case.code, case.unit) == (
        shipped / case.code / "units" / f"{case.unit}.toml"
    ).read_text("utf-8")
    assert lib.files(case.code)[f"units/{case.awaiting}.toml"] == criteria_draft(case.awaiting)


def test_checking_a_unit_shows_the_qualification_with_it_and_writes_nothing(lib, instance, case):
    q = lib.check_unit(case.code, criteria_draft(case.awaiting))
    assert not q.unit(case.awaiting).awaiting_criteria
    assert lib.current(case.code).unit(case.awaiting).awaiting_criteria
    assert not (instance / case.code).exists() and not (instance / GENERATION).exists()


def test_a_unit_given_as_data_is_published_as_toml(lib, case):
    data = tomllib.loads(criteria_draft(case.awaiting))
    data["outcomes"][0]["criteria"][0]["help"] = 'Say "hello" \\ wave'
    lib.publish_unit(case.code, data, "staff:1")
    assert tomllib.loads(lib.unit_text(case.code, case.awaiting)) == data
    assert lib.current(case.code).unit(case.awaiting).criteria[0].help == ('Say "hello" \\ wave',)


def test_a_unit_read_from_a_specification_publishes(lib):
    q = lib.current("03455")
    spec = (
        "Unit A11 Deal with incoming telephone calls from customers\n\n"
        "Learning outcome 1 Be able to answer calls\n"
        "1.1 Answer calls promptly\n"
        "1.2 Describe the features of the telephone system\n"
    )
    (draft,) = read(source_from_text(spec), q).units
    lib.publish_unit("03455", to_toml(draft), "staff:1", "from the unit specification")
    a11 = lib.current("03455").unit("A11")
    assert [(c.number, c.kind) for c in a11.criteria] == [
        ("1.1", "performance"),
        ("1.2", "knowledge"),
    ]


# ---- a bad draft: one clear error, nothing written --------------------------------------------

BAD_DRAFTS = [
    pytest.param(
        ('text = "Greet each customer"', 'text = ""'),
        "outcomes[0].criteria[0].text",
        "is empty",
        id="empty-criterion",
    ),
    pytest.param(
        ('number = "1.1"', 'number = "2.1"'),
        "outcomes[0].criteria[0].number",
        "does not belong to outcome 1",
        id="criterion-of-another-outcome",
    ),
    pytest.param(
        ('kind = "knowledge"', 'kind = "both"'),
        "outcomes[0].criteria[1].kind",
        "must be knowledge or performance",
        id="kind",
    ),
    pytest.param(
        ('title = "Be able to greet customers"', 'title = " "'),
        "outcomes[0].title",
        "is empty",
        id="outcome-without-a-title",
    ),
    pytest.param(('"\n\n[[outcomes]]', "\n\n[[outcomes]]"), "", "not valid TOML", id="not-toml"),
]


@pytest.mark.parametrize("change, field, problem", BAD_DRAFTS)
def test_a_bad_draft_is_refused_naming_its_file_and_field_and_nothing_is_written(
    lib, instance, case, change, field, problem
):
    draft = criteria_draft(case.awaiting)
    assert change[0] in draft
    with pytest.raises(PublishError) as caught:
        lib.publish_unit(
            case.code, draft.replace(change[0], change[1], 1), "staff:1", name="x.toml"
        )
    assert caught.value.file == "x.toml"
    assert caught.value.field.startswith(field) and problem in caught.value.problem
    assert "\n" not in str(caught.value)
    assert not (instance / case.code).exists() and not (instance / GENERATION).exists()
    assert lib.current(case.code).unit(case.awaiting).awaiting_criteria


@pytest.mark.parametrize(
    "number, field, problem",
    [
        ('"ZZ9"', "number", "unknown unit 'ZZ9': add it to qualification.toml first"),
        ('"b1"', "number", "must be 1 to 10 capital letters and digits"),
        ("7", "number", "must be text"),
    ],
)
def test_a_draft_for_a_unit_that_is_not_in_the_catalogue_is_refused(
    lib, instance, case, number, field, problem
):
    draft = criteria_draft(case.awaiting).replace(f'"{case.awaiting}"', number, 1)
    with pytest.raises(PublishError) as caught:
        lib.publish_unit(case.code, draft, "staff:1", name="draft.toml")
    assert (caught.value.file, caught.value.field) == ("draft.toml", field)
    assert problem in caught.value.problem
    assert not (instance / case.code).exists()


def test_a_bad_draft_after_earlier_publications_changes_nothing(lib, shipped, instance, case):
    lib.publish_unit(case.code, reworded(shipped, case, "I can one"), "staff:1")
    before = snapshot(instance)
    with pytest.raises(PublishError):
        lib.publish_unit(case.code, criteria_draft(case.unit).replace('"1.1"', '"9.1"'), "staff:1")
    assert snapshot(instance) == before
    assert len(lib.versions(case.code, case.unit)) == 2


def test_a_draft_that_would_break_another_file_is_refused_naming_that_file(lib, shipped):
    # activities.toml says an observation shows B1 1.7: a B1 without 1.7 cannot be published
    text = (shipped / "03455" / "units" / "B1.toml").read_text("utf-8")
    data = tomllib.loads(text)
    data["outcomes"][0]["criteria"] = [
        c for c in data["outcomes"][0]["criteria"] if c["number"] != "1.7"
    ]
    with pytest.raises(PublishError) as caught:
        lib.publish_unit("03455", data, "staff:1", name="B1-draft.toml")
    assert caught.value.file == str(shipped / "03455" / "activities.toml")
    assert caught.value.field.startswith("activities[0].evidences[")
    assert caught.value.problem == "unknown criterion 'B1:1.7'"


def test_a_publication_needs_who_made_it(lib, instance, case):
    with pytest.raises(LibraryError, match="who published it"):
        lib.publish_unit(case.code, criteria_draft(case.awaiting), "  ")
    assert not (instance / case.code).exists()


def test_an_unknown_qualification_is_refused(lib):
    for code in ("99999", "../content", ""):
        with pytest.raises(LibraryError, match="no qualification"):
            lib.publish_unit(code, criteria_draft("A11"), "staff:1")
        with pytest.raises(LibraryError, match="no qualification"):
            lib.current(code)


# ---- versions and restoring -------------------------------------------------------------------


def test_each_publication_is_a_version_with_who_when_note_hash_and_statements(
    shipped, instance, case
):
    clock = Clock()
    lib = Library(shipped, instance, clock=clock)
    texts = [reworded(shipped, case, f"I can do it way {n}") for n in (2, 3)]
    lib.publish_unit(case.code, texts[0], "staff:1", "first change")
    clock.now += timedelta(days=1)
    lib.publish_unit(case.code, texts[1], "staff:2")
    shipped_text = (shipped / case.code / "units" / f"{case.unit}.toml").read_text("utf-8")
    versions = lib.versions(case.code, case.unit)
    start = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert [(v.number, v.who, v.when, v.note) for v in versions] == [
        (1, "", None, "as shipped"),
        (2, "staff:1", start, "first change"),
        (3, "staff:2", start + timedelta(days=1), ""),
    ]
    expected = [shipped_text, *texts]
    assert [v.sha256 for v in versions] == [
        hashlib.sha256(t.encode()).hexdigest() for t in expected
    ]
    assert [lib.version_text(case.code, case.unit, n) for n in (1, 2, 3)] == expected
    ids = tuple(c.id for c in load_qualification(shipped / case.code).unit(case.unit).criteria)
    assert {v.statements for v in versions} == {ids}
    assert lib.versions(case.code, case.other) == ()

    lib.publish_unit(case.code, criteria_draft(case.awaiting), "staff:3")
    first, second = lib.versions(case.code, case.awaiting)
    assert first.absent and first.statements == (f"{case.awaiting}:unit",)
    assert first.note == "no file: the unit had no criteria yet"
    assert lib.version_text(case.code, case.awaiting, 1) is None
    assert second.statements == (f"{case.awaiting}:1.1", f"{case.awaiting}:1.2")


def test_restoring_a_version_makes_it_current_again_as_a_new_version(lib, shipped, case):
    texts = [reworded(shipped, case, f"I can do it way {n}") for n in (2, 3)]
    for text in texts:
        lib.publish_unit(case.code, text, "staff:1")
    restored = lib.restore(case.code, case.unit, 2, "staff:2")
    assert (restored.number, restored.restored_from, restored.who, restored.note) == (
        4,
        2,
        "staff:2",
        "restored version 2",
    )
    assert first_statement(lib.current(case.code), case.unit) == "I can do it way 2"
    assert lib.unit_text(case.code, case.unit) == texts[0]
    lib.restore(case.code, case.unit, 1, "staff:2", "back to the awarding body's words")
    as_shipped = load_qualification(shipped / case.code)
    assert lib.current(case.code).unit(case.unit) == as_shipped.unit(case.unit)
    assert [v.number for v in lib.versions(case.code, case.unit)] == [1, 2, 3, 4, 5]

    lib.publish_unit(case.code, criteria_draft(case.awaiting), "staff:1")
    lib.restore(case.code, case.awaiting, 1, "staff:1")
    assert lib.current(case.code).unit(case.awaiting).awaiting_criteria
    assert lib.unit_text(case.code, case.awaiting) is None
    assert [(v.number, v.absent) for v in lib.versions(case.code, case.awaiting)] == [
        (1, True),
        (2, False),
        (3, True),
    ]
    with pytest.raises(LibraryError, match="has no version 9"):
        lib.restore(case.code, case.unit, 9, "staff:1")


def test_a_version_that_no_longer_fits_is_not_restored(lib, shipped):
    # a version of B1 with criterion 1.9, which an activity then names: going back would break it
    data = tomllib.loads((shipped / "03455" / "units" / "B1.toml").read_text("utf-8"))
    data["outcomes"][0]["criteria"].append(
        {"number": "1.9", "text": "Thank the customer", "kind": "performance"}
    )
    lib.publish_unit("03455", data, "staff:1")
    files = lib.files("03455")
    files["activities.toml"] = files["activities.toml"].replace('"B1:1.7",', '"B1:1.7", "B1:1.9",')
    lib.publish_qualification("03455", files, "staff:1")
    with pytest.raises(PublishError, match="unknown criterion 'B1:1.9'"):
        lib.restore("03455", "B1", 1, "staff:1")
    assert [v.number for v in lib.versions("03455", "B1")] == [1, 2]


# ---- every worker serves a publication on its next request ------------------------------------


def test_a_publication_by_one_worker_is_served_by_another_without_a_restart(
    shipped, instance, case
):
    publisher, worker = Library(shipped, instance), Library(shipped, instance)
    other = next(c.code for c in CASES if c != case)
    before, untouched = worker.current(case.code), worker.current(other)
    assert worker.current(case.code) is before  # kept while nothing is published

    publisher.publish_unit(case.code, criteria_draft(case.awaiting), "staff:1")
    after = worker.current(case.code)
    assert after is not before and not after.unit(case.awaiting).awaiting_criteria
    assert worker.current(case.code) is after
    assert worker.current(other) is untouched  # only what was published is loaded again

    published = publisher.current(case.code)
    worker.restore(case.code, case.awaiting, 1, "staff:2")
    assert publisher.current(case.code) is not published
    assert publisher.current(case.code).unit(case.awaiting).awaiting_criteria
    assert len((instance / GENERATION).read_text().splitlines()) == 2


def test_loading_while_others_publish_never_sees_a_half_written_folder(
    lib, shipped, instance, case, monkeypatch
):
    statements = {f"I can do it way {n}" for n in range(6)}
    lib.publish_unit(case.code, reworded(shipped, case, "I can do it way 0"), "staff:1")
    seen, problems, done = set(), [], threading.Event()
    rename = os.rename

    def slow_rename(source, target):  # a slow disk: the folder is away for a moment
        rename(source, target)
        time.sleep(0.02)

    monkeypatch.setattr(os, "rename", slow_rename)

    def keep_loading():
        while not done.is_set():
            try:
                seen.add(first_statement(Library(shipped, instance).load(case.code), case.unit))
            except Exception as e:  # noqa: BLE001 (every failure is reported below)
                problems.append(e)

    readers = [threading.Thread(target=keep_loading) for _ in range(2)]
    for t in readers:
        t.start()
    for n in range(1, 6):
        lib.publish_unit(case.code, reworded(shipped, case, f"I can do it way {n}"), "staff:1")
    done.set()
    for t in readers:
        t.join()
    assert problems == [] and seen <= statements and seen


def test_publications_from_many_threads_keep_every_version(lib, shipped, instance, case):
    problems = []

    def publish(worker: int) -> None:
        own = lib if worker % 2 else Library(shipped, instance)  # shared, and one per thread
        try:
            for n in range(2):
                text = reworded(shipped, case, f"I can do it as {worker}.{n}")
                own.publish_unit(case.code, text, f"staff:{worker}", note=f"{worker}.{n}")
        except Exception as e:  # noqa: BLE001 (reported below)
            problems.append(e)

    threads = [threading.Thread(target=publish, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    every_version_kept(lib, case, {f"{w}.{n}" for w in range(4) for n in range(2)})


def every_version_kept(lib: Library, case: Case, notes: set[str]) -> None:
    versions = lib.versions(case.code, case.unit)
    assert [v.number for v in versions] == list(range(1, len(notes) + 2))
    assert sorted(v.note for v in versions[1:]) == sorted(notes)
    for v in versions:
        text = lib.version_text(case.code, case.unit, v.number)
        assert hashlib.sha256(text.encode()).hexdigest() == v.sha256
    assert lib.unit_text(case.code, case.unit) == text  # the last version is the one served
    said = first_statement(Library(lib.shipped, lib.instance).current(case.code), case.unit)
    assert said == f"I can do it as {versions[-1].note}"


def publish_from_a_process(shipped, instance, code, worker, start):
    case = next(c for c in CASES if c.code == code)
    lib = Library(Path(shipped), Path(instance))
    start.wait(60)
    for n in range(2):
        text = reworded(Path(shipped), case, f"I can do it as {worker}.{n}")
        lib.publish_unit(code, text, f"staff:{worker}", note=f"{worker}.{n}")


def test_publications_from_several_processes_keep_every_version(lib, shipped, instance, case):
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    processes = [
        spawn.Process(
            target=publish_from_a_process,
            args=(str(shipped), str(instance), case.code, w, start),
        )
        for w in range(3)
    ]
    for p in processes:
        p.start()
    start.set()
    for p in processes:
        p.join(120)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    every_version_kept(lib, case, {f"{w}.{n}" for w in range(3) for n in range(2)})


# ---- a failure or a crash while writing leaves the previous version current -------------------


def test_a_failure_while_writing_leaves_the_previous_version_current(
    lib, shipped, instance, case, monkeypatch
):
    lib.publish_unit(case.code, reworded(shipped, case, "I can one"), "staff:1")
    before = snapshot(instance)
    write = library_module._write_new

    def disk_full(path: Path, text: str) -> None:
        write(path, text[: len(text) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(library_module, "_write_new", disk_full)
    with pytest.raises(OSError, match="No space left"):
        lib.publish_unit(case.code, reworded(shipped, case, "I can two"), "staff:1")
    assert snapshot(instance) == before
    assert first_statement(Library(shipped, instance).current(case.code), case.unit) == "I can one"


def crash_while_publishing(shipped, instance, code, text, renames):
    """Publish, but end the process the way a power cut would, before rename number `renames`."""
    rename = os.rename
    done = []

    def rename_or_die(source, target):
        if len(done) == renames:
            os._exit(3)
        done.append(target)
        rename(source, target)

    os.rename = rename_or_die
    Library(Path(shipped), Path(instance)).publish_unit(code, text, "staff:9")


@pytest.mark.parametrize("renames", [0, 1], ids=["before-the-rename", "between-the-renames"])
def test_a_crash_while_publishing_leaves_the_previous_version_current(
    lib, shipped, instance, case, renames
):
    lib.publish_unit(case.code, reworded(shipped, case, "I can one"), "staff:1")
    crash = multiprocessing.get_context("spawn").Process(
        target=crash_while_publishing,
        args=(
            str(shipped),
            str(instance),
            case.code,
            reworded(shipped, case, "I can two"),
            renames,
        ),
    )
    crash.start()
    crash.join(60)
    assert crash.exitcode == 3
    assert any(p.name.startswith(".") and p.is_dir() for p in instance.iterdir())  # left over
    after_crash = Library(shipped, instance)
    assert first_statement(after_crash.current(case.code), case.unit) == "I can one"
    assert [v.number for v in after_crash.versions(case.code, case.unit)] == [1, 2]
    assert {x.code: x.origin for x in after_crash.qualifications()}[case.code] == "shipped+centre"

    after_crash.publish_unit(case.code, reworded(shipped, case, "I can three"), "staff:1")
    assert not any(p.name.startswith(".") and p.is_dir() for p in instance.iterdir())
    assert first_statement(lib.current(case.code), case.unit) == "I can three"
    assert [v.number for v in lib.versions(case.code, case.unit)] == [1, 2, 3]


# ---- qualifications a centre adds --------------------------------------------------------------


def test_a_qualification_added_under_the_instance_folder_is_served_as_it_is(lib, instance):
    imported = from_case(foreign_package(), code="DIP2-CARE")
    versions = lib.publish_qualification("DIP2-CARE", imported.files, "staff:1", "CASE import")
    assert sorted(v.file for v in versions) == sorted(imported.files)
    assert {(v.number, v.who, v.note) for v in versions} == {(1, "staff:1", "CASE import")}
    q = lib.current("DIP2-CARE")
    assert same_qualification(q, imported.qualification) == {}

    awaiting = next(u.number for u in q.units if u.awaiting_criteria)
    version = lib.publish_unit("DIP2-CARE", criteria_draft(awaiting), "staff:1")
    assert version.number == 2 and lib.versions("DIP2-CARE", awaiting)[0].absent
    assert not lib.current("DIP2-CARE").unit(awaiting).awaiting_criteria


def test_a_qualification_folder_put_in_by_hand_is_served_and_must_match_its_code(lib, instance):
    write_folder(instance / "TL3-COPY", SECOND)
    with pytest.raises(ContentError) as caught:
        lib.current("TL3-COPY")
    assert (caught.value.file, caught.value.field) == (
        str(instance / "TL3-COPY" / "qualification.toml"),
        "code",
    )
    (instance / "TL3-COPY" / "qualification.toml").write_text(
        SECOND["qualification.toml"].replace('"TL3-2027"', '"TL3-COPY"'), encoding="utf-8"
    )
    assert lib.current("TL3-COPY").code == "TL3-COPY"
    assert lib.current("TL3-COPY").unit("P2").criteria[0].statement == "I can spot conflict early"


NEW = {**SECOND, "qualification.toml": SECOND["qualification.toml"].replace("TL3-2027", "TL3-NEW")}


@pytest.mark.parametrize(
    "code, change, file, field",
    [
        (
            "TL3-NEW",
            ("contexts.toml", 'units = ["P1", "P2"]', 'units = ["P9"]'),
            "contexts.toml",
            "contexts[0].units[0]",
        ),
        ("TL3-OTHER", None, "qualification.toml", "code"),
        ("TL3-NEW", ("qualification.toml", "min = 18", "min = 0"), "qualification.toml", "rules"),
        ("TL3-NEW", ("units/P2.toml", 'number = "P2"', 'number = "W1"'), "units/P2.toml", "number"),
    ],
)
def test_a_qualification_that_would_not_load_is_refused_and_nothing_is_written(
    lib, instance, code, change, file, field
):
    files = dict(NEW)
    if change:
        name, old, new = change
        files[name] = files[name].replace(old, new, 1)
    with pytest.raises(PublishError) as caught:
        lib.publish_qualification(code, files, "staff:1")
    assert caught.value.file == str(instance / code / file)
    assert caught.value.field.startswith(field)
    assert not (instance / code).exists() and not (instance / GENERATION).exists()


@pytest.mark.parametrize("path", ["../escape.toml", "units/b1.toml", "notes.txt", "versions/x"])
def test_only_the_files_of_a_qualification_folder_can_be_published(lib, instance, path):
    with pytest.raises(LibraryError, match="not a file of a qualification folder"):
        lib.publish_qualification("TL3-NEW", {**NEW, path: "x = 1\n"}, "staff:1")
    assert not (instance / "TL3-NEW").exists()


def test_changing_a_shipped_qualification_keeps_only_what_differs(lib, shipped, instance, case):
    files = lib.files(case.code)
    files["qualification.toml"] = files["qualification.toml"].replace(
        "[scales]", "[scales]\n# a centre comment\n", 1
    )
    (version,) = lib.publish_qualification(case.code, files, "staff:1", "a comment")
    assert (version.file, version.number, version.unit) == ("qualification.toml", 2, "")
    folder = instance / case.code
    assert sorted(p.name for p in folder.iterdir()) == ["qualification.toml", "versions"]
    assert lib.file_versions(case.code, "qualification.toml")[0].note == "as shipped"
    assert lib.files(case.code) == files
    lib.restore_file(case.code, "qualification.toml", 1, "staff:1")
    assert lib.files(case.code)["qualification.toml"] == (
        shipped / case.code / "qualification.toml"
    ).read_text("utf-8")


# ---- answers keep their meaning across versions -----------------------------------------------


def test_an_earlier_answer_keeps_its_meaning_when_its_unit_gets_criteria(shipped, instance, case):
    clock = Clock()
    lib = Library(shipped, instance, clock=clock)
    q = lib.current(case.code)
    whole = q.unit(case.awaiting).summary_statement
    assert whole.text.startswith("I can ") and q.retired_statement(whole.id) is None
    answered_before = clock.now - timedelta(days=3)

    lib.publish_unit(case.code, criteria_draft(case.awaiting), "staff:1")
    q = lib.current(case.code)
    assert q.retired_statement(whole.id) == whole  # "your earlier answer to 'I can …'"
    assert q.retired_statement(f"{case.awaiting}:1.1") is None  # asked now
    assert q.retired_statement(f"{case.awaiting}:9.9") is None  # never was
    assert lib.version_answered(case.code, case.awaiting, answered_before).statements == (whole.id,)
    later = (clock.now + timedelta(minutes=5)).isoformat()  # as the database keeps times
    assert lib.version_answered(case.code, case.awaiting, later).number == 2
    assert lib.version_answered(case.code, case.other, later) is None  # never published

    clock.now += timedelta(days=1)
    lib.publish_unit(case.code, criteria_draft(case.awaiting, knowledge=False), "staff:1")
    dropped = f"{case.awaiting}:1.2"
    for q in (lib.current(case.code), Library(shipped, instance).current(case.code)):
        retired = q.retired_statement(dropped)
        assert (retired.text, retired.kind) == ("I can explain why greeting matters", "knowledge")
        assert q.statement(dropped) is None  # it cannot be answered any more
    assert lib.version_answered(case.code, case.awaiting, later).statements == (
        f"{case.awaiting}:1.1",
        dropped,
    )


def test_an_activity_naming_a_unit_as_a_whole_covers_its_criteria_once_published(lib, case):
    whole = f"{case.awaiting}:unit"
    if not any(whole in a.evidences for a in lib.current(case.code).activities):
        files = lib.files(case.code)  # the second qualification has no activities yet
        files["activities.toml"] = (
            f'[[activities]]\nid = "briefing"\ntitle = "a team briefing"\n'
            f'evidences = ["{case.other}:1.1", "{whole}"]\n'
        )
        lib.publish_qualification(case.code, files, "staff:1")
    names = [a.id for a in lib.current(case.code).activities if whole in a.evidences]
    assert names

    lib.publish_unit(case.code, criteria_draft(case.awaiting), "staff:1")
    q = lib.current(case.code)
    for a in (q.activity(name) for name in names):
        assert f"{case.awaiting}:1.1" in a.evidences  # what an observation can show
        assert f"{case.awaiting}:1.2" not in a.evidences  # knowledge is never observed
        assert whole not in a.evidences and case.awaiting in a.whole_units
