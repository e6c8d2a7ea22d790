"""API key authentication: the x-api-key header, never the browser session."""

from collections.abc import Callable
from functools import wraps

from flask import g, request

from ..api_keys.service import find_live_key
from ..extensions import db
from ..models import User
from .errors import error_response

API_KEY_HEADER = "x-api-key"
KEY_MISSING = "API key is required"
KEY_INVALID = "Invalid API key"


def presented_key() -> str | None:
    """Return the key the request carries; a blank header counts as none."""
    return request.headers.get(API_KEY_HEADER, "").strip() or None


def unauthorized(message: str):
    return error_response(
        401, message, detail=message, headers={"WWW-Authenticate": "ApiKey"}
    )


def require_api_key(view: Callable) -> Callable:
    """Answer 401 unless the request carries a live API key.

    The check runs before the view touches the body, so a request without a
    valid key gets 401 whatever it sent. The key is kept in ``g.api_key``; its
    use is recorded on the session and saved only with a successful request's
    commit, so a refused request leaves "last used" as it was.
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        key = presented_key()
        if key is None:
            return unauthorized(KEY_MISSING)

        record = find_live_key(db.session, key)
        if record is None:
            return unauthorized(KEY_INVALID)

        g.api_key = record
        return view(*args, **kwargs)

    return guarded


def api_user() -> User:
    """Return the owner of the key that authenticated this request."""
    return g.api_key.user


def api_actor() -> str:
    """Name the key for the audit trail, as people see it on the keys page."""
    return f"API key '{g.api_key.name}'"
