"""Build users, keys and integrations directly through the service layer."""

from dashboard.api_keys.service import create_api_key
from dashboard.auth.service import create_user
from dashboard.extensions import db
from dashboard.integrations.contract import validate_input
from dashboard.integrations.service import save_integration

PASSWORD = "correct horse battery staple"


def make_user(email="owner@example.com", password=PASSWORD):
    return create_user(db.session, email, password)


def make_api_key(user, name="test key") -> str:
    return create_api_key(db.session, user, name).plaintext


def make_integration(owner, via="api", **fields):
    """Save an integration for ``owner``; ``fields`` follow the API contract."""
    body = {"name": "Example", "integration_type": "sentry", **fields}
    return save_integration(db.session, owner, validate_input(body), via).integration
