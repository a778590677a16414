"""Flask-WTF forms, and every rule about posted data: the web and the CLI both go through them.

Questionnaire pages are radio groups, one per statement or job question. A field's name says
what it answers ("r-F1-1.2" a rating of F1:1.2, "c-writing" a job question, "a-F1:1.2" the
assessor's rating): the codec below is the only place those names are made and read.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .catalogue import RULE_KIND_NAMES, Entered, RuleRow
from .centre import Centre
from .content import ANSWERS, Context, FundingProfile, Qualification, Statement, Unit
from .initial_assessment import ITEMS as CHECKLIST
from .initial_assessment import NOTE_MAX as CHECKLIST_NOTE_MAX
from .initial_assessment import cannot_tick
from .plans import (
    EVIDENCE,
    OBSERVERS,
    OUTCOMES,
    STATUSES,
    TEXT_MAX,
    PlanRow,
    row_problems,
)
from .prior_learning import EVIDENCE_MAX, REASON_MAX
from .sampling import COMMENT_MAX, DECISIONS, part_choices
from .scoring import RATINGS
from .testimonies import FIELD_NAMES as TESTIMONY_FIELDS
from .testimonies import LIMITS as TESTIMONY_LIMITS
from .testimonies import missing_fields
from .workplace import CONTACT_ROLES, RELATIONSHIPS, SCALE, SCALE_VALUES
from .workplace import NOTE_MAX as CLAIM_NOTE_MAX

OTHER_ROLE = "other"  # the job select's "Something else": the learner's own words follow
ANSWER_LABELS = {"yes": "Yes", "sometimes": "Sometimes", "no": "No"}
RATING_VALUES = tuple(str(r) for r in RATINGS)  # as a form posts them


# ---- field names: what each answers ------------------------------------------------------


def rating_field_name(statement_id: str) -> str:
    """A form field name for a statement id ("F1:1.2" -> "r-F1-1.2")."""
    return "r-" + statement_id.replace(":", "-")


def statement_of_field(name: str) -> str | None:
    """The statement id a rating field answers ("r-F1-1.2" -> "F1:1.2"), if it is one."""
    return name[2:].replace("-", ":", 1) if name.startswith("r-") else None


def context_field_name(context_id: str) -> str:
    return "c-" + context_id


def context_of_field(name: str) -> str | None:
    return name[2:] if name.startswith("c-") else None


def assessor_field_name(statement_id: str) -> str:
    """The gap report's menu for the assessor's rating of a statement ("a-F1:1.2")."""
    return "a-" + statement_id


def statement_of_assessor_field(name: str) -> str | None:
    return name[2:] if name.startswith("a-") else None


def interest_field_name() -> str:
    return "interests"


def workplace_field_name(statement_id: str) -> str:
    """A workplace contact's rating of a claim ("F1:1.2" -> "w-F1-1.2")."""
    return "w-" + statement_id.replace(":", "-")


def note_field_name(statement_id: str) -> str:
    """A workplace contact's note on a claim ("F1:1.2" -> "n-F1-1.2")."""
    return "n-" + statement_id.replace(":", "-")


def statement_of_workplace_field(name: str) -> tuple[str, str] | None:
    """("rating" or "note", statement id) for a workplace field name, if it is one."""
    kinds = {"w-": "rating", "n-": "note"}
    if name[:2] not in kinds:
        return None
    return kinds[name[:2]], name[2:].replace("-", ":", 1)


class ActionForm(FlaskForm):
    """A form with no fields: its CSRF token guards a one-click POST."""


class CodeForm(FlaskForm):
    code = StringField(
        "Your personal code",
        validators=[DataRequired("Type the code from your card or message."), Length(max=500)],
        description="It is on the card or message from your assessor, e.g. abcd-efgh-…. "
        "You can also paste your whole personal link.",
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RadioGroup:
    """One question answered by one of a few options (a rating, or yes/sometimes/no).

    Validated here and written straight into the template: building dozens of WTForms radio
    widgets was most of the cost of a questionnaire page.
    """

    def __init__(
        self,
        name: str,
        legend: str,
        options: Iterable[tuple[str, str]],
        help: str = "",
        uncertain: bool = False,
        data: str | None = None,
    ) -> None:
        self.name = self.id = name
        self.legend, self.help, self.uncertain = legend, help, uncertain
        # (input id, value, label) for each option, in order
        self.options = tuple((f"{name}-{i}", v, label) for i, (v, label) in enumerate(options))
        self.data = data  # the chosen value: the saved one, or what was just posted
        self.errors: list[str] = []

    def process(self, formdata: Mapping[str, str]) -> None:
        # an absent, blank or whitespace value means "no answer": the saved one stands
        value = str(formdata.get(self.name, "")).strip()
        if value:
            self.data = value

    def validate(self) -> bool:
        if self.data is not None and all(v != self.data for _, v, _ in self.options):
            self.errors.append("Choose one of the answers shown.")
        return not self.errors


class ChoicesForm(FlaskForm):
    """Radio groups (see RadioGroup) plus any WTForms fields, with Flask-WTF's CSRF token."""

    def __init__(self, groups: Iterable[RadioGroup], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.groups = {g.name: g for g in groups}
        if self.is_submitted():
            for g in self.groups.values():
                g.process(request.form)

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate(extra_validators)
        return all([g.validate() for g in self.groups.values()]) and ok

    @property
    def errors(self) -> dict[str, list[str]]:
        found = dict(super().errors)
        found.update({g.name: g.errors for g in self.groups.values() if g.errors})
        return found

    def __getitem__(self, name: str) -> Any:
        group = self.groups.get(name)
        return group if group is not None else super().__getitem__(name)


def rating_group(q: Qualification, statement: Statement, data: str | None = None) -> RadioGroup:
    return RadioGroup(
        rating_field_name(statement.id),
        statement.text,
        zip(RATING_VALUES, q.scales.labels(statement.kind)),
        help=" ".join(statement.help),
        uncertain=statement.uncertain,
        data=data,
    )


def rating_form(
    q: Qualification, statements: Iterable[Statement], data: Mapping[str, str] | None = None
) -> ChoicesForm:
    """A form with one four-point radio group per statement."""
    data = data or {}
    statements = tuple(statements)
    form = ChoicesForm(rating_group(q, s, data.get(rating_field_name(s.id))) for s in statements)
    form.statements = statements
    return form


class BlankableSelectField(SelectField):
    """A select whose blank or whitespace value means "not chosen"."""

    def process_formdata(self, valuelist: list) -> None:
        if valuelist and not str(valuelist[0]).strip():
            valuelist = [""]
        super().process_formdata(valuelist)


JOB_TITLE_MAX = 100  # characters of a job's title, as a learner or their assessor writes it


def job_role_choices(q: Qualification) -> list[SelectChoice]:
    """The job select: none yet, the seed's roles by level, or something else."""
    return (
        [SelectChoice("", "Choose your job…")]
        + [SelectChoice(r.title, r.title, optgroup=f"Level {r.level} jobs") for r in q.roles]
        + [SelectChoice(OTHER_ROLE, "Something else")]
    )


def job_role_fields(q: Qualification, title: str) -> tuple[str, str]:
    """A job as staff write it, as it is kept: (a listed role, "") or ("other", their words)."""
    title = title.strip()
    if not title or q.role(title) is not None:
        return title, ""
    return OTHER_ROLE, title


class JobForm(ChoicesForm):
    job_role = BlankableSelectField(
        "Which of these is closest to your job?", validators=[Optional()], choices=[]
    )
    job_role_other = StringField(
        "If something else, what is your job called?",
        validators=[
            Optional(),
            Length(max=JOB_TITLE_MAX, message=f"Keep it under {JOB_TITLE_MAX} characters."),
        ],
    )
    contexts: tuple[Context, ...] = ()

    def role_fields(self) -> tuple[str, str] | None:
        """(role, the learner's own words) as posted; None if either is wrong (it stands)."""
        if self.job_role.errors or self.job_role_other.errors:
            return None
        role = self.job_role.data or ""
        other = (self.job_role_other.data or "").strip()
        return role, other if role == OTHER_ROLE else ""


def job_form(
    q: Qualification, contexts: Mapping[str, str], job: tuple[str, str] = ("", "")
) -> JobForm:
    """The job page: job role from the seed's lists, or other, and the job-context questions,
    showing the saved answers (`contexts`) and the job kept as (role, own words)."""
    role, other = job
    form = JobForm(
        (context_group(c, contexts.get(c.id)) for c in q.contexts),
        data={"job_role": OTHER_ROLE if other else role, "job_role_other": other},
    )
    form.job_role.choices = job_role_choices(q)
    form.contexts = q.contexts
    return form


def context_group(c: Context, data: str | None = None) -> RadioGroup:
    return RadioGroup(
        context_field_name(c.id),
        c.question,
        ((a, ANSWER_LABELS[a]) for a in ANSWERS),
        help=c.help,
        data=data,
    )


def interests_form(units: Iterable[Unit], data: dict[str, Any] | None = None) -> FlaskForm:
    units = tuple(units)

    class InterestsForm(FlaskForm):
        interests = MultiCheckboxField(
            "Units that interest you",
            choices=[SelectChoice(u.number, f"{u.number} {u.title}") for u in units],
            validators=[Optional()],
        )

    form = InterestsForm(data=data)
    form.units = units
    return form


# ---- one answer, saved as it is tapped --------------------------------------------------


class AnswerRefused(ValueError):
    """A tapped answer that cannot be kept; the message says why, for the learner."""


@dataclass(frozen=True)
class OneAnswer:
    kind: str  # rating, context, job_role, job_role_other, interest
    item: str  # the statement, question or unit it answers ("" for the job)
    value: Any

    def job(self, role: str, other: str) -> tuple[str, str]:
        """The job once this tap changes one of its two fields: a listed role drops the
        learner's own words; their own words make it "something else"."""
        if self.kind == "job_role":
            return self.value, other if self.value == OTHER_ROLE else ""
        return (OTHER_ROLE if self.value else role), self.value


def read_one_answer(q: Qualification, name: str, value: str) -> OneAnswer:
    """One posted field, checked by the same rule as the page's own field; AnswerRefused if not.

    (The words differ from the page's: the script shows them beside the answer it could not
    send.)
    """
    if (statement_id := statement_of_field(name)) is not None:
        statement = q.statement(statement_id)
        if statement is None:
            raise AnswerRefused("That statement is not part of this assessment.")
        if not rating_group(q, statement, value).validate():
            raise AnswerRefused("A rating must be one of the four choices.")
        return OneAnswer("rating", statement_id, int(value))
    if (context_id := context_of_field(name)) is not None:
        context = q.context(context_id)
        if context is None:
            raise AnswerRefused("That question is not part of this assessment.")
        if not context_group(context, value).validate():
            raise AnswerRefused("Choose yes, sometimes or no.")
        return OneAnswer("context", context_id, value)
    if name == "job_role":
        if value not in {c.value for c in job_role_choices(q)}:
            raise AnswerRefused("Choose a job from the list, or Something else.")
        return OneAnswer("job_role", "", value)
    if name == "job_role_other":
        if len(value) > JOB_TITLE_MAX:
            raise AnswerRefused(f"Keep your job title under {JOB_TITLE_MAX} characters.")
        return OneAnswer("job_role_other", "", value.strip())
    if name == interest_field_name():
        unit, _, wanted = value.partition(":")
        if q.unit(unit) is None or wanted not in ("1", "0"):
            raise AnswerRefused("That unit is not part of this qualification.")
        return OneAnswer("interest", unit, wanted == "1")
    raise AnswerRefused("That answer could not be saved: unknown field.")


# ---- staff ------------------------------------------------------------------------------------


class EmailLikeField(StringField):
    """An email address: one @, something either side, no spaces (no extra dependency)."""

    def pre_validate(self, form: object) -> None:
        value = (self.data or "").strip()
        local, _, domain = value.partition("@")
        if value and (not local or "." not in domain or " " in value or value.count("@") != 1):
            raise ValidationError("Enter an email address like name@example.org.")


NAME_MAX = 120  # characters of a person's name: a learner's, a staff member's, a signature
EMAIL_MAX = 254  # characters of an email address (RFC 5321)
PASSWORD_MIN, PASSWORD_MAX = 12, 200
PASSWORD_HELP = (  # noqa: S105
    f"At least {PASSWORD_MIN} characters. A few unrelated words make a good one."
)
ROLE_CHOICES = (
    SelectChoice("assessor", "Assessor: works with their own learners"),
    SelectChoice("verifier", "Internal verifier: reads everything, changes nothing"),
    SelectChoice("admin", "Centre admin: staff accounts and every learner"),
)
ROLES = tuple(c.value for c in ROLE_CHOICES)


class LoginForm(FlaskForm):
    email = StringField(
        "Email", validators=[DataRequired("Enter your email."), Length(max=EMAIL_MAX)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=PASSWORD_MAX)]
    )


def new_password(label: str) -> Any:
    """A password being chosen: the one rule for every new password (account, change, reset)."""
    return PasswordField(
        label,
        description=PASSWORD_HELP,
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters.",
            ),
        ],
    )


def password_again(label: str) -> Any:
    return PasswordField(
        label, validators=[EqualTo("password", message="The two passwords are not the same.")]
    )


def staff_name(label: str, missing: str) -> Any:
    return StringField(label, validators=[DataRequired(missing), Length(max=NAME_MAX)])


class AccountFields(Form):
    """A new staff account: through the setup link, the users page or `flask users create`."""

    name = staff_name("Your name", "Enter your name.")
    email = EmailLikeField(
        "Email", validators=[DataRequired("Enter your email."), Length(max=EMAIL_MAX)]
    )
    password = new_password("Password")
    confirm = password_again("Password again")


class StaffFields(AccountFields):
    """Someone else's account, made by an admin (the page) or on the command line."""

    name = staff_name("Their name", "Enter their name.")
    role = SelectField("Role", choices=list(ROLE_CHOICES))


class SetupForm(FlaskForm, AccountFields):
    """The first admin, through the setup link."""


class StaffForm(FlaskForm, StaffFields):
    """An account an admin adds on the users page."""


def new_request_key() -> str:
    return secrets.token_urlsafe(18)


def request_key_field() -> HiddenField:
    """A one-time key made when the form is shown: the same form sent twice is seen as such."""
    return HiddenField(
        default=new_request_key,
        validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$", message="Reload the page.")],
    )


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class LearnerDetails(TypedDict):
    """A learner's details as they are kept."""

    name: str
    candidate_number: str
    job_role: str
    job_role_other: str
    qualification: str


class LearnerFields(Form):
    """A learner as staff add them: on the learners page, a pasted line, `flask learners add`."""

    name = StringField(
        "Learner's name",
        validators=[DataRequired("Enter the learner's name."), Length(max=NAME_MAX)],
        filters=[_strip],
    )
    candidate_number = StringField(
        "OCR candidate number (if known)",
        validators=[Optional(), Length(max=40)],
        filters=[_strip],
    )
    job_role = StringField(
        "Job role",
        validators=[Optional(), Length(max=JOB_TITLE_MAX)],
        description="As the learner would say it, e.g. Call Centre Operator.",
        filters=[_strip],
    )
    # the code of the qualification they are enrolled on; empty: the centre's default
    qualification = StringField("Qualification", validators=[Optional()], filters=[_strip])

    def learner(self, q: Qualification) -> LearnerDetails:
        """The learner's details as they are kept (a job not on the list is kept as "other"),
        enrolled on `q`, the qualification chosen (whose job roles the job is read against)."""
        role, other = job_role_fields(q, self.job_role.data or "")
        return {
            "name": self.name.data or "",
            "candidate_number": self.candidate_number.data or "",
            "job_role": role,
            "job_role_other": other,
            "qualification": q.code,
        }

    def chosen_qualification(self, codes: Iterable[str]) -> str | None:
        """The code chosen, the first of `codes` (the default) when none is; None (and a message
        on the field) when it names no qualification served here."""
        code = self.qualification.data or ""
        known = list(codes)
        if not code:
            return known[0]
        found = next((c for c in known if c.lower() == code.lower()), None)
        if found is None:
            self.qualification.errors = [
                f"There is no qualification {code!r} here: choose one of {', '.join(known)}."
            ]
        return found


class LearnerForm(FlaskForm, LearnerFields):
    request_key = request_key_field()
    assessor = SelectField("Assessor", validators=[Optional()], choices=[])
    qualification = SelectField(
        "Qualification", validators=[Optional()], choices=[], validate_choice=False
    )


PASTE_MAX = 500  # learners added by one paste


LINE_COLUMNS = ("name", "candidate_number", "job_role", "qualification")


def read_learner_lines(
    text: str, codes: Iterable[str] = ()
) -> tuple[list[tuple[LearnerFields, str]], list[str]]:
    """Pasted lines (name, candidate number, job role, qualification code) checked as the
    one-learner form checks them, each with the code of the qualification it enrols on (the
    first of `codes`, the default, when the line names none); a message for each line skipped."""
    known = list(codes)
    lines, problems = [], []
    for number, cells in enumerate(csv.reader(io.StringIO(text.strip())), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() in ("name", "learner", "learner name"):
            continue  # a line of headings
        line = LearnerFields(MultiDict(zip(LINE_COLUMNS, cells)))
        if not line.validate():
            why = "too long" if line.name.data else "no name"
            problems.append(f"Line {number}: {why}, so it was skipped.")
            continue
        code = line.chosen_qualification(known) if known else ""
        if code is None:
            problems.append(f"Line {number}: {line.qualification.errors[0]} It was skipped.")
            continue
        lines.append((line, code))
    return lines, problems


class LearnerCsvForm(FlaskForm):
    request_key = request_key_field()
    rows = TextAreaField(
        "Paste learners, one a line: name, candidate number, job role, qualification",
        validators=[DataRequired("Paste at least one line."), Length(max=100_000)],
        description="Columns are separated by commas; a first line of headings is skipped. "
        "The qualification is its code; leave it out for the first one in the list.",
    )


class PlanForm(FlaskForm):
    units = MultiCheckboxField("Optional units in the plan", choices=[])


class DayField(DateField):
    """A date input (a calendar on phones and laptops); a date it cannot read says so."""

    def process_formdata(self, valuelist: list) -> None:
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Enter a date, e.g. 14/03/2027.") from None

    def iso(self) -> str:
        return self.data.isoformat() if self.data else ""


def _text(field: Any) -> str:
    return (field.data or "").strip()


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, words) pairs as a field's choices."""
    return [SelectChoice(value, words) for value, words in pairs]


class PlanRowForm(FlaskForm):
    """An activity of the assessment plan: added on the plan page, changed on its own page."""

    request_key = request_key_field()
    planned_on = DayField("Date", validators=[InputRequired("Give the date.")])
    observed_when = StringField(
        "Time (if it matters)",
        validators=[Optional(), Length(max=TEXT_MAX["observed_when"])],
        description="e.g. morning shift, 9 to 11",
    )
    observed_where = StringField(
        "Where",
        validators=[DataRequired("Say where."), Length(max=TEXT_MAX["observed_where"])],
    )
    activity = TextAreaField(
        "What the learner will be doing",
        validators=[DataRequired("Say what they will do."), Length(max=TEXT_MAX["activity"])],
    )
    criteria = MultiCheckboxField("Criteria this activity will evidence", choices=[])
    evidence = MultiCheckboxField("How it will be evidenced", choices=options(EVIDENCE))
    observer = RadioField("Who observes", choices=options(OBSERVERS), default="assessor")
    witness_name = StringField(
        "Expert witness's name", validators=[Optional(), Length(max=TEXT_MAX["witness_name"])]
    )
    witness_role = StringField(
        "Their job title, and how they know the learner",
        validators=[Optional(), Length(max=TEXT_MAX["witness_role"])],
        description="e.g. Shift supervisor, the learner's line manager",
    )
    witness_contact = StringField(
        "Their telephone or email",
        validators=[Optional(), Length(max=TEXT_MAX["witness_contact"])],
    )
    review_on = DayField("Review date", validators=[Optional()])
    qualification: Qualification | None = None
    units: tuple[str, ...] = ()

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate(extra_validators)
        if self.qualification is None:
            return ok
        # the plan's own rules (plans.row_problems), said at the field they are about
        for name, message in row_problems(self.qualification, self.row(), self.units).items():
            field = getattr(self, name, None)
            if field is not None and message not in field.errors and not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        return ok

    def row(self) -> PlanRow:
        """The activity as it is kept."""
        witness = self.observer.data == "witness"
        return PlanRow(
            planned_on=self.planned_on.iso(),
            observed_when=_text(self.observed_when),
            observed_where=_text(self.observed_where),
            activity=_text(self.activity),
            evidence=tuple(e for e, _ in EVIDENCE if e in (self.evidence.data or [])),
            criteria=tuple(
                c.value for c in self.criteria.choices if c.value in (self.criteria.data or [])
            ),
            observer=self.observer.data or "",
            witness_name=_text(self.witness_name) if witness else "",
            witness_role=_text(self.witness_role) if witness else "",
            witness_contact=_text(self.witness_contact) if witness else "",
            review_on=self.review_on.iso(),
            **self.progress(),
        )

    def progress(self) -> dict[str, str]:
        return {}

    def criteria_by_unit(self) -> list[tuple[Unit, list[Any]]]:
        """The criteria checkboxes, unit by unit, for the page."""
        q = self.qualification
        groups: dict[str, list[Any]] = {}
        for option in self.criteria:
            groups.setdefault(option.data.split(":", 1)[0], []).append(option)
        return [(u, groups[n]) for n in self.units if (u := q.unit(n)) and n in groups] if q else []


class PlanRowEditForm(PlanRowForm):
    """The same, with what became of it: done (outcome, feedback) or cancelled (why)."""

    version = HiddenField()  # the row's version when the form was shown
    status = RadioField("Status", choices=options(STATUSES), default="planned")
    completed_on = DayField("Done on", validators=[Optional()])
    outcome = RadioField("Outcome", choices=options(OUTCOMES), validators=[Optional()])
    feedback = TextAreaField(
        "Feedback given to the learner, or why it was cancelled",
        validators=[Optional(), Length(max=TEXT_MAX["feedback"])],
    )

    def progress(self) -> dict[str, str]:
        status = self.status.data or ""
        return {
            "status": status,
            "outcome": (self.outcome.data or "") if status == "done" else "",
            "feedback": _text(self.feedback) if status in ("done", "cancelled") else "",
            "completed_on": self.completed_on.iso() if status == "done" else "",
        }


def criterion_choices(q: Qualification, units: Iterable[str]) -> list[SelectChoice]:
    """Each criterion of these units (for a unit still awaiting its criteria, the unit as a
    whole), labelled with its number and words."""
    found = []
    for n in units:
        unit = q.unit(n)
        if unit is None:
            continue
        if unit.awaiting_criteria:
            found.append((unit.unit_statement_id, f"{n} as a whole: {unit.title}"))
        else:
            found += [(c.id, f"{c.number} {c.text}") for c in unit.criteria]
    return options(found)


def plan_row_form(
    q: Qualification,
    units: Sequence[str],
    row: Mapping[str, Any] | None = None,
    edit: bool = False,
) -> PlanRowForm:
    """A row of the assessment plan covering `units` (plans.plan_units): a new one or, to
    change a kept row (`edit`), showing `row` as it is kept."""
    data = None
    if row is not None:
        data = dict(row)
        for name in ("planned_on", "review_on", "completed_on"):
            data[name] = date.fromisoformat(row[name]) if row.get(name) else None
        data["version"] = row["version"]
    form = PlanRowEditForm(data=data) if edit else PlanRowForm(data=data)
    form.criteria.choices = criterion_choices(q, units)
    form.qualification = q
    form.units = tuple(units)
    return form


class MoveForm(FlaskForm):
    """Move a learner to another qualification (the level check): where to, and why."""

    qualification = SelectField(
        "Move to", choices=[], validators=[DataRequired("Choose the qualification.")]
    )
    reason = TextAreaField(
        "Why",
        validators=[DataRequired("Say why, for the audit trail."), Length(max=1000)],
        description="e.g. Team leader role: the Level 3 list. Agreed with the learner.",
        filters=[_strip],
    )


class SignForm(FlaskForm):
    name = StringField(
        "Type your full name to sign",
        validators=[DataRequired("Type your name to sign."), Length(max=NAME_MAX)],
    )


class AssessorRatingsForm(FlaskForm):
    """The gap report's rating menus, one per statement (assessor_field_name): blank takes
    the assessor's rating away, otherwise one of the four ratings."""

    def ratings(self, q: Qualification) -> tuple[dict[str, int | None], list[str]]:
        """(statement id -> rating or None, the statements whose value was not one)."""
        values: dict[str, int | None] = {}
        refused = []
        for name, value in request.form.items():
            statement_id = statement_of_assessor_field(name)
            if statement_id is None:
                continue
            if q.statement(statement_id) is None or value not in ("", *RATING_VALUES):
                refused.append(statement_id)
                continue
            values[statement_id] = int(value) if value else None
        return values, refused


# ---- the learner's record, the initial-assessment conversation, the centre ------------------

CONTACT_MAX = 200  # characters of a telephone number, an employer's name, ...
ADDRESS_MAX = 500


def optional_text(label: str, limit: int, field: type = StringField, **kw: Any) -> Any:
    """A free-text field that may be left empty: stripped, at most `limit` characters."""
    return field(label, validators=[Optional(), Length(max=limit)], filters=[_strip], **kw)


class LearnerRecordForm(FlaskForm, LearnerFields):
    """The learner's record: what the portfolio's introductory section says about them."""

    email = optional_text("Email", EMAIL_MAX, EmailLikeField)
    phone = optional_text("Telephone", CONTACT_MAX)
    address = optional_text("Home address", ADDRESS_MAX, TextAreaField)
    employer = optional_text("Employer", CONTACT_MAX)
    workplace = optional_text(
        "Workplace",
        ADDRESS_MAX,
        TextAreaField,
        description="Where they work and are assessed: the site's name and address.",
    )
    start_on = DayField("Programme start date", validators=[Optional()])
    planned_end_on = DayField("Planned end date", validators=[Optional()])

    def validate_planned_end_on(self, field: DayField) -> None:
        if field.data and self.start_on.data and field.data < self.start_on.data:
            raise ValidationError("The planned end comes after the start.")

    def record(self, q: Qualification) -> tuple[dict[str, str | None], tuple[str, str]]:
        """(the record's fields as kept, the job as (role, own words))."""
        fields = self.learner(q)
        values: dict[str, str | None] = {
            "name": fields["name"],
            "candidate_number": fields["candidate_number"],
            "email": self.email.data or "",
            "phone": self.phone.data or "",
            "address": self.address.data or "",
            "employer": self.employer.data or "",
            "workplace": self.workplace.data or "",
            "start_on": self.start_on.iso() or None,
            "planned_end_on": self.planned_end_on.iso() or None,
        }
        return values, (fields["job_role"], fields["job_role_other"])


def learner_record_form(q: Qualification, learner: Mapping[str, Any]) -> LearnerRecordForm:
    """The record form, showing what is kept (the job as staff would write it)."""
    data = {k: learner.get(k) for k in ("name", "candidate_number", "email", "phone")}
    data |= {k: learner.get(k) for k in ("address", "employer", "workplace")}
    data["job_role"] = learner.get("job_role_other") or learner.get("job_role") or ""
    for name in ("start_on", "planned_end_on"):
        data[name] = date.fromisoformat(learner[name]) if learner.get(name) else None
    return LearnerRecordForm(formdata=None, data=data)  # as kept, whatever was posted


def checklist_field(kind: str, item_id: str) -> str:
    """A checklist form field's name: "tick-level", "on-level", "notes-level"."""
    return f"{kind}-{item_id}"


class ChecklistForm(FlaskForm):
    """The initial-assessment conversation: for each point a tick, the day and a note."""

    def points(
        self, units_confirmed: bool, plan_rows: int
    ) -> tuple[dict[str, tuple[bool, str | None, str]], dict[str, str]]:
        """(item -> (ticked, day, note) as posted, item -> what is wrong with it)."""
        values: dict[str, tuple[bool, str | None, str]] = {}
        problems: dict[str, str] = {}
        for i in CHECKLIST:
            ticked = request.form.get(checklist_field("tick", i.id)) == "1"
            typed = request.form.get(checklist_field("on", i.id), "").strip()
            notes = request.form.get(checklist_field("notes", i.id), "").strip()
            try:
                on = date.fromisoformat(typed).isoformat() if typed else None
            except ValueError:
                problems[i.id] = "Enter the day it was talked through, e.g. 14/03/2027."
                continue
            if len(notes) > CHECKLIST_NOTE_MAX:
                problems[i.id] = f"Keep the note under {CHECKLIST_NOTE_MAX} characters."
            elif ticked and (why := cannot_tick(i.id, units_confirmed, plan_rows)):
                problems[i.id] = why
            elif ticked and not on:
                problems[i.id] = "Give the day you talked it through."
            elif ticked and not notes:
                problems[i.id] = "Write a note of what you talked through."
            values[i.id] = (ticked, on, notes)
        return values, problems


class CentreForm(FlaskForm):
    """The centre's details (for every portfolio) and its contracts' wording."""

    name = optional_text("Centre name", CONTACT_MAX)
    number = optional_text("Centre number", 40)
    address = optional_text("Address", ADDRESS_MAX, TextAreaField)
    phone = optional_text("Telephone", CONTACT_MAX)
    email = optional_text("Email", EMAIL_MAX, EmailLikeField)
    contact = optional_text(
        "Who to contact", CONTACT_MAX, description="A name, or a role such as the quality nominee."
    )
    review_frequency = StringField(
        "How often progress is reviewed",
        validators=[DataRequired("Say how often."), Length(max=CONTACT_MAX)],
        filters=[_strip],
    )
    assessor_responsibilities = TextAreaField(
        "What the assessor will do",
        validators=[DataRequired("List what the assessor will do."), Length(max=4000)],
        description="One a line.",
        filters=[_strip],
    )
    learner_responsibilities = TextAreaField(
        "What the learner will do",
        validators=[DataRequired("List what the learner will do."), Length(max=4000)],
        description="One a line.",
        filters=[_strip],
    )
    appeals = TextAreaField(
        "How to appeal against an assessment decision",
        validators=[DataRequired("Say how to appeal."), Length(max=4000)],
        filters=[_strip],
    )

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in Centre().as_dict()}


class SampleForm(FlaskForm):
    """An internal verifier's sample of a learner."""

    request_key = request_key_field()
    parts = MultiCheckboxField("What you sampled", choices=[])
    decision = RadioField("Decision", choices=options(DECISIONS))
    comment = TextAreaField(
        "Comment",
        validators=[DataRequired("Write your comment."), Length(max=COMMENT_MAX)],
        description="What you looked at, what you found, and any action for the assessor.",
        filters=[_strip],
    )

    def validate_parts(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError("Tick what you sampled.")


def sample_form(
    q: Qualification, units: Sequence[str], sample: Mapping[str, Any] | None = None
) -> SampleForm:
    """A new sample of a learner taking `units`, or (`sample`) a kept one to change."""
    # a kept sample is shown as kept, whatever this request posted
    form = SampleForm(formdata=None, data=dict(sample)) if sample else SampleForm()
    form.parts.choices = options(part_choices(q, units))
    return form


class PasswordFields(Form):
    password = new_password("New password")
    confirm = password_again("New password again")


class ResetPasswordForm(FlaskForm, PasswordFields):
    """A new password through a one-time reset link."""


class ChangePasswordForm(FlaskForm, PasswordFields):
    """A new password for one's own account."""

    current = PasswordField(
        "Your current password",
        validators=[DataRequired("Enter your current password."), Length(max=PASSWORD_MAX)],
    )


class LinkRequestForm(FlaskForm):
    """A button that makes new personal links: its one-time key keeps a refresh from making
    them again."""

    request_key = request_key_field()
    learner = SelectMultipleField("Learners", choices=[], coerce=int, validate_choice=False)


# ---- the prior-learning ledger ------------------------------------------------------------------


def evidence_field_name(statement_id: str) -> str:
    """The ledger's field for the evidence named for a statement ("F1:1.2" -> "ev-F1:1.2")."""
    return f"ev-{statement_id}"


def unit_reason_field_name(unit: str) -> str:
    return f"why-{unit}"


class LedgerEvidenceForm(FlaskForm):
    """The evidence the assessor names for each criterion rated "could show evidence now";
    blank takes it away (and the criterion then no longer counts as met)."""

    def evidence(self, allowed: Iterable[str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
        """(statement id -> evidence, statement id -> problem, names that are not ours)."""
        wanted = set(allowed)
        values: dict[str, str] = {}
        problems: dict[str, str] = {}
        refused = []
        for name, value in request.form.items():
            if not name.startswith("ev-"):
                continue
            statement_id = name[3:]
            if statement_id not in wanted:
                refused.append(statement_id)
                continue
            text = " ".join(value.split())
            if len(text) > EVIDENCE_MAX:
                problems[statement_id] = (
                    f"Keep it to {EVIDENCE_MAX} characters (this is {len(text)}): name the "
                    "evidence, and keep the detail in the portfolio."
                )
                continue
            values[statement_id] = text
        return values, problems, refused


def _whole_number(text: str | None) -> str:
    return (text or "").strip().replace(",", "").replace("£", "").replace(" ", "")


class LedgerFundingForm(FlaskForm):
    """The funding profile for the learner, and what the centre agreed for an apprenticeship."""

    profile = SelectField("Funding profile", choices=[], validate_choice=False)
    agreed_price = StringField(
        "Agreed price (£)",
        validators=[Length(max=20)],
        description="Whole pounds, as agreed with the employer, e.g. 3000",
    )
    planned_months = StringField(
        "Planned duration (months)", validators=[Length(max=20)], description="e.g. 12"
    )
    off_the_job_hours = StringField(
        "Off-the-job training hours", validators=[Length(max=20)], description="e.g. 300"
    )
    qualification: Qualification | None = None

    LIMITS = {  # field -> (lowest, highest, how a user says it)
        "agreed_price": (0, 10_000_000, "a whole number of pounds, like 3000"),
        "planned_months": (1, 120, "a whole number of months, like 12"),
        "off_the_job_hours": (1, 100_000, "a whole number of hours, like 300"),
    }

    def validate_profile(self, field: SelectField) -> None:
        if field.data and (self.qualification is None or not self._profile()):
            raise ValidationError("Choose a funding profile from the list.")

    def _profile(self) -> FundingProfile | None:
        q = self.qualification
        return q.funding_profile(self.profile.data or "") if q else None

    def _number(self, name: str) -> None:
        field = getattr(self, name)
        low, high, say = self.LIMITS[name]
        text = _whole_number(field.data)
        words = str(field.label.text).split(" (")[0].lower()
        profile = self._profile()
        if not text:
            if profile is not None and profile.kind == "apprenticeship":
                raise ValidationError(f"Enter the {words}: the apprenticeship figures need it.")
            return
        if not (text.isascii() and text.isdigit()):
            raise ValidationError(f"Enter the {words} as {say}.")
        if not low <= int(text) <= high:
            raise ValidationError(f"Enter the {words} as {say}, from {low:,} to {high:,}.")

    def validate_agreed_price(self, field: StringField) -> None:
        self._number("agreed_price")

    def validate_planned_months(self, field: StringField) -> None:
        self._number("planned_months")

    def validate_off_the_job_hours(self, field: StringField) -> None:
        self._number("off_the_job_hours")

    def values(self) -> dict[str, Any]:
        """What is kept: the profile's id ("" for none) and whole numbers (None when blank)."""

        def number(field: StringField) -> int | None:
            text = _whole_number(field.data)
            return int(text) if text else None

        return {
            "profile": self.profile.data or "",
            "agreed_price": number(self.agreed_price),
            "planned_months": number(self.planned_months),
            "off_the_job_hours": number(self.off_the_job_hours),
        }


def ledger_funding_form(q: Qualification, saved: Mapping[str, Any] | None) -> LedgerFundingForm:
    data = None
    if saved and request.method == "GET":
        data = {k: "" if saved[k] is None else str(saved[k]) for k in LEDGER_FUNDING_FIELDS}
    form = LedgerFundingForm(data=data)
    form.profile.choices = [SelectChoice("", "None: show the hours only")] + [
        SelectChoice(f.id, f.title) for f in q.funding
    ]
    form.qualification = q
    return form


LEDGER_FUNDING_FIELDS = ("profile", "agreed_price", "planned_months", "off_the_job_hours")


class LedgerDecisionForm(FlaskForm):
    """The assessor's decision on the ledger: accept the figures (a unit given a reason is not
    reduced), or record why the prior learning does not reduce the content at all."""

    decision = RadioField(
        "Your decision",
        choices=[
            SelectChoice(
                "accepted", "Accept these figures (a unit with a reason above is not reduced)"
            ),
            SelectChoice("no-reduction", "The prior learning does not reduce the content"),
        ],
        validators=[DataRequired("Choose one.")],
    )
    reason = TextAreaField(
        "Why the prior learning does not reduce the content",
        validators=[Length(max=REASON_MAX)],
        description="Needed for the second choice, e.g. the same skill, but in a different setting",
    )
    version = HiddenField()

    def validate_reason(self, field: TextAreaField) -> None:
        if self.decision.data == "no-reduction" and not (field.data or "").strip():
            raise ValidationError("Say why the prior learning does not reduce the content.")

    def unit_reasons(self, units: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
        """(unit -> reason its prior learning does not reduce it, unit -> problem)."""
        reasons: dict[str, str] = {}
        problems: dict[str, str] = {}
        for unit in units:
            text = (request.form.get(unit_reason_field_name(unit)) or "").strip()
            if len(text) > REASON_MAX:
                problems[unit] = f"Keep the reason to {REASON_MAX} characters."
            elif text:
                reasons[unit] = text
        return reasons, problems


# ---- the workplace ---------------------------------------------------------------------------


class ContactFields(Form):
    """A workplace contact as the assessor invites them."""

    name = StringField(
        "Their name",
        validators=[DataRequired("Enter their name."), Length(max=NAME_MAX)],
        filters=[_strip],
    )
    job_title = StringField(
        "Their job title",
        validators=[DataRequired("Enter their job title."), Length(max=JOB_TITLE_MAX)],
        filters=[_strip],
        description="e.g. Customer Service Manager",
    )
    relationship = SelectField(
        "Their relationship to the learner",
        choices=[SelectChoice(v, w) for v, w in RELATIONSHIPS],
        default="line-manager",
    )
    role = SelectField(
        "What they are asked to do",
        choices=[SelectChoice(v, w) for v, w in CONTACT_ROLES],
        default="workplace",
    )
    email = EmailLikeField(
        "Email (optional)",
        validators=[Optional(), Length(max=EMAIL_MAX)],
        filters=[_strip],
    )
    phone = StringField(
        "Phone (optional)",
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+() .-]*$", message="Use digits, spaces and + ( ) - only."),
        ],
        filters=[_strip],
    )


class ContactForm(FlaskForm, ContactFields):
    request_key = request_key_field()


def claim_group(statement: Statement, data: str | None = None) -> RadioGroup:
    """A workplace contact's rating of one claim, on the contact's own scale."""
    # the learner's claim in their own words, quoted: the contact says what they have seen
    quoted = f"\u201c{statement.text}\u201d"
    return RadioGroup(workplace_field_name(statement.id), quoted, SCALE, data=data)


def job_confirm_form(
    q: Qualification, whose: str, saved: Mapping[str, str], learner: Mapping[str, str]
) -> ChoicesForm:
    """The contact's page of job questions: each asked about the learner (`whose`: "Sam's")
    by the question's label, with the learner's own answer shown beside it."""
    groups = []
    for c in q.contexts:
        group = RadioGroup(
            context_field_name(c.id),
            f"Does {whose} job involve {c.label}?",
            ((a, ANSWER_LABELS[a]) for a in ANSWERS),
            help=c.help,
            data=saved.get(c.id),
        )
        group.said = ANSWER_LABELS.get(learner.get(c.id, ""), "")  # type: ignore[attr-defined]
        groups.append(group)
    return ChoicesForm(groups)


def claims_form(
    statements: Iterable[Statement], saved: Mapping[str, str], notes: Mapping[str, str]
) -> ChoicesForm:
    """One claims page: a rating on the contact's scale and a short note per claim."""
    statements = tuple(statements)
    form = ChoicesForm(claim_group(s, saved.get(s.id)) for s in statements)
    form.statements = statements
    form.notes = {}
    form.note_errors = {}
    for s in statements:
        name = note_field_name(s.id)
        value = notes.get(s.id, "")
        if form.is_submitted() and name in request.form:
            value = request.form[name].strip()
            if len(value) > CLAIM_NOTE_MAX:
                form.note_errors[s.id] = f"Keep the note under {CLAIM_NOTE_MAX} characters."
        form.notes[s.id] = value
    return form


@dataclass(frozen=True)
class WorkplaceAnswer:
    kind: str  # context, rating, note
    item: str  # the job question or statement it answers
    value: str


def read_workplace_answer(
    q: Qualification, asked: Iterable[str], name: str, value: str
) -> WorkplaceAnswer:
    """One field a workplace contact's page saves as it is tapped; AnswerRefused if not one of
    theirs (`asked`: the statement ids they are asked about)."""
    if (context_id := context_of_field(name)) is not None:
        context = q.context(context_id)
        if context is None:
            raise AnswerRefused("That question is not part of this assessment.")
        if value not in ANSWERS:
            raise AnswerRefused("Choose yes, sometimes or no.")
        return WorkplaceAnswer("context", context_id, value)
    found = statement_of_workplace_field(name)
    if found is None or found[1] not in set(asked):
        raise AnswerRefused("That is not one of the things you are asked about.")
    kind, statement_id = found
    if kind == "rating" and value not in SCALE_VALUES:
        raise AnswerRefused("Choose one of the four answers shown.")
    if kind == "note" and len(value.strip()) > CLAIM_NOTE_MAX:
        raise AnswerRefused(f"Keep the note under {CLAIM_NOTE_MAX} characters.")
    return WorkplaceAnswer(kind, statement_id, value.strip() if kind == "note" else value)


def _limit(name: str) -> Length:
    return Length(
        max=TESTIMONY_LIMITS[name], message=f"Keep it under {TESTIMONY_LIMITS[name]} characters."
    )


class TestimonyForm(FlaskForm):
    """A witness testimony, with exactly what the seed asks for; saved as a draft, or signed."""

    request_key = request_key_field()
    activity_date = StringField(
        "Date of the activity",
        validators=[Optional(), _limit("activity_date")],
        filters=[_strip],
    )
    activity_time = StringField(
        "Time of the activity",
        validators=[Optional(), _limit("activity_time")],
        filters=[_strip],
        description="e.g. 10:30, or the morning shift",
    )
    venue = StringField(
        "Where it happened", validators=[Optional(), _limit("venue")], filters=[_strip]
    )
    description = TextAreaField(
        "What the learner did", validators=[Optional(), _limit("description")], filters=[_strip]
    )
    relationship = StringField(
        "Your relationship to the learner",
        validators=[Optional(), _limit("relationship")],
        filters=[_strip],
        description="e.g. I am their line manager and work on the same shift.",
    )
    job_title = StringField(
        "Your job title", validators=[Optional(), _limit("job_title")], filters=[_strip]
    )
    contact_details = StringField(
        "Your contact details",
        validators=[Optional(), _limit("contact_details")],
        filters=[_strip],
        description="A phone number or email the assessor can reach you on.",
    )
    signature = StringField(
        "Type your full name to sign",
        validators=[Optional(), Length(max=NAME_MAX)],
        filters=[_strip],
    )

    def validate_activity_date(self, field: StringField) -> None:
        if not field.data:
            return
        day = parse_day(field.data)
        if day is None:
            raise ValidationError("Enter the date like 2026-03-14 or 14/03/2026.")
        if day > date.today():
            raise ValidationError("The activity must have happened already.")
        field.data = day.isoformat()

    def values(self) -> dict[str, str]:
        """The testimony's fields as they are kept."""
        return {n: self[n].data or "" for n in TESTIMONY_FIELDS}

    def check_for_signing(self) -> bool:
        """Every field the seed requires, and a signature; messages on the fields missing."""
        ok = True
        for name in missing_fields(self.values()):
            self[name].errors = [*self[name].errors, "Fill this in before you sign."]
            ok = False
        if not self.signature.data:
            self.signature.errors = [*self.signature.errors, "Type your name to sign."]
            ok = False
        return ok


def parse_day(text: str) -> date | None:
    """A date as a date field or a person writes it: 2026-03-14, 14/03/2026, 14.3.26."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = [p for p in re.split(r"[/.\- ]", text) if p]
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    d, m, y = (int(p) for p in parts)
    if y < 100:
        y += 2000
    try:
        return date(y, m, d)
    except ValueError:
        return None


DECISIONS = (("", "Not decided yet"), ("accepted", "Accepted"), ("not-accepted", "Not accepted"))


class TestimonyReviewForm(FlaskForm):
    """The assessor's view of a signed testimony: the criteria it evidences, their decision,
    and a note of questioning the witness."""

    testimony = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,18}$")])
    criteria = MultiCheckboxField("Criteria it evidences", choices=[], validators=[Optional()])
    decision = SelectField(
        "Your decision",
        choices=[SelectChoice(v, label) for v, label in DECISIONS],
        validators=[Optional()],
    )
    questioning_note = TextAreaField(
        "Note of questioning the witness (optional)",
        validators=[Optional(), Length(max=2000)],
        filters=[_strip],
        description="If you spoke to the witness to check the testimony: when, and what they said.",
    )


class ObservationForm(FlaskForm):
    """One tap on the gap report: an observation of the criteria the workplace has not seen,
    added to the assessment plan (`criteria`: statement ids, space-separated)."""

    request_key = request_key_field()
    criteria = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9:. _-]{1,4000}$")])


# ---- content: importing and checking a unit ------------------------------------------------------

KIND_CHOICES = (
    SelectChoice("performance", "Doing (performance)"),
    SelectChoice("knowledge", "Knowing (knowledge)"),
)
PASTE_TEXT_MAX = 5_000_000  # characters of a pasted specification (a file may be larger)
NOTE_MAX = 300  # characters of a publication's note


class ImportForm(FlaskForm):
    """A unit specification to read: a file (PDF, Word .docx, text) or pasted text."""

    request_key = request_key_field()
    file = FileField("A file: PDF, Word .docx or text")
    text = TextAreaField(
        "Or paste the text",
        validators=[Length(max=PASTE_TEXT_MAX)],
        description="Copied from a PDF, a web page or the qualifications register.",
    )

    def validate_text(self, field: TextAreaField) -> None:
        upload = self.file.data
        if not (upload and upload.filename) and not (field.data or "").strip():
            raise ValidationError("Choose a file or paste the text of a unit specification.")


class CriterionFields(Form):
    number = StringField("Number", validators=[Optional(), Length(max=10)])
    text = TextAreaField("Criterion", validators=[Optional(), Length(max=2000)])
    statement = TextAreaField(
        "\u201cI can\u201d statement", validators=[Optional(), Length(max=2000)]
    )
    kind = RadioField("Kind", choices=list(KIND_CHOICES), validators=[Optional()])
    help = TextAreaField(
        "Help shown under the statement (optional)", validators=[Optional(), Length(max=2000)]
    )
    uncertain = BooleanField("The words may be cut short: publish it marked uncertain")
    omit = BooleanField("Leave this criterion out")


class OutcomeFields(Form):
    number = IntegerField(
        "Outcome number",
        validators=[Optional(), NumberRange(1, 99, message="A number from 1 to 99.")],
    )
    title = TextAreaField("Title", validators=[Optional(), Length(max=1000)])
    learner_title = TextAreaField(
        "Title as the learner reads it (optional)",
        validators=[Optional(), Length(max=1000)],
        description="Where the title speaks of the learner (“their job”): “your job”.",
    )
    criteria = FieldList(FormField(CriterionFields))


class DraftForm(FlaskForm):
    """A draft unit as a person corrects it; the loader's own checks come after these."""

    revision = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    number = SelectField("Unit", choices=[])
    outcomes = FieldList(FormField(OutcomeFields))
    note = StringField(
        "A note for the version history (optional)",
        validators=[Optional(), Length(max=NOTE_MAX)],
        description="What this version changes, e.g. “B2 criteria from the OCR handbook”.",
    )


def draft_form(q: Qualification, draft: Mapping[str, Any], revision: int) -> DraftForm:
    """The draft form, filled from a kept draft (or from what was posted), with one empty
    criterion under each outcome and one empty outcome for what the reader missed."""
    outcomes = [{**o, "criteria": [*o["criteria"], {}]} for o in draft["outcomes"]] + [
        {"criteria": [{}]}
    ]
    form = DraftForm(
        data={"revision": str(revision), "number": draft["number"], "outcomes": outcomes}
    )
    form.number.choices = unit_choices(q, draft["number"])
    return form


def unit_choices(q: Qualification, number: str) -> list[SelectChoice]:
    """Every unit of the qualification; the draft's own number first if it is not one."""
    choices = [SelectChoice("", "Choose the unit…")]
    if number and q.unit(number) is None:
        choices.append(SelectChoice(number, f"{number} (not a unit of {q.code})"))
    return choices + [SelectChoice(u.number, f"{u.number} {u.title}") for u in q.units]


class RestoreForm(FlaskForm):
    """Restore an earlier version: `current` is the version the page showed as current."""

    current = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    note = StringField(
        "A note for the version history (optional)",
        validators=[Optional(), Length(max=NOTE_MAX)],
    )


# ---- a qualification's catalogue, groups and rules (the content pages) -----------------------

CATALOGUE_MAX = 200_000  # characters of a pasted or uploaded catalogue
RULE_ROWS_SPARE = 2  # empty rule rows offered below those entered
RULE_ROWS_LEAST = 5  # rows the editor shows at least (03455 has five rules)


class RuleRowForm(Form):
    """One rule of combination as the editor shows it (no CSRF of its own: inside the page's)."""

    kind = SelectField(
        "Kind",
        choices=[SelectChoice("", "(no rule)")]
        + [SelectChoice(kind, words) for kind, words in RULE_KIND_NAMES.items()],
        validate_choice=False,
    )
    groups = StringField("Groups", validators=[Length(max=200)], filters=[_strip])
    min = StringField("At least", validators=[Length(max=10)], filters=[_strip])
    levels = StringField("Only units at level", validators=[Length(max=40)], filters=[_strip])
    wording = StringField(
        "The awarding body's words", validators=[Length(max=500)], filters=[_strip]
    )


class QualificationForm(FlaskForm):
    """A qualification as an admin enters it: see catalogue.py for what each field holds."""

    code = StringField(
        "Code",
        validators=[Length(max=40)],
        filters=[_strip],
        description="As the awarding body numbers it, e.g. 03456. It names the folder and "
        "appears in addresses; it cannot be changed later.",
    )
    title = StringField("Title", validators=[Length(max=200)], filters=[_strip])
    level = StringField("Level", validators=[Length(max=2)], filters=[_strip])
    awarding_body = StringField("Awarding body", validators=[Length(max=100)], filters=[_strip])
    groups = TextAreaField(
        "Groups, one a line: id, title, mandatory (yes or no)",
        validators=[Length(max=20_000)],
        description="e.g. A, Mandatory units, yes",
    )
    units = TextAreaField(
        "Units, one a line: number, accreditation number, title, credits, level, group",
        validators=[Length(max=CATALOGUE_MAX)],
        description="Paste from a spreadsheet saved as CSV; a first line of headings is skipped.",
    )
    units_file = FileField("Or upload the catalogue as a CSV file")
    rules = FieldList(FormField(RuleRowForm), min_entries=1, max_entries=40)
    note = StringField("Note for the version history", validators=[Length(max=500)])

    def catalogue_text(self) -> str:
        """The catalogue uploaded, else the one pasted; a message on the field if unreadable."""
        upload = self.units_file.data
        if upload and getattr(upload, "filename", ""):
            data = upload.stream.read(CATALOGUE_MAX + 1)
            if len(data) > CATALOGUE_MAX:
                self.units_file.errors = [f"Up to {CATALOGUE_MAX // 1000} KB of CSV."]
                return ""
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.units_file.errors = ["Save the file as CSV (UTF-8) and upload it again."]
                return ""
            self.units.data = text
            return text
        return self.units.data or ""

    def entered(self) -> Entered:
        return Entered(
            code=self.code.data or "",
            title=self.title.data or "",
            level=self.level.data or "",
            awarding_body=self.awarding_body.data or "",
            groups=self.groups.data or "",
            units=self.catalogue_text(),
            rules=[
                RuleRow(
                    kind=r.kind.data or "",
                    groups=r.groups.data or "",
                    min=r.min.data or "",
                    levels=r.levels.data or "",
                    wording=r.wording.data or "",
                )
                for r in self.rules
            ],
        )


def qualification_form(entered: Entered | None = None) -> QualificationForm:
    """The editor's form: posted data, else `entered` shown, with spare empty rule rows."""
    if request.method == "POST":
        form = QualificationForm()
    elif entered is None:
        form = QualificationForm()
    else:
        form = QualificationForm(
            data={
                "code": entered.code,
                "title": entered.title,
                "level": entered.level,
                "awarding_body": entered.awarding_body,
                "groups": entered.groups,
                "units": entered.units,
                "rules": [r.__dict__ for r in entered.rules],
            }
        )
    wanted = max(RULE_ROWS_LEAST, len([r for r in form.rules if r.kind.data]) + RULE_ROWS_SPARE)
    while len(form.rules) < wanted:
        if len(form.rules) >= (form.rules.max_entries or 40):
            break
        form.rules.append_entry()
    return form
