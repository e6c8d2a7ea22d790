"""Configuration read from the environment, checked before the app starts."""

import os
import secrets
import warnings
from collections.abc import Mapping
from pathlib import Path

from .crypto import KeyRing, KeyRingError, generate_key

MAX_BODY_BYTES = 1024 * 1024


class ConfigError(RuntimeError):
    """The configuration cannot run the app; the message says how to fix it."""


def _env_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def settings_from_env(environ: Mapping[str, str], instance_path: str) -> dict:
    """Read the settings the app understands from ``environ``."""
    default_db = "sqlite:///" + str(Path(instance_path) / "dashboard.db")
    return {
        "SQLALCHEMY_DATABASE_URI": environ.get("DATABASE_URL") or default_db,
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        "ENCRYPTION_KEYS": environ.get("ENCRYPTION_KEYS") or None,
        "DEBUG": _env_flag(environ.get("FLASK_DEBUG")),
        "PAGE_SIZE": _env_int(environ, "PAGE_SIZE", 25, minimum=1),
        "TRUSTED_PROXIES": _env_int(environ, "TRUSTED_PROXIES", 0, minimum=0),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "LOGIN_LIMIT_PER_ACCOUNT": environ.get("LOGIN_LIMIT_PER_ACCOUNT")
        or "5 per minute; 30 per hour",
        "LOGIN_LIMIT_PER_ADDRESS": environ.get("LOGIN_LIMIT_PER_ADDRESS")
        or "20 per minute; 200 per hour",
        "API_RATE_LIMIT": environ.get("API_RATE_LIMIT") or "120 per minute",
        "API_FAILED_KEY_LIMIT": environ.get("API_FAILED_KEY_LIMIT") or "20 per minute",
        # Served over HTTPS (directly or behind a TLS proxy): cookies go only
        # over HTTPS and links are built with https://.
        "SESSION_COOKIE_SECURE": _env_flag(environ.get("SECURE_COOKIES")),
        "REMEMBER_COOKIE_SECURE": _env_flag(environ.get("SECURE_COOKIES")),
        "PREFERRED_URL_SCHEME": (
            "https" if _env_flag(environ.get("SECURE_COOKIES")) else "http"
        ),
    }


def _env_int(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}.")
    return int(raw)


def _fill_debug_keys(config: dict) -> None:
    """Let a debug run start without keys; nothing it encrypts survives a restart."""
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = secrets.token_hex(32)
        warnings.warn("SECRET_KEY is not set; using a throwaway key", stacklevel=3)
    if not config["ENCRYPTION_KEYS"]:
        config["ENCRYPTION_KEYS"] = generate_key()
        warnings.warn("ENCRYPTION_KEYS is not set; using a throwaway key", stacklevel=3)


def _pin_postgres_to_utc(config: dict) -> None:
    """Make every PostgreSQL session work in UTC, whatever the server's default.

    Times are stored as timestamptz; a session in another zone would render
    extreme values past year 9999 and fail to read them back.
    """
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {
            **options.get("connect_args", {}),
            "options": "-c timezone=UTC",
        }
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def build_config(overrides: Mapping | None, instance_path: str) -> dict:
    """Merge environment settings with ``overrides`` and check the result.

    :raise ConfigError: a required key is missing or malformed.
    """
    config = {
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        # Pre-ping recovers from a database restart; hidden parameters keep
        # emails and ciphertexts out of logged SQL errors.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "WTF_CSRF_TIME_LIMIT": None,
        # Versioned vendor files and the app's own assets may be cached a day.
        "SEND_FILE_MAX_AGE_DEFAULT": 86400,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }
    config.update(settings_from_env(os.environ, instance_path))
    config.update(overrides or {})
    _pin_postgres_to_utc(config)

    if config["DEBUG"]:
        _fill_debug_keys(config)

    if not config["SECRET_KEY"]:
        raise ConfigError(
            "SECRET_KEY is not set. Make one with:\n"
            "  python -c 'import secrets; print(secrets.token_hex(32))'\n"
            "and put it in the environment as SECRET_KEY."
        )
    if not config["ENCRYPTION_KEYS"]:
        raise ConfigError(
            "ENCRYPTION_KEYS is not set. Make a key with:\n"
            "  python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'\n"
            "and put it in the environment as ENCRYPTION_KEYS "
            "(comma-separated; the first key encrypts)."
        )
    try:
        config["KEY_RING"] = KeyRing.from_setting(config["ENCRYPTION_KEYS"])
    except KeyRingError as error:
        raise ConfigError(f"ENCRYPTION_KEYS is unusable: {error}.") from None

    return config
