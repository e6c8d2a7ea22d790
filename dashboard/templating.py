"""Helpers the templates share."""

from flask import Flask

from .catalog import TYPES
from .timeutil import as_utc

# Badge colours for the stored status; the badge always spells the status out.
_STATUS_BADGES = {
    "active": "badge-ok",
    "pending": "badge-warning",
    "inactive": "badge-muted",
    "error": "badge-danger",
}


def register(app: Flask) -> None:
    app.jinja_env.globals.update(integration_types=TYPES)
    app.jinja_env.filters["utc"] = format_utc
    app.jinja_env.filters["status_badge"] = status_badge_class
    app.jinja_env.filters["severity_badge"] = severity_badge_class


def format_utc(value) -> str:
    """Show an aware datetime as UTC, to the minute; blank for None."""
    if value is None:
        return ""
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def status_badge_class(status: str) -> str:
    return _STATUS_BADGES.get(status, "badge-muted")


def severity_badge_class(severity: str) -> str:
    """Map a check's severity (danger, warning, ok) to its badge class."""
    return (
        f"badge-{severity}"
        if severity in ("danger", "warning", "ok")
        else "badge-muted"
    )
