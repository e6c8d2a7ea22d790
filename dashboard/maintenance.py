"""Operator commands: key rotation and a configuration check-up."""

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db, migrate
from .keyring_check import KeyRingMismatch, fingerprint, rotate_all, verify


@click.command("rotate-encryption-key")
@with_appcontext
def rotate_encryption_key() -> None:
    """Re-encrypt every stored secret with the first key of ENCRYPTION_KEYS."""
    setting = current_app.config["ENCRYPTION_KEYS"]
    count = rotate_all(db.session, current_app.config["KEY_RING"], setting)
    click.echo(
        f"Re-encrypted {count} secret(s) with key {fingerprint(setting)}. "
        "Keys after the first one in ENCRYPTION_KEYS can now be removed."
    )


def _database_check() -> tuple[bool, str]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        kind = type(error.orig or error).__name__
        return False, f"the database does not answer ({kind}); check DATABASE_URL"
    return True, f"the database answers ({db.engine.dialect.name})"


def _migrations_check() -> tuple[bool, str]:
    config = migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        return True, f"the schema is at the newest migration ({head})"
    return False, (
        f"the schema is at {current or 'nothing'}, not {head}: "
        "run `flask --app wsgi db upgrade`"
    )


def _key_ring_check() -> tuple[bool, str]:
    try:
        verify(db.session, current_app.config["KEY_RING"])
    except KeyRingMismatch as error:
        return False, str(error)
    return True, "ENCRYPTION_KEYS can decrypt the stored secrets"


@click.command("doctor")
@with_appcontext
def doctor() -> None:
    """Check configuration, database, migrations and keys; say what to fix."""
    results = [(True, "SECRET_KEY and ENCRYPTION_KEYS are set and well formed")]
    # Each step needs the one before it: no keys to check in a missing schema.
    for step in (_database_check, _migrations_check, _key_ring_check):
        results.append(step())
        if not results[-1][0]:
            break

    for ok, message in results:
        click.echo(f"[{'ok' if ok else 'FIX'}] {message}")
    if not all(ok for ok, _ in results):
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(rotate_encryption_key)
    app.cli.add_command(doctor)
