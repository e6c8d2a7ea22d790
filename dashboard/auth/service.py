"""Accounts: creating users, checking passwords, and the one-time setup."""

import hashlib
import hmac
import unicodedata
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import SetupClaim, User, new_session_token

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # hashing has a cost; nobody types more than this
MAX_EMAIL_LENGTH = 320
MAX_NEXT_LENGTH = 2048

# Hashes checked when the email is unknown, so both failures cost one hash.
_UNUSED_HASHES: dict[str, str] = {}


class EmailTaken(Exception):
    """Another account already uses this email address."""


class SetupClosed(Exception):
    """The first account exists; setup cannot create another."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Say what is wrong with ``email`` as a new account's address, or None."""
    email = email.strip()
    local, at, domain = email.partition("@")
    if len(email) > MAX_EMAIL_LENGTH:
        return f"Use at most {MAX_EMAIL_LENGTH} characters."
    if not (at and local and domain) or "@" in domain:
        return "Enter an email address such as name@example.com."
    if any(character.isspace() for character in email):
        return "An email address cannot contain spaces."
    return None


def password_problem(password: str) -> str | None:
    """Say what is wrong with ``password`` for a new account, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    return None


def safe_next_path(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, else None.

    Browsers read "//host", "/\\host" and paths with tabs or newlines in them
    as other sites, so anything that is not plainly "/path" is refused.
    """
    if not target or len(target) > MAX_NEXT_LENGTH:
        return None
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return None
    if "\\" in target or any(_is_control_or_space(c) for c in target):
        return None

    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _is_control_or_space(character: str) -> bool:
    # Category "C*" covers control, format (e.g. zero-width) and unassigned.
    return character.isspace() or unicodedata.category(character).startswith("C")


def any_user_exists(session: Session) -> bool:
    return session.scalar(select(func.count(User.id))) > 0


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def find_user_by_public_id(session: Session, public_id: str) -> User | None:
    return session.scalar(select(User).where(User.public_id == public_id))


def _hash_method() -> str:
    # Tests choose a cheaper method; every deployment keeps the default.
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def _unused_hash() -> str:
    method = _hash_method()
    if method not in _UNUSED_HASHES:
        _UNUSED_HASHES[method] = generate_password_hash("no one's", method=method)
    return _UNUSED_HASHES[method]


def user_for_session_id(session: Session, session_id: str) -> User | None:
    """Return the user a session or remember cookie names, if still valid."""
    public_id, _, token = session_id.partition(":")
    user = find_user_by_public_id(session, public_id)
    if user is None:
        return None
    if not hmac.compare_digest((user.session_token or "").encode(), token.encode()):
        return None
    return user


def end_all_sessions(session: Session, user: User) -> None:
    """Make every cookie issued to ``user`` so far worthless, and commit."""
    user.session_token = new_session_token()
    session.commit()


def create_user(session: Session, email: str, password: str) -> User:
    """Create and commit an account.

    :raise EmailTaken: the address is already registered.
    """
    user = User(email=normalise_email(email), password_hash=hash_password(password))
    session.add(user)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EmailTaken(email) from None
    return user


def create_first_user(session: Session, email: str, password: str) -> User:
    """Create the first account through setup, at most once ever.

    The fixed-key claim row is inserted in the same transaction as the user,
    so of two concurrent setups exactly one commits.

    :raise SetupClosed: an account exists or another setup won the race.
    """
    if any_user_exists(session):
        raise SetupClosed

    user = User(email=normalise_email(email), password_hash=hash_password(password))
    session.add_all([SetupClaim(id=1), user])
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SetupClosed from None
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the user whose credentials these are, or None.

    An unknown email and a wrong password take the same work and give the same
    answer, so the response does not reveal which addresses have accounts.
    """
    user = find_user_by_email(session, email)
    stored = user.password_hash if user else _unused_hash()
    if check_password_hash(stored, password) and user is not None:
        return user
    return None


def setup_token(secret_key: str) -> str:
    """The token that opens /setup, the same in every worker of one install."""
    digest = hmac.new(secret_key.encode(), b"dashboard-setup", hashlib.sha256)
    return digest.hexdigest()[:32]


def setup_token_matches(secret_key: str, candidate: str) -> bool:
    return hmac.compare_digest(setup_token(secret_key).encode(), candidate.encode())
