"""The API's shapes beyond the save body: list query, response data, envelopes.

The views build every answer through these models and the OpenAPI document
is generated from them, so the document describes what is actually served.
The save and patch bodies are described by the contract's own model.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ..catalog import STATUSES, TYPE_SLUGS
from ..integrations.contract import Text255
from ..integrations.health import CHECKS

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25
MAX_PAGE = 1_000_000  # keeps the offset inside what every database accepts

Uuid = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
DateTime = Annotated[
    str,
    Field(
        json_schema_extra={"format": "date-time"},
        description="ISO 8601 in UTC, with an explicit +00:00",
    ),
]
TypeSlug = Literal[TYPE_SLUGS]  # type: ignore[valid-type]
StatusValue = Literal[STATUSES]  # type: ignore[valid-type]
CheckKey = Literal[tuple(check.key for check in CHECKS)]  # type: ignore[valid-type]


# The list's query string ----------------------------------------------------------


def _blank_is_absent(value):
    if isinstance(value, str):
        return value.strip() or None
    return value


def _as_bool(value: str | None) -> bool | None:
    return None if value is None else value == "true"


Flag = Annotated[
    Literal["true", "false"] | None,
    BeforeValidator(_blank_is_absent),
    AfterValidator(_as_bool),
]


class ListQuery(BaseModel):
    """The filters and page of ``GET /api/v2/integrations``; empty means absent."""

    model_config = ConfigDict(extra="forbid")

    type: Annotated[TypeSlug | None, BeforeValidator(_blank_is_absent)] = Field(
        None, description="Only this integration type."
    )
    status: Annotated[StatusValue | None, BeforeValidator(_blank_is_absent)] = Field(
        None, description="Only this status."
    )
    active: Flag = Field(None, description="Only switched on (true) or off (false).")
    org_slug: Text255 = Field(None, description="Only this exact org_slug.")
    workspace_id: Text255 = Field(None, description="Only this exact workspace_id.")
    needs_attention: Flag = Field(
        None,
        description="Only integrations failing (true) or passing (false) every "
        "health check.",
    )
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = Field(
        1, description="The page, from 1; past the last page, items is empty."
    )
    per_page: Annotated[int, Field(ge=1, le=MAX_PER_PAGE)] = Field(
        DEFAULT_PER_PAGE, description="Items per page."
    )


# Response data ----------------------------------------------------------------------


class _Shape(BaseModel):
    # Forbidding unknown keys makes a field added to the service's dicts but not
    # here fail the API tests, instead of being served undocumented.
    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_serialization_defaults_required=True
    )


class ScopeDataOut(_Shape):
    org_slug: str | None
    workspace_id: str | None
    installation_id: str | None
    project_id: str | None


class MetadataOut(_Shape):
    instance_name: str
    created_via: str | None
    version: str | None
    description: str | None
    tags: list[str]


class IntegrationOut(_Shape):
    """An integration as the API shows it: every field except the secrets."""

    integration_id: Uuid
    name: str
    integration_type: TypeSlug
    status: StatusValue
    active: bool
    unique_identifier: str
    created_by: Uuid = Field(description="The owner's public id.")
    created_at: DateTime
    updated_at: DateTime
    has_auth_data: bool = Field(description="True when an access token is stored.")
    has_scope_data: bool = Field(
        description="True when org_slug or workspace_id is set."
    )
    token_type: str
    expires_at: DateTime | None
    scope: str | None
    scope_data: ScopeDataOut
    metadata: MetadataOut


class HealthCheckOut(_Shape):
    key: CheckKey
    title: str
    passed: bool
    severity: Literal["ok", "warning", "danger"]
    reason: str
    fix: str | None = Field(description="What to do; null when the check passed.")


class SecretState(_Shape):
    """Whether a secret is stored and since when; never the secret itself."""

    is_set: bool
    set_at: DateTime | None


class SecretStates(_Shape):
    access_token: SecretState
    refresh_token: SecretState
    code: SecretState


class IntegrationDetail(IntegrationOut):
    """One integration with its health checks, in the checks' order."""

    needs_attention: bool = Field(description="True when any health check fails.")
    health: list[HealthCheckOut]
    secrets: SecretStates


class IntegrationListItem(IntegrationOut):
    needs_attention: bool = Field(description="True when any health check fails.")
    failing_checks: list[CheckKey]


class IntegrationPage(_Shape):
    items: list[IntegrationListItem]
    page: int
    per_page: int
    total: int = Field(description="How many integrations match the filters.")
    pages: int = Field(description="How many pages there are; at least 1.")


class DeletedIntegration(_Shape):
    integration_id: Uuid
    deleted: Literal[True]


# Envelopes --------------------------------------------------------------------------


class _Success(_Shape):
    success: Literal[True] = True
    error: None = None
    warnings: list[str] = Field(
        default_factory=list,
        description="Sentences about a change that worked but may not do what "
        "you expect; empty for reads.",
    )


class SaveResponse(_Success):
    data: IntegrationOut


class DetailResponse(_Success):
    data: IntegrationDetail


class ListResponse(_Success):
    data: IntegrationPage


class DeleteResponse(_Success):
    data: DeletedIntegration


class Problem(_Shape):
    """One validation problem; the offending value is never repeated."""

    loc: list[str | int] = Field(description='Where: starts with "body" or "query".')
    msg: str
    type: str


class ErrorResponse(_Shape):
    success: Literal[False] = False
    data: None = None
    error: str = Field(description="One readable sentence.")


class UnauthorizedResponse(ErrorResponse):
    detail: str = Field(description="The same sentence as error.")


class ValidationErrorResponse(ErrorResponse):
    detail: list[Problem]
