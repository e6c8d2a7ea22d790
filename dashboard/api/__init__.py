"""The JSON API for scripts, authenticated by the x-api-key header."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import views  # noqa: E402, F401
