"""Database models: users, their API keys and their integrations."""

import secrets
import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .timeutil import UTCDateTime, utcnow

# JSONB on PostgreSQL so documents can be indexed and queried; JSON elsewhere.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def new_uuid() -> str:
    return str(uuid.uuid4())


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of every session and remember-me cookie; replacing it on sign-out
    # makes every cookie issued before worthless, even a copied one.
    session_token: Mapped[str | None] = mapped_column(
        String(64), default=new_session_token
    )

    api_keys: Mapped[list["ApiKey"]] = relationship(back_populates="user")

    def get_id(self) -> str:
        # The public id, never the sequential primary key, plus the token.
        return f"{self.public_id}:{self.session_token or ''}"


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_keys")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Integration(db.Model):
    """A saved connection to one external service.

    Secrets live only in the ``*_encrypted`` columns; the plain values are never
    stored and never read back out of the service layer except for masking.
    """

    __tablename__ = "integrations"
    __table_args__ = (UniqueConstraint("owner_id", "unique_identifier"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    integration_type: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    active: Mapped[bool] = mapped_column(Boolean, index=True)
    unique_identifier: Mapped[str] = mapped_column(String(255))

    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    access_token_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    refresh_token_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_encrypted: Mapped[str | None] = mapped_column(Text)
    code_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_type: Mapped[str] = mapped_column(String(255), default="Bearer")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    scope: Mapped[str | None] = mapped_column(Text)

    org_slug: Mapped[str | None] = mapped_column(String(255), index=True)
    workspace_id: Mapped[str | None] = mapped_column(String(255), index=True)
    installation_id: Mapped[str | None] = mapped_column(String(255))
    project_id: Mapped[str | None] = mapped_column(String(255))

    instance_name: Mapped[str] = mapped_column(String(255))
    created_via: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSONDocument, default=list)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    owner: Mapped[User] = relationship()

    @hybrid_property
    def has_auth_data(self) -> bool:
        return self.access_token_encrypted is not None

    @hybrid_property
    def has_scope_data(self) -> bool:
        return self.org_slug is not None or self.workspace_id is not None

    @has_scope_data.inplace.expression
    @classmethod
    def _has_scope_data_expression(cls):
        return or_(cls.org_slug.is_not(None), cls.workspace_id.is_not(None))

    @has_auth_data.inplace.expression
    @classmethod
    def _has_auth_data_expression(cls):
        return cls.access_token_encrypted.is_not(None)


class SetupClaim(db.Model):
    """A single row that only the request creating the first account can insert.

    Its fixed primary key turns "is setup still open?" into a database
    constraint, so two setup requests at once cannot both create an account.
    """

    __tablename__ = "setup_claim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyRingRecord(db.Model):
    """What the database knows of the key ring that encrypted its secrets.

    The canary is encrypted with the ring's first key; a ring that cannot
    decrypt it cannot decrypt the stored secrets either, so the app refuses
    to start rather than silently losing them.
    """

    __tablename__ = "key_ring_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    canary: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(db.Model):
    """One change to an integration: who, when, through what, and what changed.

    Entries keep the integration's id and name rather than a foreign key, so
    the history of a deleted integration survives it. Secrets appear in
    ``changes`` only as "set", "changed" or "cleared".
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    integration_id: Mapped[str] = mapped_column(String(36), index=True)
    integration_name: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(400))
    via: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )
