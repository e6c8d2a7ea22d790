"""The migrations build exactly the schema the models describe, both ways."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from dashboard.extensions import db


def _pending_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": True},
        )
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_models_match_the_migrated_schema(app):
    assert _pending_differences() == []


def test_downgrade_to_base_and_upgrade_again(app):
    assert {"users", "api_keys", "integrations"} <= _tables()

    downgrade(revision="base")
    assert _tables() == set()

    upgrade()
    assert _pending_differences() == []
    assert {"users", "api_keys", "integrations"} <= _tables()
