"""Operations: /healthz, key-ring safety, key rotation and the doctor command."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from dashboard import ConfigError, create_app
from dashboard.crypto import KeyRing
from dashboard.extensions import db
from dashboard.models import Integration, KeyRingRecord

from . import factories
from .conftest import KEYS
from .servers import ROOT, free_port

TOKEN = "tok-rotation-canary-0123456789"


def _config(database_url: str, keys: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEYS": keys,
        "SQLALCHEMY_DATABASE_URI": database_url,
    }


@pytest.fixture
def make_app():
    """Build extra apps for a test and close their connections afterwards."""
    made = []

    def build(database_url: str, keys: str = KEYS[0]):
        app = create_app(_config(database_url, keys))
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.engine.dispose()


def test_healthz_answers_200_with_a_small_json_body(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["X-Request-ID"]


def test_healthz_answers_503_when_the_database_does_not(make_app, tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing/dir/db.sqlite")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert "sqlite" not in response.get_data(as_text=True).lower()


def test_the_key_ring_is_recorded_on_first_start(app):
    record = db.session.get(KeyRingRecord, 1)

    assert record is not None
    assert KeyRing([KEYS[0]]).decrypt(record.canary)
    assert KEYS[0] not in record.fingerprint


def test_starting_with_keys_that_cannot_read_the_secrets_is_refused(
    app, user, database_url
):
    factories.make_integration(user, auth_data={"access_token": TOKEN})
    stranger = Fernet.generate_key().decode()

    with pytest.raises(ConfigError) as refused:
        create_app(_config(database_url, stranger))

    assert "cannot decrypt the secrets" in str(refused.value)
    assert stranger not in str(refused.value)
    assert KEYS[0] not in str(refused.value)


def test_rotation_moves_every_secret_to_the_first_key(
    app, user, database_url, make_app
):
    integration = factories.make_integration(
        user, auth_data={"access_token": TOKEN, "refresh_token": TOKEN + "-r"}
    )
    updated_at = integration.updated_at
    new_key = Fernet.generate_key().decode()
    rotated_app = make_app(database_url, f"{new_key},{KEYS[0]}")

    with rotated_app.app_context():
        result = rotated_app.test_cli_runner().invoke(args=["rotate-encryption-key"])

    assert result.exit_code == 0, result.output
    assert "Re-encrypted 2 secret(s)" in result.output
    db.session.expire_all()
    stored = db.session.scalar(
        select(Integration).where(Integration.id == integration.id)
    )
    assert KeyRing([new_key]).decrypt(stored.access_token_encrypted) == TOKEN
    assert KeyRing([new_key]).decrypt(stored.refresh_token_encrypted) == TOKEN + "-r"
    assert stored.updated_at == updated_at
    # The old key can now go: a ring of only the new key starts.
    make_app(database_url, new_key)


def test_doctor_reports_a_healthy_install(app, runner):
    result = runner.invoke(args=["doctor"])

    assert result.exit_code == 0, result.output
    assert "[FIX]" not in result.output
    assert "newest migration" in result.output


def test_doctor_says_what_to_fix_when_the_schema_is_behind(app, runner):
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))

    result = runner.invoke(args=["doctor"])

    assert result.exit_code == 1
    assert "[FIX]" in result.output
    assert "db upgrade" in result.output


def test_doctor_reports_an_unreachable_database(make_app, tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing/dir/db.sqlite")

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 1
    assert "the database does not answer" in result.output


def test_gunicorn_stops_with_the_reason_when_the_keys_are_wrong(
    app, user, database_url, tmp_path
):
    factories.make_integration(user, auth_data={"access_token": TOKEN})
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{free_port()}",
        "wsgi:app",
    ]

    finished = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert finished.returncode == 3
    assert "cannot decrypt the secrets stored in this database" in finished.stderr
    assert TOKEN not in finished.stderr


def test_database_sessions_run_in_utc(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no session time zone")

    assert db.session.execute(text("SHOW timezone")).scalar() == "UTC"
