"""Helpers the templates share."""

from datetime import datetime

from flask import Flask, g
from flask_login import current_user

from .catalog import STATUSES, TYPES
from .extensions import db
from .integrations import history
from .integrations.contract import SECRET_FIELDS
from .integrations.queries import attention_count
from .timeutil import as_utc, utcnow

# Badge colours for the stored status; the badge always spells the status out.
_STATUS_BADGES = {
    "active": "badge-ok",
    "pending": "badge-warning",
    "inactive": "badge-muted",
    "error": "badge-danger",
}
_UNITS = (("day", 86_400), ("hour", 3_600), ("minute", 60))
_HISTORY_FIELD_ORDER = (*history.TRACKED_FIELDS, *SECRET_FIELDS)


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        integration_types=TYPES,
        integration_statuses=STATUSES,
        attention_count=needing_attention,
    )
    app.jinja_env.filters["utc"] = format_utc
    app.jinja_env.filters["status_badge"] = status_badge_class
    app.jinja_env.filters["severity_badge"] = severity_badge_class
    app.jinja_env.filters["changed_fields"] = changed_fields
    app.jinja_env.filters["history_value"] = history_value
    app.jinja_env.filters["relative_to"] = relative_to


def format_utc(value, seconds: bool = False) -> str:
    """Show an aware datetime as UTC, to the minute or second; blank for None."""
    if value is None:
        return ""
    pattern = "%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC"
    return as_utc(value).strftime(pattern)


def status_badge_class(status: str) -> str:
    return _STATUS_BADGES.get(status, "badge-muted")


def severity_badge_class(severity: str) -> str:
    """Map a check's severity (danger, warning, ok) to its badge class."""
    return (
        f"badge-{severity}"
        if severity in ("danger", "warning", "ok")
        else "badge-muted"
    )


def needing_attention() -> int:
    """Count the signed-in user's integrations that fail a check, once a request.

    Only the navigation calls this, so pages without it never run the query.
    """
    if not current_user.is_authenticated:
        return 0
    if "attention_count" not in g:
        g.attention_count = attention_count(db.session, current_user, utcnow())
    return g.attention_count


def changed_fields(changes: dict) -> list[tuple[str, dict]]:
    """An audit entry's changes in reading order (JSONB does not keep key order)."""
    known = [name for name in _HISTORY_FIELD_ORDER if name in changes]
    others = sorted(name for name in changes if name not in known)
    return [(name, changes[name]) for name in known + others]


def history_value(value) -> str:
    """Show a value recorded in the history: lists joined, booleans as on/off."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def relative_to(moment: datetime, now: datetime) -> str:
    """Say how far ``moment`` is from ``now``, as in "in 3 days" or "2 hours ago"."""
    seconds = (as_utc(moment) - now).total_seconds()
    distance = abs(seconds)
    units = [(name, size) for name, size in _UNITS if distance >= size]
    if not units:
        return "now"

    name, size = units[0]
    count = int(distance // size)
    amount = f"{count} {name}{'s' if count != 1 else ''}"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"
