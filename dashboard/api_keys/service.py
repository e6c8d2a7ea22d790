"""API keys: created for a user, stored only as a hash, revocable."""

import json
import shlex
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..crypto import hash_api_key, new_api_key, same_digest
from ..models import ApiKey, User
from ..timeutil import utcnow

PREFIX_LENGTH = 11  # "sk-" and eight hex characters: enough to tell keys apart
MAX_NAME_LENGTH = 100  # the width of the name column
EXAMPLE_BODY = {
    "name": "Staging errors",
    "integration_type": "sentry",
    "auth_data": {"access_token": "tok_example", "token_type": "Bearer"},
    "scope_data": {"org_slug": "acme"},
    "metadata": {"tags": ["staging"]},
}


class NameTooLong(ValueError):
    """The key's name does not fit the name column."""


@dataclass(frozen=True)
class NewKey:
    record: ApiKey
    plaintext: str


def create_api_key(session: Session, user: User, name: str) -> NewKey:
    """Create and commit a key; the plaintext exists only in the return value.

    :raise NameTooLong: ``name`` is longer than ``MAX_NAME_LENGTH``.
    """
    name = name.strip() or "API key"
    if len(name) > MAX_NAME_LENGTH:
        raise NameTooLong(name)

    plaintext = new_api_key()
    record = ApiKey(
        user_id=user.id,
        name=name,
        prefix=plaintext[:PREFIX_LENGTH],
        key_hash=hash_api_key(plaintext),
    )
    session.add(record)
    session.commit()
    return NewKey(record, plaintext)


def keys_of(session: Session, user: User) -> list[ApiKey]:
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.user_id == user.id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    )


def find_key(session: Session, plaintext: str) -> ApiKey | None:
    """Return the key record ``plaintext`` names, live or revoked, or None.

    Inside a request the answer is kept for the rest of it: the rate limiter
    and the authentication both ask, and one query serves both.
    """
    digest = hash_api_key(plaintext)
    memo = g.setdefault("api_key_lookups", {}) if has_request_context() else {}
    if digest not in memo:
        # The database looks the key up by its hash, so any timing it leaks
        # is about a hash, not the key; the final check is constant-time.
        record = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
        if record is not None and not same_digest(record.key_hash, digest):
            record = None
        memo[digest] = record
    return memo[digest]


def find_live_key(session: Session, plaintext: str) -> ApiKey | None:
    """Return the live key ``plaintext`` names and mark it used, or None.

    The use is only set on the session, not committed: it is saved with the
    change the request makes, so a request that fails records nothing.
    """
    record = find_key(session, plaintext)
    if record is None or record.is_revoked:
        return None

    record.last_used_at = utcnow()
    return record


def revoke_api_key(session: Session, user: User, key_public_id: str) -> bool:
    """Revoke one of ``user``'s keys; False when it is not theirs or not found."""
    record = session.scalar(
        select(ApiKey).where(
            ApiKey.public_id == key_public_id, ApiKey.user_id == user.id
        )
    )
    if record is None:
        return False
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.commit()
    return True


def curl_example(save_url: str, plaintext: str) -> str:
    """Return a shell command that saves an example integration at ``save_url``."""
    body = json.dumps(EXAMPLE_BODY, indent=2)
    return (
        f"curl -sS -X POST {shlex.quote(save_url)} \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        f"  -H {shlex.quote('x-api-key: ' + plaintext)} \\\n"
        f"  -d {shlex.quote(body)}"
    )
