"""Browser forms for integrations: the per-type save form and the list filters.

The save form knows only what is particular to HTML (widgets, CSRF, checkbox
and ``datetime-local`` strings, comma-separated tags). It turns what was typed
into the contract's dict shape, lets the contract judge it, and puts every
problem the contract finds next to the field it belongs to.
"""

from functools import cache

from flask import url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import DateTimeLocalInput

from ..catalog import STATUSES, TYPES
from .contract import IntegrationInput, InvalidRequest, validate_input
from .queries import ListFilters

DEFAULT_TYPE = "sentry"
SECTIONS = ("auth_data", "scope_data", "metadata")
MAX_SEARCH_LENGTH = 255

# Pydantic's wording is written for JSON clients; a person at a form gets these.
_FORM_MESSAGES = {
    "missing": "This field is required.",
    "string_too_short": "This field cannot be empty.",
    "datetime_from_date_parsing": "Enter a date and time, such as 2030-01-31 17:45.",
}


class MarksRequired:
    """Mark a field as required for the label and the browser; the contract decides.

    The contract is the only judge of what is missing, so this validator never
    fails: it only sets the ``required`` flag the form macro reads.
    """

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class IntegrationForm(FlaskForm):
    """The fields every type shares; ``form_for`` adds the type's scope fields."""

    name = StringField("Name", [MarksRequired()])
    integration_type = SelectField(
        "Type",
        [MarksRequired()],
        choices=[SelectChoice(kind.slug, kind.label) for kind in TYPES.values()],
        validate_choice=False,
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice(status, status.capitalize()) for status in STATUSES],
        default="active",
        validate_choice=False,
        description="Only an active integration is used.",
    )
    active = BooleanField(
        "Switched on",
        default=True,
        description="Switch off and set the status to Inactive together; "
        "troubleshooting flags the two disagreeing.",
    )
    unique_identifier = StringField(
        "Unique identifier",
        description="Leave blank to get <type>-<integration id>. "
        "Must be unique among your integrations.",
    )
    access_token = PasswordField(
        "Access token", description="Stored encrypted; never shown again."
    )
    refresh_token = PasswordField(
        "Refresh token", description="Stored encrypted; never shown again."
    )
    token_type = StringField("Token type", default="Bearer")
    expires_at = StringField(
        "Token expires at (UTC)",
        widget=DateTimeLocalInput(),
        description="Read as UTC, whatever your browser's time zone.",
    )
    scope = StringField(
        "Token scope", description="The permissions granted, as the service lists them."
    )
    description = TextAreaField("Description")
    tags = StringField("Tags", description="Comma separated, as in: staging, team-a")
    version = StringField("Version")

    # Which type's scope fields the page showed; lets a type change made
    # without JavaScript re-show the right fields instead of dropping values.
    shown_type = HiddenField()

    kind = TYPES[DEFAULT_TYPE]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.payload: IntegrationInput | None = None

        # Changing the type fetches that type's fields. Only the type travels:
        # nothing typed, and no secret, ever goes into a URL.
        self.integration_type.render_kw = {
            "hx-get": url_for("integrations.new"),
            "hx-params": "integration_type",
            "hx-target": "#type-fields",
            "hx-swap": "outerHTML",
            "hx-trigger": "change",
        }

    def to_payload(self) -> dict:
        """Return what was typed in the contract's dict shape, unjudged."""
        return {
            "name": self.name.data or "",
            "integration_type": self.integration_type.data,
            "status": self.status.data or None,
            "active": bool(self.active.data),
            "unique_identifier": self.unique_identifier.data,
            "auth_data": {
                "access_token": self.access_token.data,
                "refresh_token": self.refresh_token.data,
                "token_type": self.token_type.data or None,
                "expires_at": self.expires_at.data,
                "scope": self.scope.data,
            },
            "scope_data": {
                field.name: self[field.name].data for field in self.kind.scope_fields
            },
            "metadata": {
                "created_via": "dashboard",
                "description": self.description.data,
                "tags": split_tags(self.tags.data),
                "version": self.version.data,
            },
        }

    def validate(self, extra_validators=None) -> bool:
        """Check CSRF, then let the contract judge the data and map its errors."""
        if not super().validate(extra_validators):
            return False

        if self._type_changed_without_its_fields():
            self.form_errors.append(
                f"The type is now {self.kind.label}, so its fields are shown below. "
                "Check them and save again."
            )
            return False

        try:
            self.payload = validate_input(self.to_payload())
        except InvalidRequest as problem:
            for detail in problem.details:
                self._add_error(detail)
            return False
        return True

    @property
    def typed_a_secret(self) -> bool:
        """True when the submission carried a secret, which is never sent back."""
        return bool(self.access_token.data or self.refresh_token.data)

    def _type_changed_without_its_fields(self) -> bool:
        shown = self.shown_type.data
        return bool(shown) and shown != self.kind.slug

    def _add_error(self, detail: dict) -> None:
        field_name, index = field_for_loc(detail["loc"])
        message = _FORM_MESSAGES.get(detail["type"], detail["msg"])
        if field_name == "tags" and index is not None:
            message = f"Tag {index + 1}: {message}"

        field = self._fields.get(field_name) if field_name else None
        if field is None or field_name in ("csrf_token", "shown_type"):
            self.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]

    def mark_duplicate(self, existing_url: str) -> None:
        """Say on ``unique_identifier`` that it is taken, linking to the holder."""
        message = Markup(
            'You already have an integration with this identifier: <a href="{}">'
            "open it</a>, or choose another identifier."
        ).format(existing_url)
        self.unique_identifier.errors = [*self.unique_identifier.errors, message]


def field_for_loc(loc: list) -> tuple[str | None, int | None]:
    """Map a contract error location to a form field name and a list index.

    ``["body", "scope_data", "org_slug"]`` gives ``("org_slug", None)`` and
    ``["body", "metadata", "tags", 3]`` gives ``("tags", 3)``; a location that
    names no field gives ``(None, None)``.
    """
    path = list(loc[1:]) if loc and loc[0] == "body" else list(loc)
    if path and path[0] in SECTIONS:
        path = path[1:]
    if not path or not isinstance(path[0], str):
        return None, None

    index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
    return path[0], index


def split_tags(text: str | None) -> list[str]:
    """Split comma-separated tags, trimming each and dropping empty ones."""
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


@cache
def form_class_for(slug: str) -> type[IntegrationForm]:
    """Build (once) the form class for a type, adding its scope fields."""
    kind = TYPES[slug]
    fields = {
        scope_field.name: StringField(scope_field.label, description=scope_field.help)
        for scope_field in kind.scope_fields
    }
    return type(
        f"{kind.label}IntegrationForm", (IntegrationForm,), {**fields, "kind": kind}
    )


def form_for(slug: str, formdata: MultiDict | None = None, **kwargs) -> IntegrationForm:
    """Return the save form for the type ``slug`` (which must be in the catalog)."""
    form_class = form_class_for(slug)
    form = form_class(formdata=formdata, **kwargs)
    if formdata is None:
        form.integration_type.data = slug
    return form


def type_for_submission(formdata: MultiDict, fallback: str) -> str:
    """The type whose fields a posted form should be read with.

    An unknown posted type falls back so the contract can explain the error
    next to the type field.
    """
    posted = formdata.get("integration_type", "")
    return posted if posted in TYPES else fallback


class ListFilterForm(FlaskForm):
    """The list's GET filters; CSRF is off because they change nothing."""

    class Meta:
        csrf = False

    q = SearchField("Name contains")
    type = SelectField(
        "Type",
        choices=[SelectChoice("", "Any type")]
        + [SelectChoice(kind.slug, kind.label) for kind in TYPES.values()],
        validate_choice=False,
    )
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(status, status.capitalize()) for status in STATUSES],
        validate_choice=False,
    )
    needs_attention = BooleanField("Needs attention")

    def to_filters(self) -> ListFilters:
        """Read the filters; a value that is not on offer counts as unset."""
        # NUL cannot be sent to PostgreSQL; it never belongs in a name anyway.
        search = (self.q.data or "").replace("\x00", "").strip()
        return ListFilters(
            integration_type=self.type.data if self.type.data in TYPES else None,
            status=self.status.data if self.status.data in STATUSES else None,
            needs_attention=bool(self.needs_attention.data),
            search=search[:MAX_SEARCH_LENGTH],
        )
