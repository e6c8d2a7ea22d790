"""Rate limits: sign-in attempts per account and per address, API calls per key.

Counters live in memory by default, which is right for one process; several
workers or machines share them through RATELIMIT_STORAGE_URI (for example
redis://127.0.0.1:6379/0).
"""

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address

from .api_keys.service import find_key
from .crypto import hash_api_key
from .extensions import db, limiter


def login_account_key() -> str:
    """Count attempts against the account being tried, whoever tries it."""
    email = request.form.get("email", "").strip().lower()
    return "login-account:" + email[:320]


def api_key_identity() -> str:
    """Count API calls per known key, and everything else per client address.

    Unknown keys share their address's counter, so a guesser cannot get a
    fresh allowance by sending a new key each time. The counter store only
    ever sees a key's hash.
    """
    key = request.headers.get("x-api-key", "").strip()
    if key and find_key(db.session, key) is not None:
        return "api-key:" + hash_api_key(key)
    return "api-address:" + get_remote_address()


def login_limit_per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def login_limit_per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def limit_login(view):
    """Apply both sign-in limits to the POSTs of ``view``."""
    message = "Too many sign-in attempts. Wait a minute, then try again."
    per_address = limiter.limit(
        login_limit_per_address, methods=["POST"], error_message=message
    )
    per_account = limiter.limit(
        login_limit_per_account,
        key_func=login_account_key,
        methods=["POST"],
        error_message=message,
    )
    return per_address(per_account(view))


def limit_api(blueprint) -> None:
    limiter.limit(api_limit, key_func=api_key_identity)(blueprint)


def register(app: Flask) -> None:
    limiter.init_app(app)
