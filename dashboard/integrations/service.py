"""Saving and reading integrations, with no knowledge of requests or pages.

Each public function is one unit of work: it either commits everything it
changed or, on failure, rolls back and leaves the database as it was.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..crypto import KeyRing
from ..models import Integration, User, new_uuid
from ..timeutil import utcnow
from .contract import SECRET_FIELDS, IntegrationInput, save_warnings


class DuplicateIdentifier(Exception):
    """The owner already has an integration with this ``unique_identifier``."""

    def __init__(self, existing_id: str):
        super().__init__("unique_identifier already used")
        self.existing_id = existing_id


@dataclass(frozen=True)
class SaveOutcome:
    integration: Integration
    warnings: list[str]


def key_ring() -> KeyRing:
    return current_app.config["KEY_RING"]


def save_integration(
    session: Session,
    owner: User,
    payload: IntegrationInput,
    via: str,
    ring: KeyRing | None = None,
) -> SaveOutcome:
    """Create an integration for ``owner`` from a validated request.

    The unique constraint on (owner, unique_identifier) decides duplicates, so
    two racing saves of one identifier give one row and one refusal.

    :param via: where the save came from (``api``, ``dashboard`` or ``cli``);
        used as ``metadata.created_via`` when the request did not set it.
    :raise DuplicateIdentifier: the identifier is already taken by this owner.
    """
    ring = ring or key_ring()
    now = utcnow()
    integration = _new_integration(owner, payload, via, ring, now)

    session.add(integration)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_id_by_identifier(session, owner, integration.unique_identifier)
        if existing is None:
            raise
        raise DuplicateIdentifier(existing) from None

    return SaveOutcome(integration, save_warnings(payload, now))


def _new_integration(
    owner: User, payload: IntegrationInput, via: str, ring: KeyRing, now: datetime
) -> Integration:
    integration_id = new_uuid()
    auth, scope, meta = payload.auth_data, payload.scope_data, payload.metadata

    integration = Integration(
        id=integration_id,
        owner_id=owner.id,
        name=payload.name,
        integration_type=payload.integration_type,
        status=payload.status,
        active=payload.active,
        unique_identifier=(
            payload.unique_identifier or f"{payload.integration_type}-{integration_id}"
        ),
        token_type=auth.token_type,
        expires_at=auth.expires_at,
        scope=auth.scope,
        org_slug=scope.org_slug,
        workspace_id=scope.workspace_id,
        installation_id=scope.installation_id,
        project_id=scope.project_id,
        instance_name=meta.instance_name or payload.name,
        created_via=meta.created_via or via,
        version=meta.version,
        description=meta.description,
        tags=list(meta.tags),
        created_at=now,
        updated_at=now,
    )
    for field in SECRET_FIELDS:
        set_secret(integration, field, getattr(auth, field), ring, now)
    return integration


def set_secret(
    integration: Integration,
    field: str,
    value: str | None,
    ring: KeyRing,
    now: datetime,
) -> None:
    """Store ``value`` encrypted in the secret column ``field``, or clear it."""
    encrypted = ring.encrypt(value) if value else None
    setattr(integration, f"{field}_encrypted", encrypted)
    setattr(integration, f"{field}_set_at", now if value else None)


def find_id_by_identifier(
    session: Session, owner: User, unique_identifier: str
) -> str | None:
    return session.scalar(
        select(Integration.id).where(
            Integration.owner_id == owner.id,
            Integration.unique_identifier == unique_identifier,
        )
    )


def get_owned(session: Session, owner: User, integration_id: str) -> Integration | None:
    """Return the owner's integration, or None for another owner's or a missing one."""
    return session.scalar(
        select(Integration).where(
            Integration.id == integration_id, Integration.owner_id == owner.id
        )
    )


@dataclass(frozen=True)
class MaskedSecret:
    is_set: bool
    set_at: datetime | None
    last_four: str | None


def mask_secret(integration: Integration, field: str, ring: KeyRing) -> MaskedSecret:
    """Describe a stored secret without revealing it.

    The last four characters are shown only for secrets of 12 characters or
    more, where they identify the value without giving much of it away.
    """
    encrypted = getattr(integration, f"{field}_encrypted")
    if encrypted is None:
        return MaskedSecret(False, None, None)

    plain = ring.decrypt(encrypted)
    last_four = plain[-4:] if len(plain) >= 12 else None
    return MaskedSecret(True, getattr(integration, f"{field}_set_at"), last_four)


def to_public_dict(integration: Integration) -> dict:
    """The API's view of an integration: every non-secret field."""
    return {
        "integration_id": integration.id,
        "name": integration.name,
        "integration_type": integration.integration_type,
        "status": integration.status,
        "active": integration.active,
        "unique_identifier": integration.unique_identifier,
        "created_by": integration.owner.public_id,
        "created_at": integration.created_at.isoformat(),
        "updated_at": integration.updated_at.isoformat(),
        "has_auth_data": integration.has_auth_data,
        "has_scope_data": integration.has_scope_data,
        "token_type": integration.token_type,
        "expires_at": (
            integration.expires_at.isoformat() if integration.expires_at else None
        ),
        "scope": integration.scope,
        "scope_data": {
            "org_slug": integration.org_slug,
            "workspace_id": integration.workspace_id,
            "installation_id": integration.installation_id,
            "project_id": integration.project_id,
        },
        "metadata": {
            "instance_name": integration.instance_name,
            "created_via": integration.created_via,
            "version": integration.version,
            "description": integration.description,
            "tags": list(integration.tags or []),
        },
    }
