"""POST /api/v2/integrations/save: successful saves, duplicates and secrets."""

import json
import logging
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.models import Integration

from . import factories

SAVE = "/api/v2/integrations/save"
SAVE_V1 = "/api/v1/integrations/save"
MINIMAL = {"name": "Staging errors", "integration_type": "sentry"}
SECRETS = {
    "access_token": "tok_access_5f1d9c2e7b",
    "refresh_token": "tok_refresh_8a3e6b1f0c",
    "code": "oauth_code_4d7c2a9e1b",
}


def save(client, key, body, path=SAVE):
    return client.post(path, json=body, headers={"x-api-key": key})


def saved(client, key, body, path=SAVE) -> dict:
    """Save ``body`` and return the response document, which must be a 200."""
    response = save(client, key, body, path)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def integration_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Integration))


def stored(integration_id: str) -> Integration:
    db.session.expire_all()
    return db.session.get(Integration, integration_id)


def test_contract_example_answers_with_the_documented_shape(client, api_key, user):
    body = {
        "name": "Staging errors",
        "integration_type": "sentry",
        "auth_data": {"access_token": "tok_example", "token_type": "Bearer"},
        "scope_data": {"org_slug": "acme"},
        "metadata": {"created_via": "api", "tags": ["staging"]},
    }

    document = saved(client, api_key, body)

    assert set(document) == {"success", "data", "error", "warnings"}
    assert document["success"] is True
    assert document["error"] is None
    assert document["warnings"] == []
    data = document["data"]
    assert data["name"] == "Staging errors"
    assert data["integration_type"] == "sentry"
    assert data["status"] == "active"
    assert data["active"] is True
    assert data["unique_identifier"] == f"sentry-{data['integration_id']}"
    assert data["created_by"] == user.public_id
    assert datetime.fromisoformat(data["created_at"]).utcoffset().total_seconds() == 0
    assert data["has_auth_data"] is True
    assert data["has_scope_data"] is True
    assert data["metadata"] == {
        "instance_name": "Staging errors",
        "created_via": "api",
        "version": None,
        "description": None,
        "tags": ["staging"],
    }


def test_integration_id_is_a_new_uuid4(client, api_key):
    first = saved(client, api_key, MINIMAL)["data"]["integration_id"]
    second = saved(client, api_key, MINIMAL)["data"]["integration_id"]

    assert uuid.UUID(first).version == 4
    assert str(uuid.UUID(first)) == first
    assert first != second


def test_save_stores_a_row_owned_by_the_key_owner(client, api_key, user):
    integration_id = saved(client, api_key, MINIMAL)["data"]["integration_id"]

    row = stored(integration_id)
    assert row.owner_id == user.id
    assert row.name == "Staging errors"
    assert integration_count() == 1


def test_v1_alias_behaves_like_v2(client, api_key, user):
    document = saved(client, api_key, {**MINIMAL, "foo": 1}, path=SAVE_V1)

    assert document["data"]["created_by"] == user.public_id
    assert document["warnings"][-1] == "Unknown field foo was ignored."
    assert integration_count() == 1


def test_defaults_fill_every_optional_field(client, api_key):
    data = saved(client, api_key, MINIMAL)["data"]

    assert data["status"] == "active"
    assert data["active"] is True
    assert data["token_type"] == "Bearer"
    assert data["has_auth_data"] is False
    assert data["has_scope_data"] is False
    assert data["metadata"]["instance_name"] == "Staging errors"
    assert data["metadata"]["created_via"] == "api"
    assert data["metadata"]["tags"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"status": None, "active": None, "unique_identifier": None},
        {"auth_data": None, "scope_data": None, "metadata": None},
        {"auth_data": {"token_type": None}, "metadata": {"tags": None}},
    ],
    ids=["top-level", "objects", "nested"],
)
def test_null_means_the_default(client, api_key, body):
    data = saved(client, api_key, {**MINIMAL, **body})["data"]

    assert data["status"] == "active"
    assert data["active"] is True
    assert data["unique_identifier"] == f"sentry-{data['integration_id']}"
    assert data["token_type"] == "Bearer"
    assert data["metadata"]["tags"] == []
    assert data["metadata"]["created_via"] == "api"
    assert data["metadata"]["instance_name"] == "Staging errors"


def test_empty_unique_identifier_means_generate(client, api_key):
    data = saved(client, api_key, {**MINIMAL, "unique_identifier": "  "})["data"]

    assert data["unique_identifier"] == f"sentry-{data['integration_id']}"


def test_given_values_are_kept(client, api_key):
    body = {
        "name": "Issues",
        "integration_type": "jira",
        "status": "pending",
        "active": False,
        "unique_identifier": "jira-main",
        "auth_data": {"token_type": "Basic", "scope": "read:jira-work"},
        "scope_data": {"workspace_id": "acme", "project_id": "OPS"},
        "metadata": {
            "instance_name": "Jira Cloud",
            "created_via": "terraform",
            "version": "3",
            "description": "Ops board",
            "tags": ["ops", "prod"],
        },
    }

    data = saved(client, api_key, body)["data"]

    assert data["status"] == "pending"
    assert data["active"] is False
    assert data["unique_identifier"] == "jira-main"
    assert data["token_type"] == "Basic"
    assert data["scope"] == "read:jira-work"
    assert data["scope_data"]["project_id"] == "OPS"
    assert data["metadata"] == body["metadata"]


def test_strings_are_stored_trimmed(client, api_key):
    body = {
        "name": "  Staging errors \n",
        "integration_type": "sentry",
        "scope_data": {"org_slug": " acme "},
        "metadata": {"tags": [" a ", "b", "a"]},
    }

    data = saved(client, api_key, body)["data"]

    assert data["name"] == "Staging errors"
    assert data["metadata"]["instance_name"] == "Staging errors"
    assert data["metadata"]["tags"] == ["a", "b"]
    row = stored(data["integration_id"])
    assert row.name == "Staging errors"
    assert row.org_slug == "acme"
    assert row.tags == ["a", "b"]


def test_name_of_255_characters_after_trimming_is_accepted(client, api_key):
    name = "n" * 255

    data = saved(client, api_key, {**MINIMAL, "name": f"  {name}  "})["data"]

    assert data["name"] == name


@pytest.mark.parametrize(
    "given",
    ["2030-01-01T12:00:00Z", "2030-01-01T14:00:00+02:00", "2030-01-01T12:00:00"],
    ids=["Z", "+02:00", "no offset"],
)
def test_expires_at_is_stored_and_returned_as_the_utc_instant(client, api_key, given):
    instant = datetime(2030, 1, 1, 12, tzinfo=UTC)
    body = {**MINIMAL, "auth_data": {"expires_at": given}}

    data = saved(client, api_key, body)["data"]

    assert datetime.fromisoformat(data["expires_at"]) == instant
    assert data["expires_at"].endswith("+00:00")
    assert stored(data["integration_id"]).expires_at == instant


@pytest.mark.parametrize(
    ("auth_data", "expected"),
    [
        ({"access_token": "tok_live"}, True),
        ({"access_token": "   "}, False),
        ({"access_token": ""}, False),
        ({"access_token": None}, False),
        ({"refresh_token": "tok_refresh", "code": "c0de"}, False),
        ({}, False),
    ],
    ids=["token", "whitespace", "empty", "null", "other-secrets", "none"],
)
def test_has_auth_data_is_true_exactly_for_a_non_empty_access_token(
    client, api_key, auth_data, expected
):
    data = saved(client, api_key, {**MINIMAL, "auth_data": auth_data})["data"]

    assert data["has_auth_data"] is expected
    assert stored(data["integration_id"]).has_auth_data is expected


@pytest.mark.parametrize(
    ("scope_data", "expected"),
    [
        ({"org_slug": "acme"}, True),
        ({"workspace_id": "T0123"}, True),
        ({"org_slug": "  "}, False),
        ({"workspace_id": "  ", "org_slug": ""}, False),
        ({"project_id": "42"}, False),
        ({"installation_id": "99"}, False),
        ({"project_id": "42", "installation_id": "99"}, False),
    ],
    ids=[
        "org_slug",
        "workspace_id",
        "blank-org",
        "blank-both",
        "project-only",
        "installation-only",
        "secondary-only",
    ],
)
def test_has_scope_data_counts_only_org_slug_or_workspace_id(
    client, api_key, scope_data, expected
):
    data = saved(client, api_key, {**MINIMAL, "scope_data": scope_data})["data"]

    assert data["has_scope_data"] is expected
    assert stored(data["integration_id"]).has_scope_data is expected


def test_warnings_are_empty_when_nothing_is_wrong(client, api_key):
    body = {**MINIMAL, "scope_data": {"org_slug": "acme"}}

    assert saved(client, api_key, body)["warnings"] == []


@pytest.mark.parametrize(
    ("integration_type", "scope_data", "field"),
    [
        ("sentry", {}, "org_slug"),
        ("sentry", {"workspace_id": "acme"}, "org_slug"),
        ("github", {}, "workspace_id"),
        ("github", {"org_slug": "acme"}, "workspace_id"),
        ("slack", {"project_id": "C123"}, "workspace_id"),
    ],
)
def test_warns_when_the_types_scope_field_is_empty(
    client, api_key, integration_type, scope_data, field
):
    body = {"name": "X", "integration_type": integration_type, "scope_data": scope_data}

    warnings = saved(client, api_key, body)["warnings"]

    assert len(warnings) == 1
    assert warnings[0].startswith(f"scope_data.{field} is empty")


def test_no_scope_warning_for_the_types_own_field(client, api_key):
    body = {"name": "X", "integration_type": "github"}
    body["scope_data"] = {"workspace_id": "acme"}

    assert saved(client, api_key, body)["warnings"] == []


def test_warns_when_expires_at_is_in_the_past(client, api_key):
    body = {
        **MINIMAL,
        "scope_data": {"org_slug": "acme"},
        "auth_data": {"access_token": "tok", "expires_at": "2001-01-01T00:00:00Z"},
    }

    assert saved(client, api_key, body)["warnings"] == [
        "auth_data.expires_at is already in the past."
    ]


@pytest.mark.parametrize(
    ("active", "status", "expected"),
    [
        (True, "inactive", 'active is true but status is "inactive"'),
        (True, "error", 'active is true but status is "error"'),
        (False, "active", 'status is "active" but active is false'),
    ],
)
def test_warns_when_active_and_status_disagree(
    client, api_key, active, status, expected
):
    body = {
        **MINIMAL,
        "scope_data": {"org_slug": "acme"},
        "active": active,
        "status": status,
    }

    warnings = saved(client, api_key, body)["warnings"]

    assert len(warnings) == 1
    assert warnings[0].startswith(expected)


def test_no_warning_when_inactive_and_switched_off(client, api_key):
    body = {
        **MINIMAL,
        "scope_data": {"org_slug": "acme"},
        "active": False,
        "status": "inactive",
    }

    assert saved(client, api_key, body)["warnings"] == []


def test_warns_about_each_unknown_key_with_its_dotted_path(client, api_key):
    body = {
        **MINIMAL,
        "owner": "me",
        "auth_data": {"api_token": "x"},
        "scope_data": {"org_slug": "acme", "region": "eu"},
        "metadata": {"colour": "red"},
    }

    warnings = saved(client, api_key, body)["warnings"]

    assert warnings == [
        "Unknown field owner was ignored.",
        "Unknown field auth_data.api_token was ignored.",
        "Unknown field scope_data.region was ignored.",
        "Unknown field metadata.colour was ignored.",
    ]


def test_unknown_keys_are_not_stored(client, api_key):
    body = {**MINIMAL, "metadata": {"colour": "red"}}

    data = saved(client, api_key, body)["data"]

    assert "colour" not in json.dumps(data)
    assert "colour" not in json.dumps(stored(data["integration_id"]).tags)


def test_created_via_given_by_the_client_is_kept(client, api_key):
    body = {**MINIMAL, "metadata": {"created_via": "terraform"}}

    assert saved(client, api_key, body)["data"]["metadata"]["created_via"] == (
        "terraform"
    )


def test_duplicate_unique_identifier_is_409_naming_the_existing_integration(
    client, api_key
):
    body = {**MINIMAL, "unique_identifier": "sentry-main"}
    first = saved(client, api_key, body)["data"]["integration_id"]

    response = save(client, api_key, {**body, "name": "Another"})

    assert response.status_code == 409
    document = response.get_json()
    assert document["success"] is False
    assert document["data"] is None
    assert first in document["error"]
    assert integration_count() == 1


def test_duplicate_check_compares_trimmed_identifiers(client, api_key):
    saved(client, api_key, {**MINIMAL, "unique_identifier": "sentry-main"})

    response = save(client, api_key, {**MINIMAL, "unique_identifier": " sentry-main "})

    assert response.status_code == 409


def test_another_owner_may_reuse_a_unique_identifier(client, api_key, other_user):
    body = {**MINIMAL, "unique_identifier": "sentry-main"}
    saved(client, api_key, body)
    other_key = factories.make_api_key(other_user)

    data = saved(client, other_key, body)["data"]

    assert data["created_by"] == other_user.public_id
    assert integration_count() == 2


def test_response_never_carries_a_secret(client, api_key):
    body = {**MINIMAL, "auth_data": dict(SECRETS)}

    response = save(client, api_key, body)

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for value in SECRETS.values():
        assert value not in text
    data = response.get_json()["data"]
    assert not {"access_token", "refresh_token", "code"} & set(data)
    assert not {"access_token", "refresh_token", "code"} & set(data["scope_data"])


def test_secrets_are_stored_encrypted_and_decrypt_with_the_key_ring(
    app, client, api_key
):
    body = {**MINIMAL, "auth_data": dict(SECRETS)}
    integration_id = saved(client, api_key, body)["data"]["integration_id"]

    row = stored(integration_id)
    ring = app.config["KEY_RING"]
    for field, value in SECRETS.items():
        encrypted = getattr(row, f"{field}_encrypted")
        assert value not in encrypted
        assert ring.decrypt(encrypted) == value
        assert getattr(row, f"{field}_set_at") is not None


def test_secrets_are_stored_trimmed(app, client, api_key):
    body = {**MINIMAL, "auth_data": {"access_token": "  tok_padded  "}}
    integration_id = saved(client, api_key, body)["data"]["integration_id"]

    encrypted = stored(integration_id).access_token_encrypted
    assert app.config["KEY_RING"].decrypt(encrypted) == "tok_padded"


def test_secrets_never_reach_the_log(client, api_key, caplog):
    caplog.set_level(logging.DEBUG)
    body = {**MINIMAL, "auth_data": dict(SECRETS)}

    saved(client, api_key, body)
    save(client, api_key, {**body, "status": "bogus"})

    assert f"POST {SAVE} 422" in caplog.text
    for value in [*SECRETS.values(), api_key]:
        assert value not in caplog.text


def test_saving_records_when_the_key_was_last_used(client, api_key, user):
    saved(client, api_key, MINIMAL)

    db.session.expire_all()
    assert user.api_keys[0].last_used_at is not None


def test_exactly_one_mib_is_not_too_large(client, api_key):
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    text = json.dumps({**MINIMAL, "scope_data": {"org_slug": "acme"}})
    body = text.encode() + b" " * (limit - len(text))

    response = client.post(
        SAVE,
        data=body,
        content_type="application/json",
        headers={"x-api-key": api_key},
    )

    assert len(body) == limit
    assert response.status_code == 200


@pytest.mark.parametrize("size", ["small", "exactly-the-limit"])
def test_chunked_body_within_the_limit_is_read(client, api_key, size):
    body = json.dumps(MINIMAL).encode()
    if size == "exactly-the-limit":
        limit = client.application.config["MAX_CONTENT_LENGTH"]
        body += b" " * (limit - len(body))

    response = client.post(
        SAVE,
        data=body,
        content_type="application/json",
        headers={"x-api-key": api_key, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert response.status_code == 200
    assert integration_count() == 1


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/merge-patch+json",
        "application/vnd.x+json",
    ],
)
def test_json_media_types_are_accepted(client, api_key, content_type):
    response = client.post(
        SAVE,
        data=json.dumps(MINIMAL),
        content_type=content_type,
        headers={"x-api-key": api_key},
    )

    assert response.status_code == 200


def test_key_header_name_is_case_insensitive(client, api_key):
    response = client.post(SAVE, json=MINIMAL, headers={"X-API-KEY": api_key})

    assert response.status_code == 200
