"""Accounts: creating users, checking passwords, and the one-time setup."""

import hashlib
import hmac

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import SetupClaim, User

MIN_PASSWORD_LENGTH = 12

# Checked against when the email is unknown, so both failures cost one hash.
_UNUSED_HASH = generate_password_hash("not a password of anyone")


class EmailTaken(Exception):
    """Another account already uses this email address."""


class SetupClosed(Exception):
    """The first account exists; setup cannot create another."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def any_user_exists(session: Session) -> bool:
    return session.scalar(select(func.count(User.id))) > 0


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def find_user_by_public_id(session: Session, public_id: str) -> User | None:
    return session.scalar(select(User).where(User.public_id == public_id))


def create_user(session: Session, email: str, password: str) -> User:
    """Create and commit an account.

    :raise EmailTaken: the address is already registered.
    """
    user = User(
        email=normalise_email(email), password_hash=generate_password_hash(password)
    )
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

    user = User(
        email=normalise_email(email), password_hash=generate_password_hash(password)
    )
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
    stored = user.password_hash if user else _UNUSED_HASH
    if check_password_hash(stored, password) and user is not None:
        return user
    return None


def setup_token(secret_key: str) -> str:
    """The token that opens /setup, the same in every worker of one install."""
    digest = hmac.new(secret_key.encode(), b"dashboard-setup", hashlib.sha256)
    return digest.hexdigest()[:32]


def setup_token_matches(secret_key: str, candidate: str) -> bool:
    return hmac.compare_digest(setup_token(secret_key).encode(), candidate.encode())
