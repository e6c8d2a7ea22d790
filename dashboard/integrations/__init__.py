"""Integrations in the browser: list, create, detail and troubleshooting."""

from flask import Blueprint

bp = Blueprint("integrations", __name__)

from . import views  # noqa: E402, F401
