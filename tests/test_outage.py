"""A database outage under a running gunicorn: clean 500s, then recovery.

PostgreSQL only: the test cuts the server's connections and refuses new ones,
which an embedded SQLite file cannot do.
"""

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard import create_app
from dashboard.extensions import db

from . import factories
from .conftest import KEYS, base_config, migrate_database
from .servers import call, gunicorn

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not SERVER_URL.startswith("postgresql"),
    reason="needs TEST_DATABASE_URL pointing at PostgreSQL",
)
BODY = {"name": "Outage", "integration_type": "linear"}


@pytest.fixture
def outage_database():
    """A migrated database of its own, with a user and an API key in it."""
    name = f"dashboard_outage_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    migrate_database(url)

    app = create_app(base_config(url))
    with app.app_context():
        api_key = factories.make_api_key(factories.make_user())
        db.session.remove()
        db.engine.dispose()

    try:
        yield name, url, api_key, admin
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _take_down(admin, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )


def _bring_back(admin, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


def test_api_answers_500_envelope_during_an_outage_and_recovers(
    outage_database, tmp_path
):
    name, url, api_key, admin = outage_database
    headers = {"x-api-key": api_key}
    log_path = tmp_path / "server.log"

    with gunicorn(url, KEYS[0], log_path, workers=2) as base_url:
        save = base_url + "/api/v2/integrations/save"
        assert call(save, "POST", BODY, headers)[0] == 200

        _take_down(admin, name)
        status, body, response_headers = call(save, "POST", BODY, headers)
        health_status, _, _ = call(base_url + "/healthz")

        _bring_back(admin, name)
        recovered = [call(save, "POST", BODY, headers)[0] for _ in range(4)]
        health_after, _, _ = call(base_url + "/healthz")

    request_id = response_headers["X-Request-ID"]
    assert status == 500
    assert body["success"] is False and body["data"] is None
    assert request_id in body["error"]
    assert "psycopg" not in str(body) and "terminat" not in str(body)
    assert health_status == 503
    assert recovered == [200, 200, 200, 200]
    assert health_after == 200
    assert request_id in log_path.read_text()
