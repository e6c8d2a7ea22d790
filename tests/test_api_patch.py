"""PATCH /api/v2/integrations/<id>: JSON merge patches, validated like a save."""

import json

import pytest
from flask import current_app

from dashboard.extensions import db
from dashboard.integrations import history

from . import factories
from .api_calls import (
    MERGE_PATCH,
    UNKNOWN_ID,
    audit_count,
    locations,
    ok,
    one,
    patch,
    refused,
    send,
    stored,
)

TOKEN = "tok-PATCH-access-0123456789"
NEW_TOKEN = "tok-PATCH-rotated-9876543210"
REFRESH = "tok-PATCH-refresh-0123456789"
ONE_MIB = 1024 * 1024


@pytest.fixture
def integration(user):
    return factories.make_integration(
        user,
        name="Staging errors",
        unique_identifier="staging-errors",
        auth_data={
            "access_token": TOKEN,
            "refresh_token": REFRESH,
            "expires_at": "2030-01-01T00:00:00Z",
            "scope": "read",
        },
        scope_data={"org_slug": "acme", "project_id": "web"},
        metadata={"tags": ["staging"], "version": "1.2", "description": "Errors"},
    )


def secret(integration_id: str, field: str) -> str | None:
    encrypted = getattr(stored(integration_id), f"{field}_encrypted")
    if encrypted is None:
        return None
    return current_app.config["KEY_RING"].decrypt(encrypted)


def latest_entry(integration):
    return history.entries_for(db.session, stored(integration.id))[0]


# What a patch changes ---------------------------------------------------------------


def test_an_absent_key_keeps_its_value(client, api_key, integration):
    document = ok(patch(client, api_key, integration.id, {"status": "pending"}))

    data = document["data"]
    assert data["status"] == "pending"
    assert data["name"] == "Staging errors"
    assert data["unique_identifier"] == "staging-errors"
    assert data["scope_data"] == {
        "org_slug": "acme",
        "workspace_id": None,
        "installation_id": None,
        "project_id": "web",
    }
    assert data["metadata"]["tags"] == ["staging"]
    assert data["expires_at"] == "2030-01-01T00:00:00+00:00"
    assert data["has_auth_data"] is True
    assert secret(integration.id, "access_token") == TOKEN
    assert secret(integration.id, "refresh_token") == REFRESH


def test_the_answer_is_the_integration_with_its_health(client, api_key, integration):
    document = ok(patch(client, api_key, integration.id, {"active": False}))

    data = document["data"]
    failing = [check["key"] for check in data["health"] if not check["passed"]]
    assert failing == ["switched_off", "disagreement"]
    assert data["needs_attention"] is True
    assert data["secrets"]["refresh_token"]["is_set"] is True
    assert document["warnings"] == [
        'status is "active" but active is false; it is switched off.'
    ]


def test_nested_objects_merge_key_by_key(client, api_key, integration):
    body = {"scope_data": {"project_id": "api"}, "metadata": {"version": "2.0"}}

    data = ok(patch(client, api_key, integration.id, body))["data"]

    assert data["scope_data"]["org_slug"] == "acme"
    assert data["scope_data"]["project_id"] == "api"
    assert data["metadata"]["version"] == "2.0"
    assert data["metadata"]["description"] == "Errors"


@pytest.mark.parametrize(
    ("body", "field", "default"),
    [
        ({"status": None}, "status", "active"),
        ({"unique_identifier": None}, "unique_identifier", "sentry-{id}"),
        ({"unique_identifier": ""}, "unique_identifier", "sentry-{id}"),
        ({"auth_data": {"token_type": None}}, "token_type", "Bearer"),
        ({"auth_data": {"expires_at": None}}, "expires_at", None),
        ({"scope_data": {"project_id": None}}, ("scope_data", "project_id"), None),
        ({"metadata": {"tags": None}}, ("metadata", "tags"), []),
        ({"metadata": {"version": None}}, ("metadata", "version"), None),
    ],
    ids=[
        "status",
        "identifier",
        "identifier-blank",
        "token_type",
        "expires_at",
        "project_id",
        "tags",
        "version",
    ],
)
def test_null_resets_a_field_to_its_default(
    client, api_key, integration, body, field, default
):
    data = ok(patch(client, api_key, integration.id, body))["data"]

    value = data[field[0]][field[1]] if isinstance(field, tuple) else data[field]
    if isinstance(default, str):
        default = default.format(id=integration.id)
    assert value == default


def test_null_for_a_whole_section_resets_it(client, api_key, integration):
    data = ok(patch(client, api_key, integration.id, {"scope_data": None}))["data"]

    assert set(data["scope_data"].values()) == {None}
    assert data["has_scope_data"] is False


def test_strings_are_trimmed_as_in_a_save(client, api_key, integration):
    data = ok(patch(client, api_key, integration.id, {"name": "  Renamed  "}))["data"]

    assert data["name"] == "Renamed"


def test_an_empty_patch_changes_nothing_and_records_nothing(
    client, api_key, integration
):
    before_entries = audit_count()
    before = ok(send(client, "GET", one(integration.id), api_key))["data"]

    document = ok(patch(client, api_key, integration.id, {}))

    assert document["data"] == before
    assert audit_count() == before_entries


def test_unknown_keys_are_ignored_with_a_warning(client, api_key, integration):
    body = {"colour": "blue", "auth_data": {"api_token": "x"}}

    document = ok(patch(client, api_key, integration.id, body))

    assert "Unknown field colour was ignored." in document["warnings"]
    assert "Unknown field auth_data.api_token was ignored." in document["warnings"]
    assert "x" not in json.dumps(document["data"]["secrets"])


def test_changing_the_type_re_reads_the_scope_rules(client, api_key, integration):
    document = ok(patch(client, api_key, integration.id, {"integration_type": "jira"}))

    failing = [c["key"] for c in document["data"]["health"] if not c["passed"]]
    assert "wrong_scope_field" in failing
    assert document["warnings"][0].startswith("scope_data.workspace_id is empty")


# Secrets are write-only -------------------------------------------------------------


def test_a_new_secret_replaces_the_stored_one(client, api_key, integration):
    response = patch(
        client, api_key, integration.id, {"auth_data": {"access_token": NEW_TOKEN}}
    )

    ok(response)
    assert NEW_TOKEN not in response.get_data(as_text=True)
    assert secret(integration.id, "access_token") == NEW_TOKEN
    assert secret(integration.id, "refresh_token") == REFRESH
    assert latest_entry(integration).changes == {"access_token": {"secret": "changed"}}


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_secret_keeps_the_stored_one(client, api_key, integration, blank):
    ok(patch(client, api_key, integration.id, {"auth_data": {"access_token": blank}}))

    assert secret(integration.id, "access_token") == TOKEN


def test_null_clears_one_secret(client, api_key, integration):
    body = {"auth_data": {"refresh_token": None}}

    data = ok(patch(client, api_key, integration.id, body))["data"]

    assert data["secrets"]["refresh_token"] == {"is_set": False, "set_at": None}
    assert secret(integration.id, "refresh_token") is None
    assert secret(integration.id, "access_token") == TOKEN


def test_null_auth_data_clears_every_secret(client, api_key, integration):
    data = ok(patch(client, api_key, integration.id, {"auth_data": None}))["data"]

    assert data["has_auth_data"] is False
    assert data["token_type"] == "Bearer"
    assert data["expires_at"] is None
    for field in ("access_token", "refresh_token", "code"):
        assert secret(integration.id, field) is None


def test_no_answer_carries_a_secret(client, api_key, integration):
    responses = [
        patch(client, api_key, integration.id, {"auth_data": {"code": NEW_TOKEN}}),
        patch(client, api_key, integration.id, {"auth_data": {"code": 5}}),
        patch(
            client,
            api_key,
            integration.id,
            {"auth_data": {"access_token": NEW_TOKEN + "x" * 16_400}},
        ),
    ]

    for response in responses:
        text = response.get_data(as_text=True)
        for value in (TOKEN, NEW_TOKEN, REFRESH):
            assert value not in text


# History ----------------------------------------------------------------------------


def test_a_patch_is_recorded_with_the_key_that_made_it(client, user, integration):
    key = factories.make_api_key(user, name="laptop")

    ok(patch(client, key, integration.id, {"status": "pending", "active": False}))

    entry = latest_entry(integration)
    assert entry.via == "api"
    assert entry.actor == "API key 'laptop'"
    assert entry.action == "status changed"
    assert entry.changes == {
        "status": {"old": "active", "new": "pending"},
        "active": {"old": True, "new": False},
    }


# Refusals, in the save route's order ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"name": None}, ["body", "name"]),
        ({"name": "   "}, ["body", "name"]),
        ({"integration_type": "Sentry"}, ["body", "integration_type"]),
        ({"integration_type": None}, ["body", "integration_type"]),
        ({"status": "on"}, ["body", "status"]),
        ({"active": "false"}, ["body", "active"]),
        ({"auth_data": {"access_token": 5}}, ["body", "auth_data", "access_token"]),
        ({"auth_data": "token"}, ["body", "auth_data"]),
        ({"auth_data": {"expires_at": "soon"}}, ["body", "auth_data", "expires_at"]),
        ({"metadata": {"tags": ["a,b"]}}, ["body", "metadata", "tags", 0]),
        ({"scope_data": {"org_slug": "o" * 256}}, ["body", "scope_data", "org_slug"]),
    ],
    ids=lambda value: json.dumps(value)[:40],
)
def test_a_patch_breaking_a_rule_is_422_and_changes_nothing(
    client, api_key, integration, body, loc
):
    entries = audit_count()

    document = refused(patch(client, api_key, integration.id, body), 422)

    assert locations(document) == [loc]
    row = stored(integration.id)
    assert (row.name, row.status, row.active) == ("Staging errors", "active", True)
    assert secret(integration.id, "access_token") == TOKEN
    assert audit_count() == entries


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "The body is not valid JSON"),
        (b"[]", "The body must be a JSON object"),
        (b"null", "The body must be a JSON object"),
        (b'{"name": "a", "name": "b"}', "The body has an object with the same key"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_422(
    client, api_key, integration, raw, message
):
    response = send(client, "PATCH", one(integration.id), api_key, raw, MERGE_PATCH)

    document = refused(response, 422)
    assert document["detail"][0]["msg"].startswith(message)
    assert document["detail"][0]["loc"] == ["body"]


def test_a_taken_identifier_is_409_naming_the_owner_of_it(
    client, api_key, user, integration
):
    other = factories.make_integration(user, name="Other", unique_identifier="other")
    entries = audit_count()

    response = patch(client, api_key, other.id, {"unique_identifier": "staging-errors"})

    document = refused(response, 409)
    assert integration.id in document["error"]
    assert stored(other.id).unique_identifier == "other"
    assert audit_count() == entries


def test_an_identifier_used_by_another_owner_is_free(
    client, api_key, other_user, integration
):
    factories.make_integration(other_user, unique_identifier="shared")

    data = ok(patch(client, api_key, integration.id, {"unique_identifier": "shared"}))

    assert data["data"]["unique_identifier"] == "shared"


def test_keeping_the_own_identifier_is_not_a_conflict(client, api_key, integration):
    body = {"unique_identifier": "staging-errors", "name": "Renamed"}

    assert ok(patch(client, api_key, integration.id, body))["data"]["name"] == "Renamed"


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        MERGE_PATCH,
        "application/vnd.acme+json",
    ],
)
def test_json_content_types_are_accepted(client, api_key, integration, content_type):
    response = patch(client, api_key, integration.id, {"name": "Typed"}, content_type)

    assert ok(response)["data"]["name"] == "Typed"


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded"]
)
def test_a_body_not_declared_as_json_is_415(client, api_key, integration, content_type):
    body = json.dumps({"name": "Changed"}).encode()
    response = send(client, "PATCH", one(integration.id), api_key, body, content_type)

    refused(response, 415)
    assert stored(integration.id).name == "Staging errors"


def test_a_body_over_one_mib_is_413(client, api_key, integration):
    body = json.dumps({"metadata": {"description": "x"}}).encode()
    body += b" " * (ONE_MIB + 1 - len(body))

    response = send(client, "PATCH", one(integration.id), api_key, body, MERGE_PATCH)

    refused(response, 413)


def test_content_type_is_checked_before_size(client, api_key, integration):
    body = b" " * (ONE_MIB + 1)

    response = send(client, "PATCH", one(integration.id), api_key, body, "text/plain")

    refused(response, 415)


@pytest.mark.parametrize("key", [None, "", "sk-" + "0" * 48])
def test_the_key_is_checked_before_the_integration_and_body(client, integration, key):
    response = send(client, "PATCH", one(integration.id), key, b"{bad", "text/plain")

    refused(response, 401)
    assert response.headers["WWW-Authenticate"] == "ApiKey"


def test_the_integration_is_looked_up_before_the_body(client, api_key):
    response = send(client, "PATCH", one(UNKNOWN_ID), api_key, b"{bad", "text/plain")

    refused(response, 404)


def test_another_owners_integration_is_404_and_untouched(client, api_key, other_user):
    theirs = factories.make_integration(other_user, name="Theirs")

    response = patch(client, api_key, theirs.id, {"name": "Mine now"})

    refused(response, 404)
    assert stored(theirs.id).name == "Theirs"
