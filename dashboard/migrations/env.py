"""Alembic environment: runs migrations against the app's own database."""

import logging

from alembic import context
from flask import current_app

from dashboard.timeutil import UTCDateTime

logger = logging.getLogger("alembic.env")
config = context.config
migrate_extension = current_app.extensions["migrate"]
target_metadata = migrate_extension.db.metadata


def render_item(kind, item, autogen_context):
    # Migrations stay free of app imports: a UTC column is a timestamptz.
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_revisions(migration_context, revision, directives):
    autogenerating = getattr(config.cmd_opts, "autogenerate", False)
    if autogenerating and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_online() -> None:
    options = dict(migrate_extension.configure_args)
    options.setdefault("process_revision_directives", skip_empty_revisions)
    options.update(
        compare_type=True, compare_server_default=True, render_item=render_item
    )

    with migrate_extension.db.engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, **options
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported.")
run_migrations_online()
