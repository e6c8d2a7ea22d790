"""Health checks: why an integration will not work, and how to fix it.

Each check is written twice on purpose, once as a plain function over an
integration and once as a SQL condition, so the list can filter in the
database; a test runs both over the same rows and requires them to agree.
Badges, the troubleshooting page and the "needs attention" filter all read
the checks from ``CHECKS``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement

from ..catalog import STATUS_MEANINGS, TYPES, IntegrationType
from ..models import Integration
from ..timeutil import as_utc

EXPIRY_WARNING = timedelta(days=7)


class Checkable(Protocol):
    integration_type: str
    active: bool
    status: str
    has_auth_data: bool
    expires_at: datetime | None
    org_slug: str | None
    workspace_id: str | None
    installation_id: str | None
    project_id: str | None


@dataclass(frozen=True)
class CheckResult:
    key: str
    title: str
    passed: bool
    reason: str
    fix: str | None
    severity: str


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    severity: str
    fails: Callable[[Checkable, datetime], bool]
    fails_sql: Callable[[datetime], ColumnElement]
    explain: Callable[[Checkable, IntegrationType, datetime], tuple[str, str]]
    passed_reason: Callable[[Checkable, IntegrationType], str]
    badge: str


def _primary_value(item: Checkable, kind: IntegrationType) -> str | None:
    return getattr(item, kind.primary.name)


def _other_value(item: Checkable, kind: IntegrationType) -> str | None:
    return getattr(item, kind.other_primary_name)


def _per_type_sql(condition: Callable[[IntegrationType], ColumnElement]):
    return or_(
        *(
            and_(Integration.integration_type == kind.slug, condition(kind))
            for kind in TYPES.values()
        )
    )


def _column(name: str):
    return getattr(Integration, name)


def _expires(item: Checkable) -> datetime | None:
    return as_utc(item.expires_at) if item.expires_at is not None else None


def _is_expired(item: Checkable, now: datetime) -> bool:
    expires = _expires(item)
    return expires is not None and expires <= now


def _expires_soon(item: Checkable, now: datetime) -> bool:
    expires = _expires(item)
    return expires is not None and now < expires <= now + EXPIRY_WARNING


def _explain_switched_off(item, kind, now):
    return (
        "It is switched off, so nothing will use it.",
        "Activate it (switch it on).",
    )


def _explain_status(item, kind, now):
    return (
        f'Its status is "{item.status}": {STATUS_MEANINGS[item.status]}.',
        'Set the status to "active" once the cause is resolved.',
    )


def _explain_disagreement(item, kind, now):
    if item.active:
        reason = f'It is switched on, but its status is "{item.status}".'
    else:
        reason = 'Its status is "active", but it is switched off.'
    return (
        reason + " Scripts that check only one of the two will disagree.",
        'Align them: switch it on with status "active", or off with another status.',
    )


def _explain_no_credentials(item, kind, now):
    return (
        f"It has no access token, so it cannot call {kind.label} on anyone's behalf.",
        f"Add an access token from {kind.label} (auth_data.access_token).",
    )


def _explain_expired(item, kind, now):
    return (
        f"Its token expired on {_expires(item):%Y-%m-%d %H:%M} UTC.",
        f"Re-authorise with {kind.label} and paste the fresh token, with its new "
        "expiry.",
    )


def _explain_expiring(item, kind, now):
    days = max((_expires(item) - now).days, 0)
    return (
        f"Its token expires on {_expires(item):%Y-%m-%d %H:%M} UTC "
        f"(in {days} day{'s' if days != 1 else ''}).",
        "Plan the renewal: get a fresh token before then, or add a refresh token.",
    )


def _explain_no_scope(item, kind, now):
    return (
        f"It has no {kind.primary.name}, so {kind.label} calls have nothing to "
        "point at (has_scope_data is false).",
        f"Add {kind.primary.name} ({kind.primary.label}): {kind.primary.help}",
    )


def _explain_wrong_scope_field(item, kind, now):
    return (
        f"{kind.other_primary_name} is set, but {kind.label} integrations read "
        f"{kind.primary.name}, which is empty.",
        f"Put the value in {kind.primary.name} instead: {kind.primary.help}",
    )


def _explain_scope_pitfall(item, kind, now):
    given = [n for n in ("project_id", "installation_id") if getattr(item, n)]
    return (
        f"Only {' and '.join(given)} {'is' if len(given) == 1 else 'are'} set. "
        "These narrow a scope but do not make one: has_scope_data counts only "
        "org_slug and workspace_id.",
        f"Add {kind.primary.name} as well; keep {' and '.join(given)}.",
    )


def _passed_scope(item, kind):
    given = [n for n in ("org_slug", "workspace_id") if getattr(item, n)]
    verb = "is" if len(given) == 1 else "are"
    return f"{' and '.join(given)} {verb} set, so there is a scope."


def _scope_pitfall(item: Checkable, now: datetime) -> bool:
    no_scope = not (item.org_slug or item.workspace_id)
    return no_scope and bool(item.project_id or item.installation_id)


CHECKS: tuple[Check, ...] = (
    Check(
        "switched_off",
        "Switched on",
        "danger",
        lambda item, now: not item.active,
        lambda now: Integration.active == false(),
        _explain_switched_off,
        lambda item, kind: "It is switched on.",
        "Switched off",
    ),
    Check(
        "status",
        "Status",
        "danger",
        lambda item, now: item.status != "active",
        lambda now: Integration.status != "active",
        _explain_status,
        lambda item, kind: 'Its status is "active".',
        "Not active",
    ),
    Check(
        "disagreement",
        "Switch and status agree",
        "warning",
        lambda item, now: item.active != (item.status == "active"),
        lambda now: or_(
            and_(Integration.active, Integration.status != "active"),
            and_(Integration.active == false(), Integration.status == "active"),
        ),
        _explain_disagreement,
        lambda item, kind: "The on/off switch and the status agree.",
        "Switch and status disagree",
    ),
    Check(
        "no_credentials",
        "Credentials",
        "danger",
        lambda item, now: not item.has_auth_data,
        lambda now: ~Integration.has_auth_data,
        _explain_no_credentials,
        lambda item, kind: "An access token is stored.",
        "No credentials",
    ),
    Check(
        "expired",
        "Token not expired",
        "danger",
        _is_expired,
        lambda now: Integration.expires_at <= now,
        _explain_expired,
        lambda item, kind: (
            "The token has not expired."
            if item.expires_at
            else "No expiry date is recorded."
        ),
        "Expired",
    ),
    Check(
        "expiring_soon",
        "Token not expiring soon",
        "warning",
        _expires_soon,
        lambda now: and_(
            Integration.expires_at > now,
            Integration.expires_at <= now + EXPIRY_WARNING,
        ),
        _explain_expiring,
        lambda item, kind: (
            "The token does not expire within 7 days."
            if item.expires_at
            else "No expiry date is recorded."
        ),
        "Expiring soon",
    ),
    Check(
        "no_scope",
        "Scope",
        "danger",
        lambda item, now: not (item.org_slug or item.workspace_id),
        lambda now: ~Integration.has_scope_data,
        _explain_no_scope,
        _passed_scope,
        "No scope",
    ),
    Check(
        "wrong_scope_field",
        "Scope field for this type",
        "danger",
        lambda item, now: (
            not _primary_value(item, TYPES[item.integration_type])
            and bool(_other_value(item, TYPES[item.integration_type]))
        ),
        lambda now: _per_type_sql(
            lambda kind: and_(
                _column(kind.primary.name).is_(None),
                _column(kind.other_primary_name).is_not(None),
            )
        ),
        _explain_wrong_scope_field,
        lambda item, kind: (
            f"{kind.label} reads {kind.primary.name}, and it is set."
            if _primary_value(item, kind)
            else f"{kind.other_primary_name} is not used in place of "
            f"{kind.primary.name}."
        ),
        "Wrong scope field",
    ),
    Check(
        "scope_pitfall",
        "Scope not only project or installation",
        "warning",
        _scope_pitfall,
        lambda now: and_(
            Integration.org_slug.is_(None),
            Integration.workspace_id.is_(None),
            or_(
                Integration.project_id.is_not(None),
                Integration.installation_id.is_not(None),
            ),
        ),
        _explain_scope_pitfall,
        lambda item, kind: (
            "project_id and installation_id are not relied on as the scope."
        ),
        "Project or installation only",
    ),
)


def run_checks(item: Checkable, now: datetime) -> list[CheckResult]:
    """Run every check over ``item`` and explain each result for its type."""
    kind = TYPES[item.integration_type]
    results = []
    for check in CHECKS:
        if check.fails(item, now):
            reason, fix = check.explain(item, kind, now)
            results.append(
                CheckResult(check.key, check.title, False, reason, fix, check.severity)
            )
        else:
            reason = check.passed_reason(item, kind)
            results.append(
                CheckResult(check.key, check.title, True, reason, None, "ok")
            )
    return results


def failing_checks(item: Checkable, now: datetime) -> list[Check]:
    return [check for check in CHECKS if check.fails(item, now)]


def failing_keys(item: Checkable, now: datetime) -> list[str]:
    return [check.key for check in CHECKS if check.fails(item, now)]


def needs_attention(item: Checkable, now: datetime) -> bool:
    return any(check.fails(item, now) for check in CHECKS)


def needs_attention_sql(now: datetime) -> ColumnElement:
    """The SQL twin of ``needs_attention``: true for rows failing any check."""
    return or_(*(check.fails_sql(now) for check in CHECKS))
