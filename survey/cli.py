"""Command-line tools for centre admins and scripting; they call the same functions as the views."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from werkzeug.datastructures import MultiDict
from wtforms import Form

from .content import ContentError, Qualification, load_qualification, summary
from .content import export as export_content
from .forms import ROLES
from .library import LibraryError
from .planner import STATE_BUDGET, reachable_states, suggest_plans
from .profile import Profile, ProfileError, read_profile
from .qualifications import codes, default_code, library, qualification

content_cli = AppGroup("content", help="Check, export and import the qualifications' content.")

QUALIFICATION_HELP = "The qualification's code (default: the one FLASK_CONTENT names, 03455)."


def qualification_option(command: Any) -> Any:
    """--qualification CODE: which of the qualifications served a command is about."""
    return click.option(
        "--qualification", "code", default=None, metavar="CODE", help=QUALIFICATION_HELP
    )(command)


def _code(code: str | None) -> str:
    """The code asked for (the default if none), as the library spells it; a one-line error
    listing the codes there are when it names none."""
    if code is None:
        return default_code()
    found = next((c for c in codes() if c.lower() == code.lower()), None)
    if found is None:
        raise click.ClickException(
            f"there is no qualification {code!r}: choose one of {', '.join(codes())}"
        )
    return found


def _qualification(code: str | None) -> Qualification:
    return qualification(_code(code))


@content_cli.command("check")
@click.option(
    "--path",
    type=click.Path(),
    default=None,
    help="A qualification folder to check instead of the configured one.",
)
@qualification_option
@with_appcontext
def content_check(path: str | None, code: str | None) -> None:
    """Validate the content files and print a summary.

    Without --path: the qualification as served, the centre's published files over the
    shipped ones. Exits with status 1 and one line naming the file and the field on any error.

    Example: flask --app app content check --path content/03455
    """
    folder = Path(path or current_app.config["CONTENT"])
    try:
        q = load_qualification(folder) if path else library().load(_code(code))
    except ContentError as e:
        raise click.ClickException(str(e)) from None
    # the rules must also be ones the planner can weigh: counted, not run in full
    states = reachable_states(q)
    if states > STATE_BUDGET:
        raise click.ClickException(
            f"{folder / 'qualification.toml'}: rules: the planner would have to weigh more than "
            f"{STATE_BUDGET:,} combinations of units, its limit: lower the minimums, or combine "
            "rules that count credits from the same groups"
        )
    click.echo(f"{q.code} {q.title}: content is valid")
    for name, count in summary(q).items():
        click.echo(f"  {name:<20} {count}")
    click.echo(f"  {'planner states':<20} {states}")
    if q.draft:
        click.echo("  no rules of combination yet: no plan is suggested until they are entered")


@content_cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "case", "moodle"]),
    default="json",
    show_default=True,
    help="json: the app's own view of the qualification; case: a CASE 1.1 CFPackage (JSON); "
    "moodle: the competency framework CSV Moodle imports.",
)
@click.option(
    "--base-url",
    default=None,
    help="Where the CASE URIs start (default: PUBLIC_URL, else http://localhost:5000).",
)
@click.option(
    "--changed",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"]),
    default=None,
    help="The date the CASE package carries, e.g. 2027-01-31T09:00:00+00:00 "
    "(default: last_changed in qualification.toml).",
)
@qualification_option
@with_appcontext
def content_export(
    fmt: str, base_url: str | None, changed: datetime | None, code: str | None
) -> None:
    """Print the qualification as JSON, as a CASE 1.1 package, or as Moodle's framework CSV.

    The same content always gives the same output: CASE identifiers are derived from the
    code, and its dates come from the content, never the clock.

    \b
    Examples:
      flask --app app content export > 03455.json
      flask --app app content export --format case --base-url https://assess.example.org
      flask --app app content export --format moodle > 03455-moodle.csv
    """
    from .case import CaseError, package_json, to_case
    from .moodle import MoodleError, to_moodle_csv

    q = _qualification(code)
    try:
        if fmt == "case":
            when = changed.replace(tzinfo=changed.tzinfo or UTC) if changed else None
            text = package_json(to_case(q, base_url or public_url(), when))
        elif fmt == "moodle":
            text = to_moodle_csv(q)
        else:
            text = json.dumps(export_content(q), indent=2, ensure_ascii=False) + "\n"
    except (CaseError, MoodleError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(text, nl=False)


@content_cli.command("import-case")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    help="Write the new qualification folder here instead of publishing it into the centre's "
    "content (CENTRE_CONTENT). It must not exist yet.",
)
@click.option(
    "--code",
    default=None,
    help="The qualification's code: needed for a package not exported by Starting Point.",
)
@with_appcontext
def content_import_case(file: str, output: str | None, code: str | None) -> None:
    """Turn a CASE 1.1 package (JSON) into a new qualification, published into the centre's
    content (as version 1 of each file), or written as a folder with --output.

    A package exported by Starting Point comes back whole. One from elsewhere has no rules of
    combination, groups, credits or levels: it becomes a draft, no plan is suggested until
    they are entered, and stderr lists what to enter. A bad package is refused with one line
    saying why, and nothing is written.

    \b
    Examples:
      flask --app app content import-case 03455-case.json --output /tmp/03455-copy
      flask --app app content import-case care.json --code DIP2-CARE
    """
    from .case import CaseError, from_case, read_package

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise click.ClickException(f"cannot read {file}: {e}") from None
    try:
        imported = from_case(read_package(text), code=code, name=Path(file).name)
    except CaseError as e:
        raise click.ClickException(f"{file}: {e}") from None
    q = imported.qualification
    if output:
        target = Path(output)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise click.ClickException(f"{target} already exists: choose another --output")
        _write_folder(target, imported.files)
        click.echo(f"{q.code} {q.title}: wrote {len(imported.files)} files to {target}")
    else:
        lib = library()
        if q.code in lib:
            raise click.ClickException(
                f"there is already a qualification {q.code}: give another --code, or --output"
            )
        try:
            _record(
                "qualification-imported",
                lambda: lib.publish_qualification(
                    q.code, imported.files, _who(), f"imported from {Path(file).name}"
                ),
            )
        except LibraryError as e:
            raise click.ClickException(f"the imported content does not load: {e}") from None
        target = lib.instance / q.code
        click.echo(f"{q.code} {q.title}: published {len(imported.files)} files to {target}")
    for note in imported.notes:
        click.echo(f"  to do: {note}", err=True)
    click.echo(f"Check it with: flask --app app content check --path {target}", err=True)


def _write_folder(target: Path, files: dict[str, str]) -> None:
    """Write every file into a new folder beside the target, check it loads, then move it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        load_qualification(staging)  # belt and braces: what we write must load
        if target.exists():
            target.rmdir()  # empty, checked by the caller
        staging.rename(target)
    except ContentError as e:
        raise click.ClickException(f"the imported content does not load: {e}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging)


@content_cli.command("publish")
@click.argument("draft", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--note", default="", help="A note for the version history.")
@qualification_option
@with_appcontext
def content_publish(draft: str, note: str, code: str | None) -> None:
    """Publish a checked unit file (a draft from `content import`) as the unit's new version.

    DRAFT is the unit file (TOML), or - for standard input. It is checked exactly as the
    Publish button checks a draft: if anything is wrong, nothing is published and one line
    names the field. Every worker serves it from its next request; the audit trail records it.

    Example: flask --app app content publish drafts/A11.toml --note "A11 from the handbook"
    """
    try:
        text = sys.stdin.read() if draft == "-" else Path(draft).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise click.ClickException(f"cannot read {draft}: {e}") from None
    lib, code, name = library(), _code(code), Path(draft).name if draft != "-" else "stdin"
    try:
        (version,) = _record(
            "unit-published", lambda: (lib.publish_unit(code, text, _who(), note, name),)
        )
    except LibraryError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Published {code} {version.unit} as version {version.number}")


def _who() -> str:
    """Who publishes from the command line, as the version history names them."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user} (command line)"


def _record(action: str, act: Any) -> Any:
    """Publish with `act()` (the versions it makes) and record each in the audit trail."""
    from .db import connect
    from .store import drafts

    db = connect(current_app.config["DATABASE"])
    try:
        return drafts.record_publication(db, "cli", action, act)
    finally:
        db.conn.close()


@content_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    help="Write each draft to OUTPUT/<unit>.toml instead of printing it.",
)
@qualification_option
@with_appcontext
def content_import(file: str, output: str | None, code: str | None) -> None:
    """Turn a unit specification into draft unit files to check.

    FILE is a PDF, a Word .docx or a text file (pasted from a PDF, a web page, the
    qualifications register or a Word table), or - for standard input; what it is is
    read from its first bytes. Prints each draft as TOML (or writes it with --output,
    one file per unit, named by its number or else its title) and lists on stderr the
    lines it could not place. A person must check a draft before it goes into content/.

    Example: flask --app app content import "Unit 201 handbook.pdf" --output drafts/
    """
    from .importer import (
        MAX_BYTES,
        ImportProblem,
        read,
        source_from_bytes,
        source_from_path,
        to_toml,
    )

    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
            source = source_from_bytes(data, "standard input")
        else:
            source = source_from_path(file)
        reading = read(source, _qualification(code))
    except ImportProblem as e:
        raise click.ClickException(str(e)) from None
    for draft in reading.units:
        text = to_toml(draft, reading.source)
        if output:
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{draft.name}.toml"
            target.write_text(text, encoding="utf-8")
            click.echo(f"wrote {target}")
        else:
            click.echo(text)
        criteria = sum(len(o.criteria) for o in draft.outcomes)
        cut = sum(1 for o in draft.outcomes for c in o.criteria if c.truncated)
        click.echo(
            f"{draft.name}: {len(draft.outcomes)} outcomes, {criteria} criteria, "
            f"{cut} look cut off, {len(draft.unplaced)} lines not placed",
            err=True,
        )
        for line, at in zip(draft.unplaced, draft.unplaced_lines, strict=True):
            click.echo(f"  not placed (line {at}): {line}", err=True)
    if reading.outside:
        click.echo(f"outside any unit: {len(reading.outside)} lines not placed", err=True)
        for loose in reading.outside:
            click.echo(f"  not placed (line {loose.number}): {loose.text}", err=True)


def suggestion_json(q: Qualification, profile: Profile, alternatives: int) -> dict[str, Any]:
    s = suggest_plans(q, profile, alternatives)
    return {
        "plans": [
            {
                "rank": i + 1,
                "units": [
                    {
                        "number": u.number,
                        "title": u.title,
                        "group": u.group,
                        "credits": u.credits,
                        "level": u.level,
                        "mandatory": u.mandatory,
                        "reason": u.reason,
                    }
                    for u in p.units
                ],
                "total_credits": p.total_credits,
                "optional_credits": p.optional_credits,
                "credits_by_level": {str(k): v for k, v in p.level_credits.items()},
                "over_minimum": p.over_minimum,
                "cost": p.cost,
            }
            for i, p in enumerate(s.plans)
        ],
        "problems": list(s.problems),
        "level_notes": list(s.level_notes),
        "uses_units_the_job_cannot_evidence": s.needs_unevidenced,
    }


@click.command("plan")
@click.argument("profile", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--alternatives",
    "-n",
    type=click.IntRange(0, 20),
    default=3,
    show_default=True,
    help="How many alternative plans to show besides the best.",
)
@qualification_option
@with_appcontext
def plan_command(profile: str, alternatives: int, code: str | None) -> None:
    """Suggest optional-unit plans for a learner profile and print them as JSON.

    PROFILE is a JSON file (or - for standard input) with any of: job_role, contexts
    ({"incoming-calls": "yes"}), ratings ({"F1:1.1": 2}) or readiness ({"A11": 2.5}),
    interests (["A11"]) and exclusions (["C6"]).

    Example: flask --app app plan learner.json --alternatives 2
    """
    q = _qualification(code)
    try:
        text = sys.stdin.read() if profile == "-" else Path(profile).read_text(encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"cannot read {profile}: {e.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise click.ClickException(f"{profile} is not valid JSON: {e}") from None
    except RecursionError:  # the parser recurses once per level of [ or {
        raise click.ClickException(f"{profile} is nested too deeply to be a profile") from None
    try:
        parsed = read_profile(q, data)
    except ProfileError as e:
        raise click.ClickException(f"{profile}: {e}") from None
    click.echo(json.dumps(suggestion_json(q, parsed, alternatives), indent=2, ensure_ascii=False))


learners_cli = AppGroup("learners", help="Add learners and print their personal links.")


def _first_problem(form: Form) -> str:
    """A refused form in one line, for the terminal: the field and what is wrong with it."""
    name, problems = next(iter(form.errors.items()))
    return f"{form[name].label.text}: {problems[0]}"


def public_url() -> str:
    return (current_app.config.get("PUBLIC_URL") or "http://localhost:5000").rstrip("/")


def personal_link(token: str) -> str:
    return f"{public_url()}/l/{token}"


def link_note() -> None:
    """Say, on stderr, when a printed link is not the public address."""
    if not current_app.config.get("PUBLIC_URL"):
        click.echo(
            "Note: FLASK_PUBLIC_URL is not set, so this link starts with http://localhost:5000 "
            "and works only on this computer. Set FLASK_PUBLIC_URL to the address people use "
            "(e.g. https://assess.example.org) and run the command again.",
            err=True,
        )


@learners_cli.command("add")
@click.argument("name")
@click.option(
    "--job-role",
    default="",
    help="The learner's job role (one of the qualification's job roles, or any other title).",
)
@click.option("--candidate-number", default="", help="The OCR candidate number, if known.")
@click.option(
    "--assessor",
    "assessor_email",
    default="",
    help="The email of the learner's assessor (an assessor's or admin's account).",
)
@click.option(
    "--qualification",
    "code",
    default=None,
    metavar="CODE",
    help="The qualification they are enrolled on (default: 03455, the one FLASK_CONTENT names).",
)
@with_appcontext
def learners_add(
    name: str, job_role: str, candidate_number: str, assessor_email: str, code: str | None
) -> None:
    """Add a learner and print their personal link and code.

    The link is shown once: only a hash of it is stored. Give it to the learner (or print
    their QR card); opening it on a phone starts their initial assessment. The link starts
    with FLASK_PUBLIC_URL (the command says so when it is not set).

    Example: flask --app app learners add "Sam Patel" --job-role "Call Centre Operators"
             --assessor asha@centre.example --qualification 03455
    """
    from .db import connect
    from .forms import NAME_MAX, LearnerFields
    from .store import accounts, learners, tokens

    # the same checks as the learners page and a pasted line
    fields = LearnerFields(
        MultiDict({"name": name, "candidate_number": candidate_number, "job_role": job_role})
    )
    if not fields.validate():
        if fields.name.errors:
            raise click.ClickException(f"the name must be 1 to {NAME_MAX} characters")
        raise click.ClickException(_first_problem(fields))
    q = _qualification(code)
    db = connect(current_app.config["DATABASE"])
    try:
        assessor = None
        if assessor_email:
            assessor = accounts.staff_by_email(db, assessor_email)
            if assessor is None or assessor["role"] not in ("assessor", "admin"):
                raise click.ClickException(
                    f"{assessor_email!r} is not the email of an assessor's or admin's account"
                )
            if assessor["disabled_at"]:
                raise click.ClickException(f"{assessor_email}'s account is disabled")
        new = learners.NewLearner(
            **fields.learner(q),
            assessor_id=assessor["id"] if assessor else None,
        )
        row, token = learners.add_learners(db, [new], "cli").learners[0]  # one transaction
    finally:
        db.conn.close()
    learner_id = row["id"]
    click.echo(f"Added {new.name} (learner {learner_id})")
    if assessor:
        click.echo(f"  assessor: {assessor['name']} ({assessor['email']})")
    click.echo(f"  link: {personal_link(token)}")
    click.echo(f"  code: {tokens.pretty_token(token)}")
    link_note()


users_cli = AppGroup("users", help="Create staff accounts; reset passwords; the setup link.")


@users_cli.command("create")
@click.option(
    "--role",
    type=click.Choice(sorted(ROLES)),
    required=True,
    help="admin: staff accounts and every learner; assessor: their own learners; "
    "verifier: reads everything, changes nothing.",
)
@click.option("--email", required=True, help="The email they sign in with.")
@click.option("--name", default="", help="Their name as learners see it (default: the email).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting.",
)
@with_appcontext
def users_create(role: str, email: str, name: str, password_stdin: bool) -> None:
    """Create a staff account; the password is asked for (or read from stdin), never an option.

    Example: echo "$PASSWORD" | flask --app app users create --role admin
             --email admin@centre.example --password-stdin
    """
    from .auth import hash_password
    from .db import connect
    from .forms import PASSWORD_MAX, PASSWORD_MIN, StaffFields
    from .store import accounts

    email = email.strip()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # the same checks as the users page and the setup link
    fields = StaffFields(
        MultiDict(
            {
                "name": name.strip() or email,
                "email": email,
                "password": password,
                "confirm": password,
                "role": role,
            }
        )
    )
    if not fields.validate():
        if fields.email.errors:
            raise click.ClickException(f"{email!r} is not an email address")
        if fields.password.errors:
            raise click.ClickException(
                f"the password must be at least {PASSWORD_MIN} characters "
                f"(and at most {PASSWORD_MAX})"
            )
        raise click.ClickException(_first_problem(fields))
    db = connect(current_app.config["DATABASE"])
    try:
        accounts.create_staff(
            db,
            fields.email.data or "",
            fields.name.data or "",
            role,
            hash_password(password),
            "cli",
        )
    except accounts.StaffExists:
        raise click.ClickException(f"there is already an account for {email}") from None
    finally:
        db.conn.close()
    click.echo(f"Created {role} account for {email}")


@users_cli.command("reset-password")
@click.argument("email")
@with_appcontext
def users_reset_password(email: str) -> None:
    """Print a one-time link with which the account chooses a new password.

    The link works once, for 24 hours; an earlier reset link of the account stops working,
    and every session of the account ends when the new password is set. Only a hash of it
    is kept. The link starts with FLASK_PUBLIC_URL (the command says so when it is not set).

    Example: flask --app app users reset-password asha@centre.example
    """
    from .db import connect
    from .store import accounts

    db = connect(current_app.config["DATABASE"])
    try:
        staff = accounts.staff_by_email(db, email)
        if staff is None:
            raise click.ClickException(f"there is no account for {email}")
        if staff["disabled_at"]:
            raise click.ClickException(f"{email}'s account is disabled: enable it first")
        token, stopped = accounts.create_password_reset(db, staff["id"], "cli")
    finally:
        db.conn.close()
    click.echo(f"A new password for {staff['name']} ({staff['email']}), once, within 24 hours:")
    click.echo(f"  {public_url()}/staff/reset/{token}")
    if stopped:
        click.echo("The earlier reset link for this account no longer works.")
    link_note()


@users_cli.command("setup-link")
@with_appcontext
def users_setup_link() -> None:
    """Print a new one-time link that creates the first admin, while there is no admin.

    Any earlier setup link stops working (the command says so). The link works once, for 24
    hours. With an admin account already there, use `users reset-password` instead.

    Example: flask --app app users setup-link
    """
    from .db import connect
    from .store import accounts

    db = connect(current_app.config["DATABASE"])
    try:
        if accounts.admin_count(db):
            raise click.ClickException(
                "there is already an admin account: to get back into it, use "
                "flask --app app users reset-password EMAIL"
            )
        token, earlier = accounts.replace_setup_link(db)
    finally:
        db.conn.close()
    click.echo("Create the first admin (the link works once, for 24 hours):")
    click.echo(f"  {public_url()}/staff/setup/{token}")
    if earlier is not None:
        made = datetime.fromisoformat(earlier["created_at"]).strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"The earlier setup link (made {made}) no longer works.")
    link_note()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Copy the database to PATH while the app keeps serving (SQLite's online backup).

    The copy is consistent: it holds every answer saved before the copy began.

    Example: flask --app app backup /var/backups/starting-point-$(date +%F).db
    """
    from .db import backup

    target = Path(path)
    if target.exists():
        raise click.ClickException(f"{path} already exists: choose a new file")
    pages = backup(current_app.config["DATABASE"], target)
    click.echo(f"Backed up {pages} pages to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: str, yes: bool) -> None:
    """Replace the database with the backup at PATH (checked first). Stop the app first.

    Everything saved since that backup is lost, so it asks before going on.

    Example: flask --app app restore /var/backups/starting-point-2026-11-01.db --yes
    """
    from .db import RestoreError, restore

    if not yes:
        click.confirm(f"Replace {current_app.config['DATABASE']} with {path}?", abort=True)
    try:
        restore(path, current_app.config["DATABASE"])
    except RestoreError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Restored {path}")


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Only list who would be erased.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Erase learners archived longer ago than RETENTION_MONTHS (default 36), and the details
    of workplace contacts whose link stopped working longer ago than WORKPLACE_RETENTION_MONTHS
    (default 12).

    Each erasure leaves one anonymised audit entry. Run it from cron, e.g. monthly.

    Example: flask --app app retention --dry-run
    """
    from .db import connect
    from .store import records

    cutoff = _months_ago("RETENTION_MONTHS")
    contacts_cutoff = _months_ago("WORKPLACE_RETENTION_MONTHS")
    db = connect(current_app.config["DATABASE"])
    try:
        ended = records.contacts_ended_before(db, contacts_cutoff)
        for contact in ended:
            if not dry_run:
                records.erase_contact(db, contact["id"], "retention")
            _erased(
                dry_run,
                f"the details of workplace contact #{contact['id']}",
                "link stopped",
                contact["ended_at"],
            )
        months = int(current_app.config["RETENTION_MONTHS"])
        due = records.learners_archived_before(db, cutoff)
        for row in due:
            if not dry_run:
                records.erase_learner(db, row["id"], "retention")
            _erased(dry_run, f"learner #{row['id']}", "archived", row["archived_at"])
        click.echo(
            f"{len(due)} learner(s) archived more than {months} months ago"
            f"{' (dry run: nothing erased)' if dry_run else ' erased'}"
        )
        wait = int(current_app.config["WORKPLACE_RETENTION_MONTHS"])
        click.echo(
            f"{len(ended)} workplace contact(s) whose link stopped more than {wait} months ago"
            f"{' (dry run: nothing erased)' if dry_run else ': details erased'}"
        )
        since = None if dry_run else records.erasure_unfinished(db)
        if since and not records.finish_erasure(db, current_app.config["ERASE_WAIT_SECONDS"]):
            raise click.ClickException(
                "erased from every table, but not yet erased from the disk: another program (a "
                "backup, a report, an sqlite3 shell) is reading the database, so its "
                "write-ahead log still holds a copy. Close it, then run this command again."
            )
        if since:
            click.echo("Erased learners are now erased from the disk too.")
    finally:
        db.conn.close()


def _erased(dry_run: bool, what: str, since: str, when: str) -> None:
    click.echo(f"{'would erase' if dry_run else 'erased'} {what} ({since} {when[:10]})")


def _months_ago(setting: str) -> str:
    """The moment `setting` months ago; a setting that is not a number of months stops here."""
    from datetime import UTC, datetime, timedelta

    months = int(current_app.config.get(setting) or 0)
    if months <= 0:
        raise click.ClickException(f"{setting} is not set to a number of months")
    return (datetime.now(UTC) - timedelta(days=round(months * 30.44))).isoformat(timespec="seconds")


def register(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(plan_command)
    app.cli.add_command(learners_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_command)
