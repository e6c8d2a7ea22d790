"""Browser forms for integrations: the per-type save form and the list filters.

The save form knows only what is particular to HTML (widgets, CSRF, checkbox
and ``datetime-local`` strings, comma-separated tags). It turns what was typed
into the contract's dict shape, lets the contract judge it, and puts every
problem the contract finds next to the field it belongs to.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask import url_for
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
from wtforms.validators import AnyOf, InputRequired, Optional
from wtforms.widgets import DateTimeLocalInput

from ..catalog import STATUSES, TYPES, ScopeField
from ..forms import HtmlForm
from ..models import Integration
from ..timeutil import as_utc
from .contract import SECRET_FIELDS, IntegrationInput, InvalidRequest, validate_input
from .queries import ListFilters

DEFAULT_TYPE = "sentry"
SECTIONS = ("auth_data", "scope_data", "metadata")
MAX_SEARCH_LENGTH = 255
SCOPE_FIELD_NAMES = ("org_slug", "workspace_id", "installation_id", "project_id")
SECRET_LABELS = {
    "access_token": "Access token",
    "refresh_token": "Refresh token",
    "code": "Authorisation code",
}
_SECRET_HELP = "Stored encrypted; never shown again."
_KEEP_SECRET_HELP = (
    "Leave blank to keep what is stored; type a new value to replace it. "
    "Stored encrypted; never shown again."
)
_STATUS_LIST = ", ".join(STATUSES)
_CONFIRM_ON_ITS_PAGE = "Confirm on the confirmation page first."
# Labels for a stored scope field the integration's type does not read.
_UNREAD_SCOPE_LABELS = {
    "org_slug": "Organization slug",
    "workspace_id": "Workspace ID",
    "installation_id": "Installation ID",
    "project_id": "Project ID",
}

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


class IntegrationForm(HtmlForm):
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
    # "new-password" keeps browsers from filling in the saved sign-in password.
    access_token = PasswordField(
        SECRET_LABELS["access_token"],
        description=_SECRET_HELP,
        render_kw={"autocomplete": "new-password"},
    )
    refresh_token = PasswordField(
        SECRET_LABELS["refresh_token"],
        description=_SECRET_HELP,
        render_kw={"autocomplete": "new-password"},
    )
    code = PasswordField(
        SECRET_LABELS["code"],
        description="Only if the service handed you one; stored encrypted.",
        render_kw={"autocomplete": "new-password"},
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
    instance_name = StringField(
        "Instance name", description="Leave blank to use the name."
    )
    description = TextAreaField("Description")
    tags = StringField("Tags", description="Comma separated, as in: staging, team-a")
    version = StringField("Version")

    # Which type's scope fields the page showed; lets a type change made
    # without JavaScript re-show the right fields instead of dropping values.
    shown_type = HiddenField()

    kind = TYPES[DEFAULT_TYPE]
    # Scope fields the form carries: the type's own, then (when editing)
    # stored ones the type does not read, so an edit never drops them unseen.
    scope_field_names: tuple[str, ...] = tuple(
        field.name for field in kind.scope_fields
    )
    unread_scope_fields: tuple[ScopeField, ...] = ()

    def __init__(self, *args, fields_url=None, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.payload: IntegrationInput | None = None
        self.stored: StoredValues | None = stored

        # Changing the type fetches that type's fields. Only the type travels:
        # nothing typed, and no secret, ever goes into a URL.
        self.integration_type.render_kw = {
            "hx-get": fields_url or url_for("integrations.new"),
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
                "code": self.code.data,
                "token_type": self.token_type.data or None,
                "expires_at": self._typed_expiry(),
                "scope": self.scope.data,
            },
            "scope_data": {name: self[name].data for name in self.scope_field_names},
            "metadata": {
                "instance_name": self.instance_name.data,
                "created_via": self.stored.created_via if self.stored else "dashboard",
                "description": self._typed_description(),
                "tags": split_tags(self.tags.data),
                "version": self.version.data,
            },
        }

    def _typed_expiry(self) -> str | None:
        typed = self.expires_at.data
        stored = self.stored.expires_at if self.stored else None
        # The input shows a stored expiry to the second; left as shown, it
        # keeps its exact stored value (sub-second part included).
        if stored is not None and typed == datetime_local_value(stored):
            return stored.isoformat()
        return typed

    def _typed_description(self) -> str | None:
        # Browsers send a textarea's line breaks as CRLF; store plain newlines,
        # and keep a stored text that was left as it was exactly as stored.
        typed = normalize_newlines(self.description.data)
        stored = self.stored.description if self.stored else None
        if stored is not None and normalize_newlines(stored) == (typed or "").strip():
            return stored
        return typed

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
def form_class_for(slug: str, unread: tuple[str, ...] = ()) -> type[IntegrationForm]:
    """Build (once) the form class for a type, adding its scope fields.

    :param unread: stored scope fields this type does not read, shown too so
        that an edit can see and clear them.
    """
    kind = TYPES[slug]
    fields = {
        scope_field.name: StringField(scope_field.label, description=scope_field.help)
        for scope_field in kind.scope_fields
    }
    unread_fields = tuple(
        ScopeField(
            name,
            f"{_UNREAD_SCOPE_LABELS[name]} (not read by {kind.label})",
            f"Stored earlier, but {kind.label} does not read it; clear it unless "
            "you still need it.",
        )
        for name in unread
        if name not in fields
    )
    for scope_field in unread_fields:
        fields[scope_field.name] = StringField(
            scope_field.label, description=scope_field.help
        )
    return type(
        f"{kind.label}IntegrationForm",
        (IntegrationForm,),
        {
            **fields,
            "kind": kind,
            "scope_field_names": tuple(fields),
            "unread_scope_fields": unread_fields,
        },
    )


def form_for(slug: str, formdata: MultiDict | None = None, **kwargs) -> IntegrationForm:
    """Return the save form for the type ``slug`` (which must be in the catalog)."""
    form_class = form_class_for(slug)
    form = form_class(formdata=formdata, **kwargs)
    if formdata is None:
        form.integration_type.data = slug
    return form


@dataclass(frozen=True)
class StoredValues:
    """What an edit keeps of the stored integration beyond what the form holds."""

    created_via: str | None
    expires_at: datetime | None
    description: str | None


def edit_form(
    integration: Integration,
    slug: str | None = None,
    formdata: MultiDict | None = None,
    **kwargs,
) -> IntegrationForm:
    """Return the save form for editing ``integration`` as the type ``slug``.

    Without ``formdata`` the fields are filled from the stored integration,
    secrets never. With it, only what was posted counts, so a request that
    posts nothing changes nothing but fails validation.
    """
    slug = slug or integration.integration_type
    unread = tuple(
        name
        for name in SCOPE_FIELD_NAMES
        if getattr(integration, name)
        and name not in {field.name for field in TYPES[slug].scope_fields}
    )
    form_class = form_class_for(slug, unread)
    stored = StoredValues(
        integration.created_via, integration.expires_at, integration.description
    )
    fields_url = url_for("integrations.edit", integration_id=integration.id)

    if formdata is not None:
        form = form_class(
            formdata=formdata, fields_url=fields_url, stored=stored, **kwargs
        )
    else:
        form = form_class(
            formdata=None,
            data=stored_form_values(integration),
            fields_url=fields_url,
            stored=stored,
            **kwargs,
        )
        form.integration_type.data = slug

    for field in SECRET_FIELDS:
        form[field].description = _KEEP_SECRET_HELP
    return form


def stored_form_values(integration: Integration) -> dict:
    """The form's field values for a stored integration; no secret among them."""
    values = {
        "name": integration.name,
        "integration_type": integration.integration_type,
        "status": integration.status,
        "active": integration.active,
        "unique_identifier": integration.unique_identifier,
        "token_type": integration.token_type,
        "expires_at": datetime_local_value(integration.expires_at),
        "scope": integration.scope,
        # An instance name that only repeats the name keeps following it.
        "instance_name": (
            ""
            if integration.instance_name == integration.name
            else integration.instance_name
        ),
        "description": integration.description,
        "tags": ", ".join(integration.tags or []),
        "version": integration.version,
    }
    for name in SCOPE_FIELD_NAMES:
        values[name] = getattr(integration, name)
    return values


def datetime_local_value(value: datetime | None) -> str:
    """Write a time as a ``datetime-local`` input value in UTC, to the second."""
    if value is None:
        return ""
    utc = as_utc(value)
    text = utc.strftime("%Y-%m-%dT%H:%M")
    return text if utc.second == 0 else f"{text}:{utc.second:02d}"


def normalize_newlines(text: str | None) -> str | None:
    return text.replace("\r\n", "\n") if text is not None else None


def typed_secrets(payload: IntegrationInput) -> dict[str, str]:
    """The secrets an edit replaces: those typed; a blank one keeps what is stored."""
    updates = {}
    for field in SECRET_FIELDS:
        value = getattr(payload.auth_data, field)
        if value:
            updates[field] = value
    return updates


def type_for_submission(formdata: MultiDict, fallback: str) -> str:
    """The type whose fields a posted form should be read with.

    An unknown posted type falls back so the contract can explain the error
    next to the type field.
    """
    posted = formdata.get("integration_type", "")
    return posted if posted in TYPES else fallback


class SwitchForm(HtmlForm):
    """Switch an integration on or off, and optionally set its status with it."""

    active = StringField(
        validators=[
            InputRequired('Say "on" or "off".'),
            AnyOf(("on", "off"), message='Say "on" or "off".'),
        ]
    )
    status = StringField(
        validators=[
            Optional(),
            AnyOf(STATUSES, message=f"Status must be one of {_STATUS_LIST}."),
        ]
    )
    next = HiddenField()

    @property
    def switched_on(self) -> bool:
        return self.active.data == "on"


class StatusForm(HtmlForm):
    """Set an integration's status."""

    status = StringField(
        validators=[
            InputRequired(f"Status must be one of {_STATUS_LIST}."),
            AnyOf(STATUSES, message=f"Status must be one of {_STATUS_LIST}."),
        ]
    )
    next = HiddenField()


class DeleteForm(HtmlForm):
    """Delete an integration; only the confirmation page sends ``confirm``."""

    confirm = HiddenField(validators=[AnyOf(("delete",), message=_CONFIRM_ON_ITS_PAGE)])


class ClearSecretForm(HtmlForm):
    """Clear one stored secret; only the confirmation page sends ``confirm``."""

    secret = HiddenField(
        validators=[AnyOf(SECRET_FIELDS, message="There is no such secret.")]
    )
    confirm = HiddenField(validators=[AnyOf(("clear",), message=_CONFIRM_ON_ITS_PAGE)])


def first_error(form: HtmlForm) -> str:
    """The first problem a small button form found, as one sentence."""
    for errors in form.errors.values():
        for error in errors:
            return str(error)
    return "The request could not be understood."


class ListFilterForm(HtmlForm):
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
