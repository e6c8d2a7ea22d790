"""The API's refusals, in the contract's order: 405, 401, 415, 413, 422, 500.

Every failing request must leave the integrations table as it was.
"""

import json

import pytest
from sqlalchemy import func, select, text

from dashboard.api_keys.service import keys_of, revoke_api_key
from dashboard.extensions import db
from dashboard.models import Integration

from . import factories

SAVE = "/api/v2/integrations/save"
SAVE_V1 = "/api/v1/integrations/save"
MINIMAL = {"name": "Staging errors", "integration_type": "sentry"}
ONE_MIB = 1024 * 1024
TYPES = ("sentry", "github", "slack", "jira", "linear", "confluence")


def integration_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Integration))


def post_raw(
    client, body: bytes, key=None, content_type="application/json", headers=None, **kw
):
    headers = dict(headers or {})
    if key is not None:
        headers["x-api-key"] = key
    return client.post(
        SAVE, data=body, content_type=content_type, headers=headers, **kw
    )


def post_json(client, key, body):
    return post_raw(client, json.dumps(body).encode(), key)


def assert_error_envelope(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert document["success"] is False
    assert document["data"] is None
    assert isinstance(document["error"], str) and document["error"]
    assert "<html" not in response.get_data(as_text=True).lower()
    return document


def refused(client, key, body, expected_status=422) -> dict:
    """Post ``body``; assert the refusal changed nothing and return its document."""
    before = integration_count()

    response = post_json(client, key, body)

    document = assert_error_envelope(response, expected_status)
    assert integration_count() == before
    return document


def locations(document: dict) -> list[list]:
    return [problem["loc"] for problem in document["detail"]]


# 401 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "API key is required"),
        ({"x-api-key": ""}, "API key is required"),
        ({"x-api-key": "   "}, "API key is required"),
        ({"x-api-key": "sk-" + "0" * 48}, "Invalid API key"),
        ({"x-api-key": "not-a-key"}, "Invalid API key"),
    ],
    ids=["missing", "empty", "blank", "unknown", "malformed"],
)
@pytest.mark.parametrize("path", [SAVE, SAVE_V1])
def test_missing_or_unknown_key_is_401(app, client, headers, message, path):
    response = client.post(path, json=MINIMAL, headers=headers)

    document = assert_error_envelope(response, 401)
    assert document["error"] == message
    assert document["detail"] == message
    assert response.headers["WWW-Authenticate"] == "ApiKey"
    assert integration_count() == 0


def test_revoked_key_is_401(client, user, api_key):
    revoke_api_key(db.session, user, keys_of(db.session, user)[0].public_id)

    response = client.post(SAVE, json=MINIMAL, headers={"x-api-key": api_key})

    document = assert_error_envelope(response, 401)
    assert document["error"] == "Invalid API key"
    assert response.headers["WWW-Authenticate"] == "ApiKey"
    assert integration_count() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[]", "application/json"),
        (b"name=x", "text/plain"),
        (b"{}", None),
        (b" " * (ONE_MIB + 1), "application/json"),
    ],
    ids=["malformed", "list", "text-plain", "no-content-type", "too-large"],
)
def test_key_is_checked_before_the_body(client, body, content_type):
    response = post_raw(client, body, key=None, content_type=content_type)

    document = assert_error_envelope(response, 401)
    assert document["error"] == "API key is required"


def test_invalid_key_with_bad_body_is_still_401(client):
    response = post_raw(client, b"{not json", key="sk-" + "f" * 48)

    assert assert_error_envelope(response, 401)["error"] == "Invalid API key"


def test_a_key_accepted_earlier_does_not_carry_over(client, api_key):
    # The test client shares one app context between requests, so this also
    # catches a view that trusts state left on ``g`` by an earlier request.
    first = client.post(SAVE, json=MINIMAL, headers={"x-api-key": api_key})
    assert first.status_code == 200

    response = client.post(SAVE, json=MINIMAL)

    assert assert_error_envelope(response, 401)["error"] == "API key is required"
    assert integration_count() == 1


def test_browser_session_does_not_authenticate_the_api(logged_in):
    response = logged_in.post(SAVE, json=MINIMAL)

    document = assert_error_envelope(response, 401)
    assert document["error"] == "API key is required"
    assert "Set-Cookie" not in response.headers
    assert integration_count() == 0


def test_the_key_decides_the_owner_even_beside_a_session(logged_in, other_user):
    other_key = factories.make_api_key(other_user)

    response = logged_in.post(SAVE, json=MINIMAL, headers={"x-api-key": other_key})

    assert response.status_code == 200
    assert response.get_json()["data"]["created_by"] == other_user.public_id


# 405 and 404 -------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch", "options"])
@pytest.mark.parametrize("path", [SAVE, SAVE_V1])
def test_wrong_method_is_a_json_405(client, api_key, method, path):
    response = getattr(client, method)(path, headers={"x-api-key": api_key})

    assert_error_envelope(response, 405)
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    "path",
    ["/api/nothing", "/api/v3/integrations/save", "/api/v2/integrations/save/", "/api"],
)
def test_unknown_api_path_is_a_json_404(client, api_key, path):
    response = client.post(path, json=MINIMAL, headers={"x-api-key": api_key})

    document = assert_error_envelope(response, 404)
    assert document["error"] == "Not found."


def test_unknown_api_path_is_json_for_get_too(client):
    assert_error_envelope(client.get("/api/v2/nothing"), 404)


# 415 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        None,
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "text/json",
        "application/jsonp",
        "application/+json",
        "application/json+xml",
    ],
)
def test_non_json_content_type_is_415(client, api_key, content_type):
    body = json.dumps(MINIMAL).encode()

    response = post_raw(client, body, api_key, content_type=content_type)

    document = assert_error_envelope(response, 415)
    assert "application/json" in document["error"]
    assert integration_count() == 0


def test_form_post_is_415(client, api_key):
    response = client.post(SAVE, data=MINIMAL, headers={"x-api-key": api_key})

    assert_error_envelope(response, 415)
    assert integration_count() == 0


def test_content_type_is_checked_before_size(client, api_key):
    response = post_raw(client, b" " * (ONE_MIB + 1), api_key, "text/plain")

    assert_error_envelope(response, 415)


# 413 ---------------------------------------------------------------------------


def _oversized_json() -> bytes:
    text = json.dumps({**MINIMAL, "metadata": {"description": "x"}})
    return text.encode() + b" " * (ONE_MIB + 1 - len(text))


def test_body_over_one_mib_is_413(client, api_key):
    body = _oversized_json()

    response = post_raw(client, body, api_key)

    assert len(body) == ONE_MIB + 1
    document = assert_error_envelope(response, 413)
    assert "1 MiB" in document["error"]
    assert integration_count() == 0


def test_chunked_body_over_one_mib_is_413(client, api_key):
    # A chunked request has no Content-Length; the limit applies while reading.
    response = post_raw(
        client,
        _oversized_json(),
        api_key,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )

    assert_error_envelope(response, 413)
    assert integration_count() == 0


# 422: the body is not a JSON object ------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"name": "x",}',
        b"{name: 1}",
        b"{'name': 'x'}",
        b'{"name": NaN, "integration_type": "sentry"}',
        b'{"name": Infinity, "integration_type": "sentry"}',
        b'{"name": "caf\xe9", "integration_type": "sentry"}',
        b'{"name": "x"} trailing',
    ],
    ids=[
        "empty",
        "truncated",
        "trailing-comma",
        "bare-key",
        "single-quotes",
        "nan",
        "infinity",
        "latin-1",
        "trailing-text",
    ],
)
def test_malformed_json_is_422(client, api_key, body):
    before = integration_count()

    response = post_raw(client, body, api_key)

    document = assert_error_envelope(response, 422)
    assert document["detail"] == [
        {"loc": ["body"], "msg": "The body is not valid JSON", "type": "json_invalid"}
    ]
    assert integration_count() == before


@pytest.mark.parametrize("body", [[], [MINIMAL], "text", 42, 4.2, None, True], ids=repr)
def test_a_body_that_is_not_an_object_is_422(client, api_key, body):
    document = refused(client, api_key, body)

    assert document["detail"] == [
        {"loc": ["body"], "msg": "The body must be a JSON object", "type": "model_type"}
    ]


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "a", "name": "b", "integration_type": "sentry"}',
        b'{"name": "a", "integration_type": "sentry", "auth_data": '
        b'{"access_token": "t", "access_token": "u"}}',
        b'{"name": "a", "integration_type": "sentry", "x": {"k": 1, "k": 1}}',
    ],
    ids=["top-level", "nested", "unknown-object"],
)
def test_duplicate_keys_are_422(client, api_key, body):
    response = post_raw(client, body, api_key)

    document = assert_error_envelope(response, 422)
    assert document["detail"][0]["type"] == "json_duplicate_key"
    assert integration_count() == 0


def test_deeply_nested_body_is_422_not_500(client, api_key):
    body = b'{"name": "x", "integration_type": "sentry", "x": ' + b"[" * 5000
    body += b"]" * 5000 + b"}"

    response = post_raw(client, body, api_key)

    assert_error_envelope(response, 422)


def test_huge_number_is_422_not_500(client, api_key):
    body = b'{"name": "x", "integration_type": "sentry", "active": ' + b"9" * 5000
    body += b"}"

    response = post_raw(client, body, api_key)

    assert_error_envelope(response, 422)


# 422: field rules ------------------------------------------------------------------


def test_missing_name_points_at_body_name(client, api_key):
    document = refused(client, api_key, {"integration_type": "sentry"})

    assert document["detail"][0]["loc"] == ["body", "name"]
    assert document["detail"][0]["type"] == "missing"


def test_missing_integration_type_points_at_it(client, api_key):
    document = refused(client, api_key, {"name": "x"})

    assert locations(document) == [["body", "integration_type"]]


@pytest.mark.parametrize("given", ["Sentry", "SENTRY", "gitlab", ""])
def test_unknown_integration_type_names_the_allowed_values(client, api_key, given):
    document = refused(client, api_key, {"name": "x", "integration_type": given})

    assert locations(document) == [["body", "integration_type"]]
    message = document["detail"][0]["msg"]
    for slug in TYPES:
        assert f"'{slug}'" in message


@pytest.mark.parametrize("given", ["false", "NO", 1, 0, "true", "yes", [], {}])
def test_active_must_be_a_json_boolean(client, api_key, given):
    document = refused(client, api_key, {**MINIMAL, "active": given})

    assert locations(document) == [["body", "active"]]
    assert document["detail"][0]["type"] == "bool_type"


@pytest.mark.parametrize("given", ["Active", "ACTIVE", "enabled", "", 1])
def test_status_must_be_one_of_the_four_values(client, api_key, given):
    document = refused(client, api_key, {**MINIMAL, "status": given})

    assert locations(document) == [["body", "status"]]


@pytest.mark.parametrize(
    "name", ["n" * 256, "", "   ", "\t\n"], ids=["256", "empty", "spaces", "tab-nl"]
)
def test_name_must_be_1_to_255_characters_after_trimming(client, api_key, name):
    document = refused(client, api_key, {**MINIMAL, "name": name})

    assert locations(document) == [["body", "name"]]


def test_nul_characters_are_refused_everywhere(client, api_key):
    body = {
        "name": "a\u0000b",
        "integration_type": "sentry",
        "auth_data": {"access_token": "tok\u0000"},
        "scope_data": {"org_slug": "\u0000"},
        "metadata": {"tags": ["a\u0000"]},
    }

    document = refused(client, api_key, body)

    assert locations(document) == [
        ["body", "name"],
        ["body", "auth_data", "access_token"],
        ["body", "scope_data", "org_slug"],
        ["body", "metadata", "tags", 0],
    ]


def test_lone_surrogate_escape_is_refused(client, api_key):
    body = (
        b'{"name": "bad \\ud800 name", "integration_type": "sentry",'
        b' "metadata": {"description": "\\udfff"}}'
    )

    response = post_raw(client, body, api_key)

    document = assert_error_envelope(response, 422)
    assert locations(document) == [
        ["body", "name"],
        ["body", "metadata", "description"],
    ]
    assert integration_count() == 0


def test_paired_surrogate_escape_is_a_normal_character(client, api_key):
    body = b'{"name": "rocket \\ud83d\\ude80", "integration_type": "sentry"}'

    response = post_raw(client, body, api_key)

    assert response.status_code == 200
    assert response.get_json()["data"]["name"] == "rocket \U0001f680"


@pytest.mark.parametrize(
    ("metadata", "loc"),
    [
        ({"tags": [f"t{i}" for i in range(101)]}, ["body", "metadata", "tags"]),
        ({"tags": ["ok", "a,b"]}, ["body", "metadata", "tags", 1]),
        ({"tags": ["t" * 101]}, ["body", "metadata", "tags", 0]),
        ({"tags": ["  "]}, ["body", "metadata", "tags", 0]),
        ({"tags": "a,b"}, ["body", "metadata", "tags"]),
        ({"description": "d" * 2001}, ["body", "metadata", "description"]),
        ({"instance_name": "i" * 256}, ["body", "metadata", "instance_name"]),
        ({"version": "v" * 256}, ["body", "metadata", "version"]),
    ],
    ids=[
        "101-tags",
        "comma",
        "long-tag",
        "blank-tag",
        "tags-string",
        "description",
        "instance_name",
        "version",
    ],
)
def test_metadata_limits(client, api_key, metadata, loc):
    document = refused(client, api_key, {**MINIMAL, "metadata": metadata})

    assert locations(document) == [loc]


@pytest.mark.parametrize(
    ("section", "field", "length"),
    [
        ("scope_data", "org_slug", 256),
        ("scope_data", "workspace_id", 256),
        ("scope_data", "installation_id", 256),
        ("scope_data", "project_id", 256),
        ("auth_data", "token_type", 256),
        ("auth_data", "scope", 4097),
        ("auth_data", "access_token", 16_385),
        ("auth_data", "refresh_token", 16_385),
        ("auth_data", "code", 16_385),
    ],
)
def test_length_limits_of_nested_fields(client, api_key, section, field, length):
    document = refused(client, api_key, {**MINIMAL, section: {field: "z" * length}})

    assert locations(document) == [["body", section, field]]


def test_unique_identifier_of_256_characters_is_422(client, api_key):
    document = refused(client, api_key, {**MINIMAL, "unique_identifier": "u" * 256})

    assert locations(document) == [["body", "unique_identifier"]]


@pytest.mark.parametrize(
    "given",
    ["not a date", "2030-13-01T00:00:00Z", "2030-01-01T25:00:00", 1893456000, True],
)
def test_expires_at_must_be_an_iso_date_time(client, api_key, given):
    document = refused(client, api_key, {**MINIMAL, "auth_data": {"expires_at": given}})

    assert locations(document) == [["body", "auth_data", "expires_at"]]


WRONG_TYPES = [
    ({"name": 5}, ["body", "name"]),
    ({"name": ["x"]}, ["body", "name"]),
    ({"integration_type": 5}, ["body", "integration_type"]),
    ({"status": True}, ["body", "status"]),
    ({"active": "true"}, ["body", "active"]),
    ({"unique_identifier": 7}, ["body", "unique_identifier"]),
    ({"auth_data": "token"}, ["body", "auth_data"]),
    ({"auth_data": ["token"]}, ["body", "auth_data"]),
    ({"scope_data": "acme"}, ["body", "scope_data"]),
    ({"metadata": 3}, ["body", "metadata"]),
    ({"auth_data": {"access_token": 123}}, ["body", "auth_data", "access_token"]),
    ({"auth_data": {"refresh_token": {}}}, ["body", "auth_data", "refresh_token"]),
    ({"auth_data": {"code": False}}, ["body", "auth_data", "code"]),
    ({"auth_data": {"token_type": 1}}, ["body", "auth_data", "token_type"]),
    ({"auth_data": {"expires_at": []}}, ["body", "auth_data", "expires_at"]),
    ({"auth_data": {"scope": ["a"]}}, ["body", "auth_data", "scope"]),
    ({"scope_data": {"org_slug": 1}}, ["body", "scope_data", "org_slug"]),
    ({"scope_data": {"workspace_id": 1.5}}, ["body", "scope_data", "workspace_id"]),
    (
        {"scope_data": {"installation_id": 99}},
        ["body", "scope_data", "installation_id"],
    ),
    ({"scope_data": {"project_id": True}}, ["body", "scope_data", "project_id"]),
    ({"metadata": {"instance_name": 1}}, ["body", "metadata", "instance_name"]),
    ({"metadata": {"created_via": []}}, ["body", "metadata", "created_via"]),
    ({"metadata": {"version": 2}}, ["body", "metadata", "version"]),
    ({"metadata": {"description": {}}}, ["body", "metadata", "description"]),
    ({"metadata": {"tags": {"a": 1}}}, ["body", "metadata", "tags"]),
    ({"metadata": {"tags": [1]}}, ["body", "metadata", "tags", 0]),
]


@pytest.mark.parametrize(
    ("fields", "loc"),
    WRONG_TYPES,
    ids=[".".join(map(str, w[1][1:])) for w in WRONG_TYPES],
)
def test_a_value_of_the_wrong_type_is_422(client, api_key, fields, loc):
    document = refused(client, api_key, {**MINIMAL, **fields})

    assert locations(document) == [loc]
    problem = document["detail"][0]
    assert set(problem) == {"loc", "msg", "type"}


def test_every_problem_is_listed_at_once(client, api_key):
    body = {
        "integration_type": "Sentry",
        "status": "on",
        "active": "yes",
        "auth_data": {"expires_at": "soon"},
        "scope_data": {"org_slug": 5},
        "metadata": {"tags": ["a,b"], "description": "d" * 2001},
    }

    document = refused(client, api_key, body)

    assert sorted(map(tuple, locations(document))) == sorted(
        [
            ("body", "name"),
            ("body", "integration_type"),
            ("body", "status"),
            ("body", "active"),
            ("body", "auth_data", "expires_at"),
            ("body", "scope_data", "org_slug"),
            ("body", "metadata", "description"),
            ("body", "metadata", "tags", 0),
        ]
    )
    assert "8 problems" in document["error"]


def test_detail_never_echoes_the_offending_value(client, api_key):
    secret = "s3cr3t-" + "q" * 16_400
    body = {
        "name": "name-value-" + "n" * 300,
        "integration_type": "sentry-value",
        "auth_data": {"access_token": secret, "refresh_token": 12345678901},
        "scope_data": {"org_slug": "org-value\u0000"},
    }

    response = post_json(client, api_key, body)

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    for fragment in ("s3cr3t", "name-value", "sentry-value", "org-value", "12345678"):
        assert fragment not in text
    assert "input" not in json.dumps(response.get_json()["detail"])


def test_duplicate_409_comes_after_validation(client, api_key):
    body = {**MINIMAL, "unique_identifier": "taken"}
    assert post_json(client, api_key, body).status_code == 200

    response = post_json(client, api_key, {**body, "status": "bogus"})

    assert_error_envelope(response, 422)


# 500 ---------------------------------------------------------------------------


@pytest.fixture
def integrations_table_gone(app):
    """Rename the integrations table away for one test, then put it back."""
    db.session.execute(text("ALTER TABLE integrations RENAME TO integrations_away"))
    db.session.commit()
    yield
    db.session.rollback()
    db.session.execute(text("ALTER TABLE integrations_away RENAME TO integrations"))
    db.session.commit()


def test_database_fault_is_a_generic_500_with_the_request_id(
    client, api_key, integrations_table_gone, caplog
):
    response = client.post(SAVE, json=MINIMAL, headers={"x-api-key": api_key})

    document = assert_error_envelope(response, 500)
    request_id = response.headers["X-Request-ID"]
    assert request_id and request_id in document["error"]
    assert "went wrong on the server" in document["error"]
    body = response.get_data(as_text=True)
    for leak in (
        "no such table",
        "does not exist",
        "OperationalError",
        "ProgrammingError",
        "sqlalchemy",
        "Traceback",
        "integrations_away",
        "INSERT",
    ):
        assert leak.lower() not in body.lower()
    logged = [r for r in caplog.records if r.name == "dashboard.errors"]
    assert logged and logged[0].exc_info is not None
    assert request_id in logged[0].getMessage()


def test_database_fault_keeps_the_clients_request_id(
    client, api_key, integrations_table_gone
):
    response = client.post(
        SAVE,
        json=MINIMAL,
        headers={"x-api-key": api_key, "X-Request-ID": "trace-42"},
    )

    document = assert_error_envelope(response, 500)
    assert "trace-42" in document["error"]
    assert response.headers["X-Request-ID"] == "trace-42"


def test_the_api_works_again_once_the_fault_is_gone(client, api_key):
    # Guards the fixture above: the table it moved must be back for other tests.
    response = client.post(SAVE, json=MINIMAL, headers={"x-api-key": api_key})

    assert response.status_code == 200
