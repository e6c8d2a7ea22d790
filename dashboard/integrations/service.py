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

from ..catalog import STATUSES, get_type
from ..crypto import KeyRing
from ..models import Integration, User, new_uuid
from ..timeutil import utcnow
from . import history
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
    likely_duplicate: Integration | None = None


def key_ring() -> KeyRing:
    return current_app.config["KEY_RING"]


def save_integration(
    session: Session,
    owner: User,
    payload: IntegrationInput,
    via: str,
    ring: KeyRing | None = None,
    actor: str | None = None,
) -> SaveOutcome:
    """Create an integration for ``owner`` from a validated request.

    The unique constraint on (owner, unique_identifier) decides duplicates, so
    two racing saves of one identifier give one row and one refusal.

    :param via: where the save came from (``api``, ``dashboard`` or ``cli``);
        used as ``metadata.created_via`` when the request did not set it.
    :param actor: who saved it, for the history; the owner's email by default.
    :raise DuplicateIdentifier: the identifier is already taken by this owner.
    """
    ring = ring or key_ring()
    now = utcnow()
    integration = Integration(id=new_uuid(), owner_id=owner.id, created_at=now)

    _apply_input(integration, payload, via)
    for field in SECRET_FIELDS:
        set_secret(integration, field, getattr(payload.auth_data, field), ring, now)
    integration.updated_at = now
    session.add(integration)

    changes = history.differences(history.NOTHING, history.snapshot(integration))
    history.record(
        session, integration, "created", actor or owner.email, via, changes, now
    )
    _commit(session, owner, integration)
    return _outcome(session, integration, payload, now)


def update_integration(
    session: Session,
    integration: Integration,
    payload: IntegrationInput,
    secret_updates: dict[str, str | None],
    via: str,
    actor: str | None = None,
    ring: KeyRing | None = None,
) -> SaveOutcome:
    """Replace an integration's fields with ``payload`` and apply secret updates.

    :param secret_updates: secret field to new value, or None to clear it;
        a secret not named here is kept.
    :raise DuplicateIdentifier: the new identifier is taken by another of the
        owner's integrations.
    """
    ring = ring or key_ring()
    now = utcnow()
    # Read before changing anything: a lazy load would flush half an update.
    actor = actor or integration.owner.email
    before = history.snapshot(integration)

    _apply_input(integration, payload, via)
    for field, value in secret_updates.items():
        set_secret(integration, field, value, ring, now)

    _record_changes(session, integration, before, actor, via, now)
    _commit(session, integration.owner, integration)
    return _outcome(session, integration, payload, now)


def _outcome(session, integration, payload, now) -> SaveOutcome:
    warnings = save_warnings(payload, now)
    twin = find_likely_duplicate(session, integration)
    if twin is not None:
        kind = get_type(integration.integration_type)
        value = getattr(integration, kind.primary.name)
        warnings.append(
            f"Likely duplicate: your {kind.label} integration “{twin.name}” "
            f"(integration_id {twin.id}) already uses {kind.primary.name} "
            f"“{value}”."
        )
    return SaveOutcome(integration, warnings, twin)


def find_likely_duplicate(
    session: Session, integration: Integration
) -> Integration | None:
    """Another of the owner's integrations of this type with the same scope."""
    primary = get_type(integration.integration_type).primary.name
    value = getattr(integration, primary)
    if value is None:
        return None
    return session.scalar(
        select(Integration)
        .where(
            Integration.owner_id == integration.owner_id,
            Integration.integration_type == integration.integration_type,
            getattr(Integration, primary) == value,
            Integration.id != integration.id,
        )
        .order_by(Integration.created_at)
        .limit(1)
    )


def switch_integration(
    session: Session,
    integration: Integration,
    via: str,
    actor: str | None = None,
    active: bool | None = None,
    status: str | None = None,
) -> Integration:
    """Switch an integration on or off and/or set its status, in one step.

    :raise ValueError: ``status`` is not one of the known statuses.
    """
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")

    now = utcnow()
    actor = actor or integration.owner.email
    before = history.snapshot(integration)
    if active is not None:
        integration.active = active
    if status is not None:
        integration.status = status

    _record_changes(session, integration, before, actor, via, now)
    session.commit()
    return integration


def delete_integration(
    session: Session, integration: Integration, via: str, actor: str | None = None
) -> None:
    """Delete an integration and its secrets; its history stays behind."""
    now = utcnow()
    history.record(
        session,
        integration,
        "deleted",
        actor or integration.owner.email,
        via,
        {"name": {"old": integration.name, "new": None}},
        now,
    )
    session.delete(integration)
    session.commit()


def _record_changes(session, integration, before, actor, via, now) -> None:
    changes = history.differences(before, history.snapshot(integration))
    if not changes:
        return
    integration.updated_at = now
    action = history.action_for(changes)
    history.record(session, integration, action, actor, via, changes, now)


def _commit(session: Session, owner: User, integration: Integration) -> None:
    # Read first: the rollback expires an updated integration, and reloading
    # it would give its stored identifier, not the one that clashed.
    identifier = integration.unique_identifier
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_id_by_identifier(session, owner, identifier)
        if existing is None:
            raise
        raise DuplicateIdentifier(existing) from None


def _apply_input(integration: Integration, payload: IntegrationInput, via: str) -> None:
    """Set every non-secret field from a validated document."""
    auth, scope, meta = payload.auth_data, payload.scope_data, payload.metadata

    # A generated identifier follows the type; one the user chose stays.
    generated_before = f"{integration.integration_type}-{integration.id}"
    identifier = payload.unique_identifier
    if identifier is None or identifier == generated_before:
        identifier = f"{payload.integration_type}-{integration.id}"

    integration.name = payload.name
    integration.integration_type = payload.integration_type
    integration.status = payload.status
    integration.active = payload.active
    integration.unique_identifier = identifier
    integration.token_type = auth.token_type
    integration.expires_at = auth.expires_at
    integration.scope = auth.scope
    integration.org_slug = scope.org_slug
    integration.workspace_id = scope.workspace_id
    integration.installation_id = scope.installation_id
    integration.project_id = scope.project_id
    integration.instance_name = meta.instance_name or payload.name
    integration.created_via = meta.created_via or via
    integration.version = meta.version
    integration.description = meta.description
    integration.tags = list(meta.tags)


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


def contract_document(integration: Integration) -> dict:
    """The integration as a save request would state it, secrets left out."""
    expires_at = integration.expires_at
    return {
        "name": integration.name,
        "integration_type": integration.integration_type,
        "status": integration.status,
        "active": integration.active,
        "unique_identifier": integration.unique_identifier,
        "auth_data": {
            "token_type": integration.token_type,
            "expires_at": expires_at.isoformat() if expires_at else None,
            "scope": integration.scope,
        },
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
    document = contract_document(integration)
    auth = document.pop("auth_data")
    return {
        "integration_id": integration.id,
        **document,
        "created_by": integration.owner.public_id,
        "created_at": integration.created_at.isoformat(),
        "updated_at": integration.updated_at.isoformat(),
        "has_auth_data": integration.has_auth_data,
        "has_scope_data": integration.has_scope_data,
        **auth,
    }
