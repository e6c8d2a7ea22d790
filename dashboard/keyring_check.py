"""Make sure the configured key ring can read the secrets this database holds."""

import hashlib

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from .crypto import KeyRing, SecretUnreadable
from .models import Integration, KeyRingRecord
from .timeutil import utcnow

CANARY = "integrations-dashboard key ring check"
SECRET_COLUMNS = (
    Integration.access_token_encrypted,
    Integration.refresh_token_encrypted,
    Integration.code_encrypted,
)


class KeyRingMismatch(RuntimeError):
    """The configured keys cannot decrypt what the database holds."""


def fingerprint(setting: str) -> str:
    """Identify the ring's encrypting key without revealing anything of it."""
    first_key = setting.split(",")[0].strip()
    return hashlib.sha256(b"key-ring:" + first_key.encode()).hexdigest()[:16]


def verify(session: Session, ring: KeyRing) -> None:
    """Refuse a ring that cannot read the recorded canary.

    :raise KeyRingMismatch: with a message that says how to recover.
    """
    record = session.get(KeyRingRecord, 1)
    if record is None:
        return
    try:
        ring.decrypt(record.canary)
    except SecretUnreadable:
        raise KeyRingMismatch(
            "ENCRYPTION_KEYS cannot decrypt the secrets stored in this database "
            f"(they were encrypted with the key fingerprinted {record.fingerprint}). "
            "Put that key back into ENCRYPTION_KEYS, after your new key if you "
            "are rotating, then run `flask --app wsgi rotate-encryption-key`."
        ) from None


def record(session: Session, ring: KeyRing, setting: str) -> None:
    """Remember which key now encrypts; the caller commits."""
    entry = session.get(KeyRingRecord, 1) or KeyRingRecord(id=1)
    entry.fingerprint = fingerprint(setting)
    entry.canary = ring.encrypt(CANARY)
    entry.recorded_at = utcnow()
    session.add(entry)


def check_at_start(session: Session, ring: KeyRing, setting: str) -> None:
    """Verify the ring against the database, recording it on first use.

    A database that is not reachable or not migrated yet is left alone: the
    check runs again on the next start, and /healthz reports the outage.

    :raise KeyRingMismatch: the ring cannot read what is stored.
    """
    try:
        existing = session.get(KeyRingRecord, 1)
    except (OperationalError, ProgrammingError):
        session.rollback()
        return

    if existing is not None:
        verify(session, ring)
        return

    sample = session.scalar(
        select(Integration.access_token_encrypted)
        .where(Integration.access_token_encrypted.is_not(None))
        .limit(1)
    )
    if sample is not None:
        try:
            ring.decrypt(sample)
        except SecretUnreadable:
            raise KeyRingMismatch(
                "ENCRYPTION_KEYS cannot decrypt the secrets stored in this "
                "database. Put the key they were encrypted with back into "
                "ENCRYPTION_KEYS."
            ) from None

    record(session, ring, setting)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # another worker recorded it first


def rotate_all(session: Session, ring: KeyRing, setting: str) -> int:
    """Re-encrypt every stored secret with the ring's first key and commit.

    Rotation is not an edit, so ``updated_at`` is left as it was.

    :return: how many secrets were re-encrypted.
    """
    rotated = 0
    rows = session.execute(select(Integration.id, *SECRET_COLUMNS)).all()
    for row in rows:
        values = {
            column.key: ring.rotate(getattr(row, column.key))
            for column in SECRET_COLUMNS
            if getattr(row, column.key) is not None
        }
        if values:
            session.execute(
                update(Integration)
                .where(Integration.id == row.id)
                .values(**values, updated_at=Integration.updated_at)
            )
            rotated += len(values)

    record(session, ring, setting)
    session.commit()
    return rotated
