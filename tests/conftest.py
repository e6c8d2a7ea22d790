"""Shared fixtures: an app on a freshly migrated database, clients and factories.

The suite runs on SQLite by default. Set TEST_DATABASE_URL to a PostgreSQL
server URL (for example postgresql+psycopg://postgres@127.0.0.1:5432/postgres)
to run it there: the session creates its own database on that server, migrates
it, and drops it at the end.
"""

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard import create_app
from dashboard.extensions import db

from . import factories

KEYS = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
_CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def base_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "ENCRYPTION_KEYS": KEYS[0],
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Fast hashing keeps the suite quick; the default (scrypt) is tested
        # separately in test_auth.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # Counters are shared by every app of the session; the limit tests
        # switch them on with a clean slate.
        "RATELIMIT_ENABLED": False,
    }


def migrate_database(database_url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(base_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_server():
    """Yield a function that gives each test a migrated, empty database URL."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    if server_url:
        yield from _postgres_databases(server_url)
    else:
        yield from _sqlite_databases()


def _sqlite_databases():
    template_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"dash-{uuid.uuid4().hex}"
    template_dir.mkdir(parents=True)
    template = template_dir / "template.db"
    migrate_database(f"sqlite:///{template}")

    def fresh(tmp_path: Path) -> str:
        target = tmp_path / "test.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"

    yield fresh
    shutil.rmtree(template_dir, ignore_errors=True)


def _postgres_databases(server_url: str):
    name = f"dashboard_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = (
        make_url(server_url).set(database=name).render_as_string(hide_password=False)
    )
    migrate_database(database_url)

    def fresh(tmp_path: Path) -> str:
        return database_url

    try:
        yield fresh
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(database_server, tmp_path) -> str:
    return database_server(tmp_path)


@pytest.fixture
def app(database_url):
    app = create_app(base_config(database_url))
    with app.app_context():
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            _empty_all_tables()
        db.engine.dispose()


def _empty_all_tables() -> None:
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


class IsolatedClient(FlaskClient):
    """A client whose every request gets its own app context, as on a server.

    The ``app`` fixture keeps one app context open for the whole test, and a
    request would reuse it, so ``g`` (Flask-Login's cached user, Flask-WTF's
    cached CSRF token) and the database session would carry over between
    requests and make tests pass for the wrong reason.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def user(app):
    return factories.make_user(email="owner@example.com")


@pytest.fixture
def other_user(app):
    return factories.make_user(email="intruder@example.com")


@pytest.fixture
def api_key(user) -> str:
    return factories.make_api_key(user)


def csrf_token_from(client, path: str = "/login") -> str:
    """Read the CSRF token the page at ``path`` hands to htmx."""
    page = client.get(path).get_data(as_text=True)
    match = _CSRF_IN_PAGE.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email="owner@example.com", password=factories.PASSWORD):
        token = csrf_token_from(self._client, "/login")
        return self._client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
        )

    def logout(self):
        token = csrf_token_from(self._client, "/integrations")
        return self._client.post("/logout", data={"csrf_token": token})

    def csrf_token(self, path: str = "/integrations") -> str:
        return csrf_token_from(self._client, path)


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def logged_in(client, auth, user):
    """A client signed in as ``user``."""
    response = auth.login()
    assert response.status_code == 302, "login failed in the fixture"
    return client
