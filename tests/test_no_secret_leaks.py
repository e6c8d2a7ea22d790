"""No secret ever leaves the server: pages, fragments, API answers, logs, rows.

The page walk reads the URL map, so a route added later is covered without
touching this file; a route whose arguments it cannot fill fails the test.
"""

import json
import logging

import pytest
from sqlalchemy import select, text

from dashboard.extensions import db
from dashboard.models import ApiKey, Integration

from . import factories
from .conftest import csrf_token_from

SECRETS = {
    "access_token": "tok-LEAK-CANARY-access-0123456789",
    "refresh_token": "tok-LEAK-CANARY-refresh-0123456789",
    "code": "tok-LEAK-CANARY-code-0123456789",
}


def _canaries(*extra: str) -> list[str]:
    return [*SECRETS.values(), factories.PASSWORD, *extra]


def _assert_clean(text_: str, canaries: list[str], where: str) -> None:
    for canary in canaries:
        assert canary not in text_, f"a secret appears in {where}"


@pytest.fixture
def loaded(app, user, api_key):
    """An integration carrying every secret, and an API key, for ``user``."""
    integration = factories.make_integration(
        user,
        auth_data={**SECRETS, "expires_at": "2030-01-01T00:00:00Z"},
        scope_data={"org_slug": "acme"},
    )
    return integration, api_key


def _argument_values(integration, api_key_record) -> dict:
    return {
        "integration_id": integration.id,
        "key_id": api_key_record.public_id,
    }


def _get_urls(app, values: dict) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        missing = set(rule.arguments) - set(values)
        assert not missing, f"teach this test how to fill {missing} for {rule}"
        with app.test_request_context():
            from flask import url_for

            urls.append(
                url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})
            )
    return urls


def test_no_secret_in_any_page_or_fragment(app, client, auth, loaded, caplog):
    caplog.set_level(logging.DEBUG)
    integration, api_key = loaded
    auth.login()
    record = integration.owner.api_keys[0]

    urls = _get_urls(app, _argument_values(integration, record))
    assert any(url.startswith("/integrations/") for url in urls)

    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            _assert_clean(response.get_data(as_text=True), _canaries(api_key), url)

    _assert_clean(caplog.text, _canaries(api_key), "the logs")


def test_no_secret_in_api_answers_or_logs(client, api_key, caplog):
    caplog.set_level(logging.DEBUG)
    body = {
        "name": "Leak check",
        "integration_type": "jira",
        "auth_data": SECRETS,
        "scope_data": {"workspace_id": "acme"},
    }
    headers = {"x-api-key": api_key}

    answers = [
        client.post("/api/v2/integrations/save", json=body, headers=headers),
        client.post(
            "/api/v2/integrations/save",
            json={**body, "unique_identifier": "dup"},
            headers=headers,
        ),
        client.post(
            "/api/v2/integrations/save",
            json={**body, "unique_identifier": "dup"},
            headers=headers,
        ),
        client.post(
            "/api/v2/integrations/save",
            json={**body, "name": "x" * 300, "active": "yes"},
            headers=headers,
        ),
    ]

    assert [a.status_code for a in answers] == [200, 200, 409, 422]
    for answer in answers:
        _assert_clean(answer.get_data(as_text=True), _canaries(api_key), "the API")
    _assert_clean(caplog.text, _canaries(api_key), "the logs")


def test_form_rerendered_after_error_does_not_echo_secrets(client, auth, user, caplog):
    caplog.set_level(logging.DEBUG)
    auth.login()
    token = csrf_token_from(client, "/integrations/new?type=jira")

    response = client.post(
        "/integrations/new?type=jira",
        data={
            "csrf_token": token,
            "integration_type": "jira",
            "name": "x" * 300,
            "status": "active",
            "access_token": SECRETS["access_token"],
            "refresh_token": SECRETS["refresh_token"],
            "workspace_id": "acme",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at most 255 characters" in page
    _assert_clean(page, _canaries(), "the re-rendered form")
    _assert_clean(caplog.text, _canaries(), "the logs")


def test_stored_row_holds_no_plaintext_secret(app, loaded):
    integration, api_key = loaded
    rows = []
    for table in ("integrations", "api_keys", "users"):
        rows.extend(db.session.execute(text(f"SELECT * FROM {table}")).all())

    dump = " ".join(str(value) for row in rows for value in row)
    _assert_clean(dump, _canaries(api_key), "the database")


def _door_secrets(door: str) -> dict:
    return {field: f"tok-{door}-{field}-0123456789" for field in SECRETS}


def test_secrets_saved_through_every_door_never_come_back(
    app, client, auth, user, api_key, runner, caplog
):
    caplog.set_level(logging.DEBUG)
    auth.login()
    doors = {door: _door_secrets(door) for door in ("form", "api", "cli")}
    everything = [value for secrets in doors.values() for value in secrets.values()] + [
        factories.PASSWORD,
        api_key,
    ]

    form = doors["form"]
    client.post(
        "/integrations/new",
        data={
            "csrf_token": csrf_token_from(client, "/integrations/new?type=slack"),
            "integration_type": "slack",
            "name": "Through the form",
            "status": "active",
            "active": "y",
            "workspace_id": "T123",
            "access_token": form["access_token"],
            "refresh_token": form["refresh_token"],
            "code": form["code"],
        },
    )
    client.post(
        "/api/v2/integrations/save",
        json={
            "name": "Through the API",
            "integration_type": "github",
            "auth_data": doors["api"],
            "scope_data": {"workspace_id": "acme"},
        },
        headers={"x-api-key": api_key},
    )
    result = runner.invoke(
        args=["integrations", "save", "owner@example.com", "-"],
        input=json.dumps(
            {
                "name": "Through the CLI",
                "integration_type": "linear",
                "auth_data": doors["cli"],
            }
        ),
    )
    assert result.exit_code == 0, "the CLI save failed"
    _assert_clean(result.output, everything, "the CLI output")

    integrations = db.session.scalars(select(Integration)).all()
    assert len(integrations) == 3
    record = db.session.scalars(select(ApiKey)).first()
    for integration in integrations:
        assert integration.has_auth_data
        for url in _get_urls(app, _argument_values(integration, record)):
            headers = {"x-api-key": api_key} if url.startswith("/api/") else {}
            for extra in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers={**headers, **extra})
                assert response.status_code < 500, url
                _assert_clean(response.get_data(as_text=True), everything, url)

    _assert_clean(caplog.text, everything, "the logs")
    dump = " ".join(
        str(value)
        for table in db.metadata.sorted_tables
        for row in db.session.execute(table.select()).all()
        for value in row
    )
    _assert_clean(dump, everything, "the database")
