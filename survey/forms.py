"""Flask-WTF forms. Rating pages are built per page, one radio group per statement."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .content import ANSWERS, Context, Qualification, Statement, Unit

OTHER_ROLE = "other"
ANSWER_LABELS = {"yes": "Yes", "sometimes": "Sometimes", "no": "No"}


def rating_field_name(statement_id: str) -> str:
    """A form field name for a statement id ("F1:1.2" -> "r-F1-1.2")."""
    return "r-" + statement_id.replace(":", "-")


def context_field_name(context_id: str) -> str:
    return "c-" + context_id


def interest_field_name() -> str:
    return "interests"


class ActionForm(FlaskForm):
    """A form with no fields: its CSRF token guards a one-click POST."""


class CodeForm(FlaskForm):
    code = StringField(
        "Your personal code",
        validators=[DataRequired("Type the code from your card or message."), Length(max=80)],
        description="It is on the card or message from your assessor, e.g. abcd-efgh-…",
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChoiceField(RadioField):
    """A radio group that says plainly what is wrong with a tampered or stale value."""

    def process_formdata(self, valuelist: list) -> None:
        # blank or whitespace means "no answer", never a value to store
        if valuelist and not str(valuelist[0]).strip():
            valuelist = []
        super().process_formdata(valuelist)

    def pre_validate(self, form: object) -> None:
        allowed = {c.value for c in self.choices}
        if self.data not in (None, "", "None") and self.data not in allowed:
            raise ValidationError("Choose one of the answers shown.")


def _rating_field(q: Qualification, statement: Statement) -> RadioField:
    labels = q.scales.labels(statement.kind)
    return ChoiceField(
        statement.text,
        choices=[SelectChoice(str(i), label) for i, label in enumerate(labels)],
        validators=[Optional()],
        description=" ".join(statement.help),
    )


def rating_form(
    q: Qualification, statements: Iterable[Statement], data: dict | None = None
) -> FlaskForm:
    """A form with one four-point radio group per statement."""

    class RatingForm(FlaskForm):
        pass

    statements = tuple(statements)
    for s in statements:
        setattr(RatingForm, rating_field_name(s.id), _rating_field(q, s))
    form = RatingForm(data=data)
    form.statements = statements  # type: ignore[attr-defined]
    return form


class BlankableSelectField(SelectField):
    """A select whose blank or whitespace value means "not chosen"."""

    def process_formdata(self, valuelist: list) -> None:
        if valuelist and not str(valuelist[0]).strip():
            valuelist = [""]
        super().process_formdata(valuelist)


def job_form(q: Qualification, data: dict | None = None) -> FlaskForm:
    """The job page: job role from the seed's lists, or other, and the job-context questions."""

    class JobForm(FlaskForm):
        job_role = BlankableSelectField(
            "Which of these is closest to your job?",
            choices=[SelectChoice("", "Choose your job…")]
            + [SelectChoice(r.title, r.title, optgroup=f"Level {r.level} jobs") for r in q.roles]
            + [SelectChoice(OTHER_ROLE, "Something else")],
            validators=[Optional()],
        )
        job_role_other = StringField(
            "If something else, what is your job called?",
            validators=[Optional(), Length(max=100, message="Keep it under 100 characters.")],
        )

    for c in q.contexts:
        setattr(JobForm, context_field_name(c.id), _context_field(c))
    form = JobForm(data=data)
    form.contexts = q.contexts  # type: ignore[attr-defined]
    return form


def _context_field(c: Context) -> RadioField:
    return ChoiceField(
        c.question,
        choices=[SelectChoice(a, ANSWER_LABELS[a]) for a in ANSWERS],
        validators=[Optional()],
        description=c.help,
    )


def interests_form(units: Iterable[Unit], data: dict | None = None) -> FlaskForm:
    units = tuple(units)

    class InterestsForm(FlaskForm):
        interests = MultiCheckboxField(
            "Units that interest you",
            choices=[SelectChoice(u.number, f"{u.number} {u.title}") for u in units],
            validators=[Optional()],
        )

    form = InterestsForm(data=data)
    form.units = units  # type: ignore[attr-defined]
    return form


# ---- staff ------------------------------------------------------------------------------------


class EmailLikeField(StringField):
    """An email address: one @, something either side, no spaces (no extra dependency)."""

    def pre_validate(self, form: object) -> None:
        value = (self.data or "").strip()
        local, _, domain = value.partition("@")
        if value and (not local or "." not in domain or " " in value or value.count("@") != 1):
            raise ValidationError("Enter an email address like name@example.org.")


PASSWORD_HELP = "At least 12 characters. A few unrelated words make a good one."  # noqa: S105


class LoginForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=200)]
    )


class SetupForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=120)])
    email = EmailLikeField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password",
        description=PASSWORD_HELP,
        validators=[
            DataRequired("Choose a password."),
            Length(min=12, max=200, message="Use 12 to 200 characters."),
        ],
    )
    confirm = PasswordField(
        "Password again",
        validators=[
            EqualTo("password", message="The two passwords are not the same."),
        ],
    )


class StaffForm(SetupForm):
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("assessor", "Assessor: works with their own learners"),
            SelectChoice("verifier", "Internal verifier: reads everything, changes nothing"),
            SelectChoice("admin", "Centre admin: staff accounts and every learner"),
        ],
    )


class LearnerForm(FlaskForm):
    name = StringField(
        "Learner's name", validators=[DataRequired("Enter the learner's name."), Length(max=120)]
    )
    candidate_number = StringField(
        "OCR candidate number (if known)", validators=[Optional(), Length(max=40)]
    )
    job_role = StringField(
        "Job role",
        validators=[Optional(), Length(max=100)],
        description="As the learner would say it, e.g. Call Centre Operator.",
    )
    assessor = SelectField("Assessor", validators=[Optional()], choices=[])


class LearnerCsvForm(FlaskForm):
    rows = TextAreaField(
        "Paste learners, one a line: name, candidate number, job role",
        validators=[DataRequired("Paste at least one line."), Length(max=100_000)],
        description="Columns are separated by commas; a first line of headings is skipped.",
    )


class AssessorRatingForm(FlaskForm):
    statement = StringField(validators=[DataRequired(), Length(max=40)])
    rating = SelectField(
        choices=[SelectChoice("", "No rating")] + [SelectChoice(str(i), str(i)) for i in range(4)],
        validators=[Optional()],
    )


class PlanForm(FlaskForm):
    units = MultiCheckboxField("Optional units in the plan", choices=[])


class PlanRowForm(FlaskForm):
    units = MultiCheckboxField(
        "Units this covers", choices=[], validators=[DataRequired("Pick at least one unit.")]
    )
    observed_when = StringField(
        "When",
        validators=[DataRequired("Say when."), Length(max=200)],
        description="e.g. Tuesday 14 March, morning shift",
    )
    observed_where = StringField("Where", validators=[DataRequired("Say where."), Length(max=200)])
    activity = TextAreaField(
        "What the learner will be doing",
        validators=[DataRequired("Say what they will do."), Length(max=2000)],
    )
    evidence = MultiCheckboxField(
        "Evidence", choices=[], validators=[DataRequired("Pick at least one kind.")]
    )


class SignForm(FlaskForm):
    name = StringField(
        "Type your full name to sign",
        validators=[DataRequired("Type your name to sign."), Length(max=120)],
    )
