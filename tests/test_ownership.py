"""Every route that names an object refuses another user's: 404, nothing leaked.

The walk reads the URL map, so a route added later is covered without
touching this file; a route argument it cannot fill fails the test.
"""

import pytest
from sqlalchemy import select

from dashboard.extensions import db
from dashboard.integrations import history, service
from dashboard.models import ApiKey

from . import factories
from .conftest import csrf_token_from

MARKER = "owner-only-marker"
OBJECT_ARGUMENTS = {"integration_id", "key_id"}
# Values for arguments that do not name an object.
OTHER_ARGUMENTS = {"field": "access_token"}


@pytest.fixture
def victim(user):
    integration = factories.make_integration(
        user,
        name=f"{MARKER} integration",
        unique_identifier=f"{MARKER}-identifier",
        auth_data={"access_token": "tok-ownership-0123456789"},
        scope_data={"org_slug": MARKER},
    )
    key = db.session.scalars(select(ApiKey).where(ApiKey.user_id == user.id)).first()
    if key is None:
        factories.make_api_key(user, name=f"{MARKER} key")
        key = db.session.scalars(select(ApiKey).where(ApiKey.user_id == user.id)).one()
    return integration, key


def _object_routes(app):
    for rule in app.url_map.iter_rules():
        arguments = set(rule.arguments)
        if not arguments & OBJECT_ARGUMENTS:
            continue
        unknown = arguments - OBJECT_ARGUMENTS - set(OTHER_ARGUMENTS)
        assert not unknown, f"teach this test how to fill {unknown} for {rule}"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(app, rule, integration, key) -> str:
    values = {
        "integration_id": integration.id,
        "key_id": key.public_id,
        **OTHER_ARGUMENTS,
    }
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})


def test_every_object_route_refuses_another_user(app, client, auth, victim, other_user):
    integration, key = victim
    intruder_key = factories.make_api_key(other_user, name="intruder")
    before = history.snapshot(integration)
    routes = list(_object_routes(app))
    assert len(routes) >= 5, "the walk found too few routes to be meaningful"

    assert auth.login("intruder@example.com").status_code == 302
    token = csrf_token_from(client, "/integrations")

    for rule, method in routes:
        url = _url(app, rule, integration, key)
        headers = {"X-CSRFToken": token}
        if url.startswith("/api/"):
            headers = {"x-api-key": intruder_key}
        response = client.open(
            url, method=method, headers=headers, json={} if method != "GET" else None
        )
        body = response.get_data(as_text=True)

        assert response.status_code == 404, f"{method} {rule}"
        # The id may be echoed back (the caller sent it); nothing else may be.
        assert MARKER not in body, f"{method} {rule} shows the owner's data"

    db.session.expire_all()
    assert service.get_owned(db.session, integration.owner, integration.id)
    assert history.snapshot(integration) == before
    assert db.session.get(ApiKey, key.id).revoked_at is None
