"""The audit trail: what changed in an integration, by whom and through what.

Entries are added to the caller's session, so they commit or roll back with
the change they describe.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEntry, Integration
from .contract import SECRET_FIELDS

# The fields an entry compares, in the order a person reads them.
TRACKED_FIELDS = (
    "name",
    "integration_type",
    "status",
    "active",
    "unique_identifier",
    "token_type",
    "expires_at",
    "scope",
    "org_slug",
    "workspace_id",
    "installation_id",
    "project_id",
    "instance_name",
    "created_via",
    "version",
    "description",
    "tags",
)
SWITCH_FIELDS = {"status", "active"}
NOTHING = dict.fromkeys((*TRACKED_FIELDS, *SECRET_FIELDS))


def snapshot(integration: Integration) -> dict:
    """The integration's tracked values, plus each secret's ciphertext."""
    values = {name: _plain(getattr(integration, name)) for name in TRACKED_FIELDS}
    for field in SECRET_FIELDS:
        values[field] = getattr(integration, f"{field}_encrypted")
    return values


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def differences(before: dict, after: dict) -> dict:
    """Map each changed field to its old and new value; secrets only say how."""
    changes = {}
    for name in TRACKED_FIELDS:
        if before[name] != after[name]:
            changes[name] = {"old": before[name], "new": after[name]}
    for field in SECRET_FIELDS:
        old, new = before[field], after[field]
        if old != new:
            how = "set" if old is None else "cleared" if new is None else "changed"
            changes[field] = {"secret": how}
    return changes


def action_for(changes: dict) -> str:
    """Name a change the way a person would: switch, rotation or edit."""
    fields = set(changes)
    if fields == {"active"}:
        return "switched on" if changes["active"]["new"] else "switched off"
    if fields <= SWITCH_FIELDS:
        return "status changed"
    if fields <= set(SECRET_FIELDS):
        if all(change["secret"] == "cleared" for change in changes.values()):
            return "secret cleared"
        return "secrets rotated"
    return "edited"


def record(
    session: Session,
    integration: Integration,
    action: str,
    actor: str,
    via: str,
    changes: dict,
    now: datetime,
) -> AuditEntry:
    entry = AuditEntry(
        owner_id=integration.owner_id,
        integration_id=integration.id,
        integration_name=integration.name,
        action=action,
        actor=actor,
        via=via,
        changes=changes,
        created_at=now,
    )
    session.add(entry)
    return entry


def entries_for(session: Session, integration: Integration) -> list[AuditEntry]:
    """The integration's history, newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.integration_id == integration.id,
                AuditEntry.owner_id == integration.owner_id,
            )
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    )
