"""Flask-WTF forms. Questionnaire pages are radio groups: one per statement or job question."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
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
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        return all([g.validate() for g in self.groups.values()]) and ok

    @property
    def errors(self) -> dict[str, list[str]]:
        found = dict(super().errors)
        found.update({g.name: g.errors for g in self.groups.values() if g.errors})
        return found

    def __getitem__(self, name: str):  # type: ignore[no-untyped-def]
        group = self.groups.get(name)
        return group if group is not None else super().__getitem__(name)


def rating_group(q: Qualification, statement: Statement, data: str | None = None) -> RadioGroup:
    return RadioGroup(
        rating_field_name(statement.id),
        statement.text,
        ((str(i), label) for i, label in enumerate(q.scales.labels(statement.kind))),
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
    form.statements = statements  # type: ignore[attr-defined]
    return form


class BlankableSelectField(SelectField):
    """A select whose blank or whitespace value means "not chosen"."""

    def process_formdata(self, valuelist: list) -> None:
        if valuelist and not str(valuelist[0]).strip():
            valuelist = [""]
        super().process_formdata(valuelist)


class JobForm(ChoicesForm):
    job_role = BlankableSelectField(
        "Which of these is closest to your job?", validators=[Optional()], choices=[]
    )
    job_role_other = StringField(
        "If something else, what is your job called?",
        validators=[Optional(), Length(max=100, message="Keep it under 100 characters.")],
    )


def job_form(q: Qualification, data: Mapping[str, str] | None = None) -> ChoicesForm:
    """The job page: job role from the seed's lists, or other, and the job-context questions."""
    data = data or {}
    form = JobForm(
        (context_group(c, data.get(context_field_name(c.id))) for c in q.contexts),
        data={k: data.get(k) for k in ("job_role", "job_role_other")},
    )
    form.job_role.choices = (
        [SelectChoice("", "Choose your job…")]
        + [SelectChoice(r.title, r.title, optgroup=f"Level {r.level} jobs") for r in q.roles]
        + [SelectChoice(OTHER_ROLE, "Something else")]
    )
    form.contexts = q.contexts  # type: ignore[attr-defined]
    return form


def context_group(c: Context, data: str | None = None) -> RadioGroup:
    return RadioGroup(
        context_field_name(c.id),
        c.question,
        ((a, ANSWER_LABELS[a]) for a in ANSWERS),
        help=c.help,
        data=data,
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


def new_request_key() -> str:
    return secrets.token_urlsafe(18)


def request_key_field() -> HiddenField:
    """A one-time key made when the form is shown: the same form sent twice is seen as such."""
    return HiddenField(
        default=new_request_key,
        validators=[Optional(), Regexp(r"^[A-Za-z0-9_-]{16,64}$", message="Reload the page.")],
    )


class LearnerForm(FlaskForm):
    request_key = request_key_field()
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
    request_key = request_key_field()
    rows = TextAreaField(
        "Paste learners, one a line: name, candidate number, job role",
        validators=[DataRequired("Paste at least one line."), Length(max=100_000)],
        description="Columns are separated by commas; a first line of headings is skipped.",
    )


class PlanForm(FlaskForm):
    units = MultiCheckboxField("Optional units in the plan", choices=[])


class PlanRowForm(FlaskForm):
    request_key = request_key_field()
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
