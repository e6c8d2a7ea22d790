"""The API keys settings page."""

from flask import Blueprint

bp = Blueprint("api_keys", __name__, url_prefix="/settings/api-keys")

from . import views  # noqa: E402, F401
