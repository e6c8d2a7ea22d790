"""Forms for signing in and creating the first account."""

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..forms import HtmlForm
from .service import (
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    email_problem,
    password_problem,
)


class LoginForm(HtmlForm):
    email = StringField(
        "Email",
        validators=[DataRequired(), Length(max=MAX_EMAIL_LENGTH)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    # Length caps the hashing work a single request can ask for.
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device")
    next = HiddenField()


class SetupForm(HtmlForm):
    token = HiddenField()
    email = StringField(
        "Email",
        validators=[DataRequired()],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired()],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            DataRequired(),
            EqualTo("password", message="The two passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_email(self, field) -> None:
        problem = email_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_password(self, field) -> None:
        problem = password_problem(field.data)
        if problem:
            raise ValidationError(problem)
