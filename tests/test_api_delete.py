"""DELETE /api/v2/integrations/<id>: the integration goes, its history stays."""

import pytest

from dashboard.extensions import db
from dashboard.models import AuditEntry

from . import factories
from .api_calls import UNKNOWN_ID, count, ok, one, refused, send, stored

TOKEN = "tok-DELETE-access-0123456789"


@pytest.fixture
def integration(user):
    return factories.make_integration(
        user, name="Old sentry", auth_data={"access_token": TOKEN}
    )


def delete(client, key, integration_id):
    return send(client, "DELETE", one(integration_id), key)


def test_delete_answers_the_deleted_id(client, api_key, integration):
    response = delete(client, api_key, integration.id)

    document = ok(response)
    assert document["data"] == {"integration_id": integration.id, "deleted": True}
    assert document["warnings"] == []
    assert stored(integration.id) is None
    assert TOKEN not in response.get_data(as_text=True)


def test_delete_leaves_the_rest_alone(client, api_key, user, integration):
    keep = factories.make_integration(user, name="Keep")

    ok(delete(client, api_key, integration.id))

    assert stored(keep.id) is not None
    assert count() == 1


def test_delete_is_recorded_with_the_key_that_did_it(client, user, integration):
    key = factories.make_api_key(user, name="ci")

    ok(delete(client, key, integration.id))

    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "deleted")
    ).one()
    assert entry.integration_id == integration.id
    assert entry.integration_name == "Old sentry"
    assert entry.actor == "API key 'ci'"
    assert entry.via == "api"


def test_a_deleted_integration_is_gone_for_every_route(client, api_key, integration):
    ok(delete(client, api_key, integration.id))

    refused(delete(client, api_key, integration.id), 404)
    refused(send(client, "GET", one(integration.id), api_key), 404)
    response = send(client, "PATCH", one(integration.id), api_key, {"name": "x"})
    refused(response, 404)


@pytest.mark.parametrize("which", ["unknown", "theirs"])
def test_deleting_what_is_not_yours_is_404(client, api_key, other_user, which):
    theirs = factories.make_integration(other_user)
    integration_id = UNKNOWN_ID if which == "unknown" else theirs.id

    refused(delete(client, api_key, integration_id), 404)

    assert stored(theirs.id) is not None
    assert count(AuditEntry) == 1  # only the "created" entry of theirs


@pytest.mark.parametrize("key", [None, "sk-" + "f" * 48])
def test_delete_needs_a_live_key(client, integration, key):
    response = delete(client, key, integration.id)

    refused(response, 401)
    assert response.headers["WWW-Authenticate"] == "ApiKey"
    assert stored(integration.id) is not None


def test_a_body_sent_with_delete_is_ignored(client, api_key, integration):
    response = send(client, "DELETE", one(integration.id), api_key, b"nonsense", "x/y")

    ok(response)
    assert stored(integration.id) is None
