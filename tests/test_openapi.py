"""The OpenAPI document: valid OpenAPI 3.1, complete, and true to real answers.

Every documented (operation, status) pair is triggered against the running app
and its body and headers are checked against the document, so a response that
drifts from the description fails here.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from sqlalchemy import text

from dashboard import create_app
from dashboard.extensions import db, limiter

from . import factories
from .api_calls import LIST, MERGE_PATCH, SAVE, UNKNOWN_ID, one, send
from .conftest import base_config

OPENAPI = "/api/v2/openapi.json"
SAVE_V1 = "/api/v1/integrations/save"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
MINIMAL = {"name": "Described", "integration_type": "sentry"}
TOO_LARGE = b" " * (1024 * 1024 + 1)
# A 500 needs the database to fail; this route does not use the database.
NOT_TRIGGERABLE = {("getOpenApiDocument", "500")}


@pytest.fixture
def document(client) -> dict:
    response = client.get(OPENAPI)
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)

    assert document["openapi"] == "3.1.0"


def test_the_document_names_the_server_it_was_read_from(client):
    response = client.get(OPENAPI, base_url="https://dash.example.com/prefix")

    assert response.get_json()["servers"] == [
        {"url": "https://dash.example.com/prefix"}
    ]


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_api_route_is_described_and_nothing_else(app, document):
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((_openapi_path(rule.rule), method.lower()))

    described = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert served == described


def test_the_save_body_is_the_contract_model(document):
    from dashboard.integrations.contract import IntegrationInput

    described = document["components"]["schemas"]["IntegrationInput"]

    assert set(described["properties"]) == set(IntegrationInput.model_fields)
    assert described["required"] == ["name", "integration_type"]
    assert "required" not in document["components"]["schemas"]["IntegrationPatch"]


@pytest.mark.parametrize("field", ["status", "active", "auth_data", "metadata"])
def test_null_is_described_where_the_contract_accepts_it(document, field):
    described = document["components"]["schemas"]["IntegrationInput"]["properties"]

    assert {"type": "null"} in described[field]["anyOf"]


def test_secrets_are_write_only(document):
    auth = document["components"]["schemas"]["AuthData"]["properties"]

    for field in ("access_token", "refresh_token", "code"):
        assert auth[field]["writeOnly"] is True
    served = document["components"]["schemas"]["IntegrationOut"]["properties"]
    assert not {"access_token", "refresh_token", "code"} & set(served)


def test_the_key_is_an_api_key_header(document):
    scheme = document["components"]["securitySchemes"]["ApiKey"]

    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "x-api-key"}
    assert document["paths"][OPENAPI]["get"]["security"] == []


def test_the_list_parameters_come_from_the_query_model(document):
    from dashboard.api.schemas import ListQuery

    parameters = document["paths"][LIST]["get"]["parameters"]

    assert [p["name"] for p in parameters] == list(ListQuery.model_fields)
    by_name = {p["name"]: p["schema"] for p in parameters}
    assert by_name["active"]["enum"] == ["true", "false"]
    assert by_name["per_page"]["maximum"] == 100


# Real answers against the document ----------------------------------------------


@dataclass
class World:
    key: str
    mine: str
    other: str


@pytest.fixture
def world(user, api_key) -> World:
    mine = factories.make_integration(
        user, name="Mine", unique_identifier="mine", auth_data={"access_token": "t"}
    )
    other = factories.make_integration(user, name="Other", unique_identifier="other")
    return World(api_key, mine.id, other.id)


def _patch(w, body, content_type=MERGE_PATCH, target=None):
    target = target or w.mine
    return lambda c: send(c, "PATCH", one(target), w.key, body, content_type)


def _cases(w: World) -> dict[tuple[str, str], Callable]:
    """Each (operationId, status) with a request that gets that status."""
    cases = {}
    for operation, path in (("saveIntegration", SAVE), ("saveIntegrationV1", SAVE_V1)):
        cases |= {
            (operation, "200"): lambda c, p=path: send(c, "POST", p, w.key, MINIMAL),
            (operation, "401"): lambda c, p=path: send(c, "POST", p, None, MINIMAL),
            (operation, "405"): lambda c, p=path: send(c, "PUT", p, w.key, MINIMAL),
            (operation, "409"): lambda c, p=path: send(
                c, "POST", p, w.key, {**MINIMAL, "unique_identifier": "mine"}
            ),
            (operation, "413"): lambda c, p=path: send(
                c, "POST", p, w.key, TOO_LARGE, "application/json"
            ),
            (operation, "415"): lambda c, p=path: send(
                c, "POST", p, w.key, b"{}", "text/plain"
            ),
            (operation, "422"): lambda c, p=path: send(c, "POST", p, w.key, {}),
        }
    mine = one(w.mine)
    cases |= {
        ("listIntegrations", "200"): lambda c: send(c, "GET", LIST, w.key),
        ("listIntegrations", "401"): lambda c: send(c, "GET", LIST, "sk-nope"),
        ("listIntegrations", "405"): lambda c: send(c, "POST", LIST, w.key, {}),
        ("listIntegrations", "422"): lambda c: send(c, "GET", LIST + "?x=1", w.key),
        ("getIntegration", "200"): lambda c: send(c, "GET", mine, w.key),
        ("getIntegration", "401"): lambda c: send(c, "GET", mine, None),
        ("getIntegration", "404"): lambda c: send(c, "GET", one(UNKNOWN_ID), w.key),
        ("getIntegration", "405"): lambda c: send(c, "PUT", mine, w.key, {}),
        ("patchIntegration", "200"): _patch(w, {"status": "error"}),
        ("patchIntegration", "401"): lambda c: send(c, "PATCH", mine, None, {}),
        ("patchIntegration", "404"): lambda c: send(
            c, "PATCH", one(UNKNOWN_ID), w.key, {}
        ),
        ("patchIntegration", "405"): lambda c: send(c, "POST", mine, w.key, {}),
        ("patchIntegration", "409"): _patch(
            w, {"unique_identifier": "other"}, target=w.mine
        ),
        ("patchIntegration", "413"): _patch(w, TOO_LARGE),
        ("patchIntegration", "415"): _patch(w, b"{}", "text/plain"),
        ("patchIntegration", "422"): _patch(w, {"active": "yes"}),
        ("deleteIntegration", "200"): lambda c: send(c, "DELETE", mine, w.key),
        ("deleteIntegration", "401"): lambda c: send(c, "DELETE", mine, ""),
        ("deleteIntegration", "404"): lambda c: send(
            c, "DELETE", one(UNKNOWN_ID), w.key
        ),
        ("deleteIntegration", "405"): lambda c: send(c, "OPTIONS", mine, w.key),
        ("getOpenApiDocument", "200"): lambda c: send(c, "GET", OPENAPI),
        ("getOpenApiDocument", "405"): lambda c: send(c, "POST", OPENAPI, body={}),
    }
    return cases


# Requests that get a 500 once the integrations table is gone, and a 429 once the
# key (or address) has used up a limit of one call.
SERVER_ERRORS = {
    "saveIntegration": lambda c, w: send(c, "POST", SAVE, w.key, MINIMAL),
    "saveIntegrationV1": lambda c, w: send(c, "POST", SAVE_V1, w.key, MINIMAL),
    "listIntegrations": lambda c, w: send(c, "GET", LIST, w.key),
    "getIntegration": lambda c, w: send(c, "GET", one(w.mine), w.key),
    "patchIntegration": lambda c, w: send(c, "PATCH", one(w.mine), w.key, {}),
    "deleteIntegration": lambda c, w: send(c, "DELETE", one(w.mine), w.key),
}
RATE_LIMITED = {
    **SERVER_ERRORS,
    "getOpenApiDocument": lambda c, w: send(c, "GET", OPENAPI),
}
CASE_NAMES = [
    *(f"{op}-{status}" for op, status in _cases(World("", UNKNOWN_ID, UNKNOWN_ID))),
    *(f"{op}-500" for op in SERVER_ERRORS),
    *(f"{op}-429" for op in RATE_LIMITED),
]


def _operation(document: dict, operation_id: str) -> tuple[str, str, dict]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS and operation["operationId"] == operation_id:
                return path, method, operation
    raise AssertionError(f"no operation {operation_id}")


def _follow(document: dict, node: dict) -> dict:
    """Follow local $refs (``#/a/b``) until a node without one."""
    while "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def assert_described(document: dict, operation_id: str, response) -> None:
    """Check ``response`` against the document's answer for its status."""
    path, method, operation = _operation(document, operation_id)
    status = str(response.status_code)
    assert status in operation["responses"], f"{operation_id} {status} undocumented"
    described = _follow(document, operation["responses"][status])

    assert response.mimetype == "application/json"
    schema = described["content"]["application/json"]["schema"]
    validator = Draft202012Validator(
        {**schema, "components": document["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert not errors, f"{operation_id} {status}: {errors[0].message}"

    for header in described.get("headers", {}):
        assert header in response.headers, f"{operation_id} {status}: no {header}"


@pytest.mark.parametrize("case", CASE_NAMES)
def test_each_answer_matches_the_document(
    case, app, client, world, document, database_url
):
    operation_id, status = case.rsplit("-", 1)

    if status == "500":
        response = _with_table_gone(lambda: SERVER_ERRORS[operation_id](client, world))
    elif status == "429":
        response = _rate_limited(database_url, RATE_LIMITED[operation_id], world)
    else:
        response = _cases(world)[(operation_id, status)](client)

    assert str(response.status_code) == status, response.get_json()
    assert_described(document, operation_id, response)


def test_every_documented_answer_is_exercised(document):
    documented = {
        (operation["operationId"], status)
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in HTTP_METHODS
        for status in operation["responses"]
    }
    exercised = {tuple(name.rsplit("-", 1)) for name in CASE_NAMES}

    assert documented - NOT_TRIGGERABLE == exercised


def _with_table_gone(call):
    db.session.execute(text("ALTER TABLE integrations RENAME TO integrations_away"))
    db.session.commit()
    try:
        return call()
    finally:
        db.session.rollback()
        db.session.execute(text("ALTER TABLE integrations_away RENAME TO integrations"))
        db.session.commit()


def _rate_limited(database_url, call, world):
    limited = create_app(
        {
            **base_config(database_url),
            "RATELIMIT_ENABLED": True,
            "API_RATE_LIMIT": "1/minute",
        }
    )
    limiter.reset()
    try:
        client = limited.test_client()
        call(client, world)
        return call(client, world)
    finally:
        limiter.reset()
        with limited.app_context():
            db.engine.dispose()
