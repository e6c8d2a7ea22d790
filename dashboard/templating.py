"""Helpers the templates share."""

from flask import Flask

from .catalog import STATUSES, TYPES


def register(app: Flask) -> None:
    app.jinja_env.globals.update(integration_types=TYPES, statuses=STATUSES)
    app.jinja_env.filters["utc"] = format_utc


def format_utc(value) -> str:
    """Show an aware datetime as UTC, to the minute; blank for None."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC")
