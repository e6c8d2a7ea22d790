"""The save contract: field rules, defaults, derived flags and warnings.

This is the only place the rules are written. The JSON API validates request
bodies with it and the browser form hands its data to it, so both doors accept
and refuse exactly the same things.
"""

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from ..catalog import STATUSES, TYPE_SLUGS, get_type

SECRET_FIELDS = ("access_token", "refresh_token", "code")
MAX_JSON_DEPTH = 32
MAX_TAGS = 100
EARLIEST_YEAR = 1970
LATEST_YEAR = 9000
# Calendar date, then a time: ISO week dates and bare dates are refused.
_DATE_THEN_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _reject_unsafe_characters(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("string_nul", "Text must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError(
            "string_surrogate", "Text must not contain a lone surrogate character"
        ) from None
    return value


def _none_means(default: Any):
    def replace_none(value: Any) -> Any:
        if value is None:
            return default() if callable(default) else default
        return value

    return BeforeValidator(replace_none)


def _text(max_length: int, min_length: int = 0):
    return Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=min_length, max_length=max_length
        ),
        AfterValidator(_reject_unsafe_characters),
    ]


def _optional_text(max_length: int):
    """A string that may be null, where an empty string counts as absent."""
    return Annotated[_text(max_length) | None, AfterValidator(_none_if_blank)]


def _none_if_blank(value: str | None) -> str | None:
    return value or None


def _parse_datetime(value: Any) -> datetime | None:
    """Read an ISO 8601 date-time; a value without an offset is UTC."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise PydanticCustomError(
            "datetime_type", "Input should be an ISO 8601 date-time string"
        )

    text = value.strip()
    if not text:
        return None
    if not _DATE_THEN_TIME.match(text):
        # A bare date would silently mean midnight UTC; ask for the time.
        raise PydanticCustomError(
            "datetime_from_date_parsing",
            "Input should be a date and a time, such as 2030-01-31T17:45:00Z",
        )
    try:
        parsed = datetime.fromisoformat(text)
        parsed = (
            parsed.replace(tzinfo=UTC)
            if parsed.tzinfo is None
            else parsed.astimezone(UTC)
        )
    except (ValueError, OverflowError):
        raise PydanticCustomError(
            "datetime_from_date_parsing",
            "Input should be an ISO 8601 date-time such as 2030-01-31T17:45:00Z",
        ) from None

    # Years near the ends of the calendar overflow when a database or a
    # reader shifts them by a time zone.
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        raise PydanticCustomError(
            "datetime_out_of_range",
            f"Input should be a date-time between the years {EARLIEST_YEAR} "
            f"and {LATEST_YEAR}",
        )
    return parsed


def _no_comma(tag: str) -> str:
    if "," in tag:
        raise PydanticCustomError("tag_comma", "A tag must not contain a comma")
    return tag


def _distinct_tags(tags: list[str]) -> list[str]:
    distinct = list(dict.fromkeys(tags))
    if len(distinct) > MAX_TAGS:
        raise PydanticCustomError(
            "too_many_tags", f"At most {MAX_TAGS} different tags are allowed"
        )
    return distinct


def _trimmed(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Name = _text(255, min_length=1)
Text255 = _optional_text(255)
Secret = _optional_text(16_384)
Tag = Annotated[_text(100, min_length=1), AfterValidator(_no_comma)]
Tags = Annotated[list[Tag], AfterValidator(_distinct_tags), _none_means(list)]
ExpiresAt = Annotated[datetime | None, BeforeValidator(_parse_datetime)]
IntegrationTypeSlug = Annotated[
    Literal[TYPE_SLUGS],  # type: ignore[valid-type]
    BeforeValidator(_trimmed),
]
Status = Annotated[
    Literal[STATUSES],  # type: ignore[valid-type]
    BeforeValidator(_trimmed),
    _none_means("active"),
]
TokenType = Annotated[_optional_text(255), AfterValidator(lambda v: v or "Bearer")]


class _StrictTypes(BaseModel):
    # Strict: a JSON boolean is the only boolean and a string the only string.
    # Unknown keys are kept aside so the caller can be warned about them.
    model_config = ConfigDict(strict=True, extra="allow")


class AuthData(_StrictTypes):
    access_token: Secret = None
    refresh_token: Secret = None
    code: Secret = None
    token_type: TokenType = "Bearer"
    expires_at: ExpiresAt = None
    scope: _optional_text(4096) = None


class ScopeData(_StrictTypes):
    org_slug: Text255 = None
    workspace_id: Text255 = None
    installation_id: Text255 = None
    project_id: Text255 = None


class Metadata(_StrictTypes):
    instance_name: Text255 = None
    created_via: Text255 = None
    version: Text255 = None
    description: _optional_text(2000) = None
    tags: Tags = []


class IntegrationInput(_StrictTypes):
    """A validated save request, with every default filled in."""

    name: Name
    integration_type: IntegrationTypeSlug
    status: Status = "active"
    active: Annotated[bool, _none_means(True)] = True
    unique_identifier: Text255 = None
    auth_data: Annotated[AuthData, _none_means(dict)] = AuthData()
    scope_data: Annotated[ScopeData, _none_means(dict)] = ScopeData()
    metadata: Annotated[Metadata, _none_means(dict)] = Metadata()

    @property
    def has_auth_data(self) -> bool:
        return self.auth_data.access_token is not None

    @property
    def has_scope_data(self) -> bool:
        return bool(self.scope_data.org_slug or self.scope_data.workspace_id)

    def ignored_keys(self) -> list[str]:
        """Dotted paths of the keys the request sent that the contract ignores."""
        found = list(self.model_extra or {})
        for section in ("auth_data", "scope_data", "metadata"):
            extra = getattr(self, section).model_extra or {}
            found.extend(f"{section}.{key}" for key in extra)
        return found


class InvalidRequest(Exception):
    """The request body breaks the contract; ``details`` lists every problem."""

    def __init__(self, details: list[dict]):
        super().__init__(f"{len(details)} validation problem(s)")
        self.details = details


_FRIENDLIER_MESSAGES = {
    "model_type": "Input should be a JSON object",
    "model_attributes_type": "Input should be a JSON object",
    "dict_type": "Input should be a JSON object",
}


def _details_from(error: ValidationError) -> list[dict]:
    # Never include the offending input: it may be a secret.
    return [
        {
            "loc": ["body", *problem["loc"]],
            "msg": _FRIENDLIER_MESSAGES.get(problem["type"], problem["msg"]),
            "type": problem["type"],
        }
        for problem in error.errors(
            include_url=False, include_context=False, include_input=False
        )
    ]


def body_problem(message: str, kind: str) -> InvalidRequest:
    return InvalidRequest([{"loc": ["body"], "msg": message, "type": kind}])


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey
    return result


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _nests_deeper_than(value: Any, limit: int) -> bool:
    """Return True when ``value`` nests deeper than ``limit``."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return False


def parse_json_body(raw: bytes) -> Any:
    """Decode a request body, refusing duplicate keys and non-standard JSON.

    :raise InvalidRequest: the body is not valid JSON.
    """
    try:
        text = raw.decode("utf-8")
        document = json.loads(
            text,
            object_pairs_hook=_refuse_duplicate_keys,
            parse_constant=_refuse_constant,
        )
    except _DuplicateKey:
        raise body_problem(
            "The body has an object with the same key more than once",
            "json_duplicate_key",
        ) from None
    except (ValueError, RecursionError):
        raise body_problem("The body is not valid JSON", "json_invalid") from None

    if _nests_deeper_than(document, MAX_JSON_DEPTH):
        raise body_problem(
            f"The body nests deeper than {MAX_JSON_DEPTH} levels", "json_too_deep"
        )
    return document


def validate_input(document: Any) -> IntegrationInput:
    """Check a decoded body against the contract and fill in the defaults.

    :raise InvalidRequest: listing every problem at once.
    """
    if not isinstance(document, dict):
        raise body_problem("The body must be a JSON object", "model_type")
    try:
        return IntegrationInput.model_validate(document)
    except ValidationError as error:
        raise InvalidRequest(_details_from(error)) from None


def save_warnings(payload: IntegrationInput, now: datetime) -> list[str]:
    """Plain sentences for a save that succeeds but may not work as expected."""
    kind = get_type(payload.integration_type)
    primary = kind.primary.name
    warnings = []

    if not getattr(payload.scope_data, primary):
        warnings.append(
            f"scope_data.{primary} is empty: {kind.label} integrations read "
            f"{primary}, so this integration has no usable scope."
        )
    expires_at = payload.auth_data.expires_at
    if expires_at is not None and expires_at <= now:
        warnings.append("auth_data.expires_at is already in the past.")
    if payload.active and payload.status != "active":
        warnings.append(
            f'active is true but status is "{payload.status}"; it will not be used '
            'until status is "active".'
        )
    if not payload.active and payload.status == "active":
        warnings.append('status is "active" but active is false; it is switched off.')
    for key in payload.ignored_keys():
        warnings.append(f"Unknown field {_printable(key)} was ignored.")

    return warnings


def _printable(key: str) -> str:
    shown = key if len(key) <= 100 else key[:100] + "…"
    try:
        _reject_unsafe_characters(shown)
    except PydanticCustomError:
        return "(a key with unprintable characters)"
    return shown


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch: null removes a key, objects merge, rest replaces."""
    if not isinstance(patch, dict):
        return patch

    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def validate_patch(
    current: dict, patch: Any
) -> tuple[IntegrationInput, dict[str, str | None]]:
    """Check a merge patch against the contract, as applied to ``current``.

    ``current`` is the integration's document without secrets. Removing a key
    with null gives it its default again, through the same rules as a save.
    Secrets are write-only, so the patch alone says what happens to each:
    absent or blank keeps it, null clears it, text replaces it.

    :return: the validated whole document and the secret updates.
    :raise InvalidRequest: listing every problem at once.
    """
    if not isinstance(patch, dict):
        raise body_problem("The body must be a JSON object", "model_type")

    payload = validate_input(merge_patch(current, patch))
    return payload, _secret_updates(patch, payload)


def _secret_updates(patch: dict, payload: IntegrationInput) -> dict[str, str | None]:
    if "auth_data" in patch and patch["auth_data"] is None:
        return dict.fromkeys(SECRET_FIELDS)

    sent = patch.get("auth_data") or {}
    updates: dict[str, str | None] = {}
    for field in SECRET_FIELDS:
        if field not in sent:
            continue
        if sent[field] is None:
            updates[field] = None
        elif getattr(payload.auth_data, field):
            updates[field] = getattr(payload.auth_data, field)
    return updates
