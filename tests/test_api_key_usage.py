"""A key's "last used" time: saved with a successful call, never by a failed one."""

import json
from datetime import UTC, datetime

import pytest

from dashboard.api_keys.service import find_live_key, keys_of, revoke_api_key
from dashboard.extensions import db
from dashboard.integrations import history
from dashboard.models import ApiKey

from . import factories
from .api_calls import (
    LIST,
    MERGE_PATCH,
    SAVE,
    UNKNOWN_ID,
    ok,
    one,
    refused,
    send,
    stored,
)

EARLIER = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
MINIMAL = {"name": "Usage", "integration_type": "sentry"}
ONE_MIB = 1024 * 1024


@pytest.fixture
def key_record(user, api_key) -> ApiKey:
    """The key, marked as last used at a known time long ago."""
    record = keys_of(db.session, user)[0]
    record.last_used_at = EARLIER
    db.session.commit()
    return record


def last_used(record: ApiKey):
    db.session.expire_all()
    return db.session.get(ApiKey, record.id).last_used_at


@pytest.fixture
def mine(user):
    return factories.make_integration(user, name="Mine", unique_identifier="mine")


SUCCESSES = {
    "save": lambda c, k, i: send(c, "POST", SAVE, k, MINIMAL),
    "list": lambda c, k, i: send(c, "GET", LIST, k),
    "get": lambda c, k, i: send(c, "GET", one(i.id), k),
    "patch": lambda c, k, i: send(c, "PATCH", one(i.id), k, {"name": "New"}),
    "empty-patch": lambda c, k, i: send(c, "PATCH", one(i.id), k, {}),
    "delete": lambda c, k, i: send(c, "DELETE", one(i.id), k),
}


@pytest.mark.parametrize("call", SUCCESSES.values(), ids=SUCCESSES.keys())
def test_a_successful_call_records_the_use(client, api_key, key_record, mine, call):
    before = datetime.now(UTC)

    ok(call(client, api_key, mine))

    assert last_used(key_record) >= before


FAILURES = {
    "save-422": (lambda c, k, i: send(c, "POST", SAVE, k, {"name": 5}), 422),
    "save-409": (
        lambda c, k, i: send(
            c, "POST", SAVE, k, {**MINIMAL, "unique_identifier": "mine"}
        ),
        409,
    ),
    "save-415": (lambda c, k, i: send(c, "POST", SAVE, k, b"{}", "text/plain"), 415),
    "save-413": (
        lambda c, k, i: send(
            c, "POST", SAVE, k, b" " * (ONE_MIB + 1), "application/json"
        ),
        413,
    ),
    "list-422": (lambda c, k, i: send(c, "GET", f"{LIST}?page=0", k), 422),
    "get-404": (lambda c, k, i: send(c, "GET", one(UNKNOWN_ID), k), 404),
    "patch-422": (
        lambda c, k, i: send(c, "PATCH", one(i.id), k, {"status": "on"}),
        422,
    ),
    "patch-409": (lambda c, k, i: _patch_into_a_clash(c, k, i), 409),
    "patch-415": (
        lambda c, k, i: send(c, "PATCH", one(i.id), k, b"{}", "text/plain"),
        415,
    ),
    "patch-404": (lambda c, k, i: send(c, "PATCH", one(UNKNOWN_ID), k, {}), 404),
    "delete-404": (lambda c, k, i: send(c, "DELETE", one(UNKNOWN_ID), k), 404),
}


def _patch_into_a_clash(client, key, integration):
    other = factories.make_integration(integration.owner, unique_identifier="other")
    body = {"unique_identifier": "mine"}
    return send(client, "PATCH", one(other.id), key, body, MERGE_PATCH)


@pytest.mark.parametrize(("call", "status"), FAILURES.values(), ids=FAILURES.keys())
def test_a_failed_call_leaves_the_use_as_it_was(
    client, api_key, key_record, mine, call, status
):
    refused(call(client, api_key, mine), status)

    assert last_used(key_record) == EARLIER


def test_a_never_used_key_stays_never_used_after_a_refusal(client, user):
    key = factories.make_api_key(user, name="fresh")

    refused(send(client, "POST", SAVE, key, {"name": ""}), 422)

    record = keys_of(db.session, user)[0]
    db.session.refresh(record)
    assert record.last_used_at is None


def test_a_revoked_key_is_refused_at_once(client, user, api_key, key_record, mine):
    ok(send(client, "GET", LIST, api_key))

    revoke_api_key(db.session, user, key_record.public_id)
    response = send(client, "GET", LIST, api_key)

    assert refused(response, 401)["error"] == "Invalid API key"
    assert find_live_key(db.session, api_key) is None


def test_find_live_key_does_not_commit(app, user, api_key, key_record):
    record = find_live_key(db.session, api_key)

    assert record.id == key_record.id
    assert record.user == user
    db.session.rollback()
    assert last_used(key_record) == EARLIER


def test_a_save_is_recorded_with_the_key_that_made_it(client, user):
    key = factories.make_api_key(user, name="laptop")

    document = ok(send(client, "POST", SAVE, key, MINIMAL))

    integration_id = document["data"]["integration_id"]
    entry = history.entries_for(db.session, stored(integration_id))[0]
    assert (entry.action, entry.actor, entry.via) == (
        "created",
        "API key 'laptop'",
        "api",
    )


def test_the_openapi_document_needs_no_key(client):
    response = client.get("/api/v2/openapi.json")

    assert response.status_code == 200
    assert json.loads(response.get_data())["openapi"] == "3.1.0"
