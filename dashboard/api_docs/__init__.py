"""The dashboard's API page: this server's address and ready-to-copy calls."""

from flask import Blueprint

bp = Blueprint("api_docs", __name__, url_prefix="/docs/api")

from . import views  # noqa: E402, F401
