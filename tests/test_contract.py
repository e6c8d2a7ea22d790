"""The contract's rules as plain functions: no app, no client, no database."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.catalog import TYPE_SLUGS
from dashboard.integrations.contract import (
    MAX_JSON_DEPTH,
    IntegrationInput,
    InvalidRequest,
    parse_json_body,
    save_warnings,
    validate_input,
)

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
MINIMAL = {"name": "Staging errors", "integration_type": "sentry"}


def valid(**fields) -> IntegrationInput:
    return validate_input({**MINIMAL, **fields})


def problems(document) -> list[dict]:
    with pytest.raises(InvalidRequest) as caught:
        validate_input(document)
    return caught.value.details


def locations(document) -> list[list]:
    return [problem["loc"] for problem in problems(document)]


# parse_json_body -------------------------------------------------------------------


def test_parse_returns_the_decoded_document():
    assert parse_json_body(b'{"a": [1, "x", null]}') == {"a": [1, "x", None]}


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"{'a': 1}", b'{"a": NaN}', b"-Infinity", b"\xff\xfe", b'{"a": 1} x'],
)
def test_parse_refuses_what_is_not_standard_json(raw):
    with pytest.raises(InvalidRequest) as caught:
        parse_json_body(raw)

    assert caught.value.details == [
        {"loc": ["body"], "msg": "The body is not valid JSON", "type": "json_invalid"}
    ]


@pytest.mark.parametrize(
    "raw", [b'{"a": 1, "a": 1}', b'{"o": {"k": 1, "k": 2}}', b'[{"k": 1, "k": 2}]']
)
def test_parse_refuses_an_object_with_a_repeated_key(raw):
    with pytest.raises(InvalidRequest) as caught:
        parse_json_body(raw)

    assert caught.value.details[0]["type"] == "json_duplicate_key"


def test_parse_accepts_nesting_up_to_the_limit_and_no_deeper():
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    too_deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)

    assert parse_json_body(at_limit.encode()) is not None
    with pytest.raises(InvalidRequest) as caught:
        parse_json_body(too_deep.encode())
    assert caught.value.details[0]["type"] == "json_too_deep"


def test_parse_survives_nesting_deeper_than_the_interpreter_stack():
    with pytest.raises(InvalidRequest):
        parse_json_body(b"[" * 200_000 + b"]" * 200_000)


def test_parse_keeps_lone_surrogates_for_validation_to_refuse():
    document = parse_json_body(b'{"name": "\\ud800"}')

    assert problems({**document, "integration_type": "sentry"})[0]["loc"] == [
        "body",
        "name",
    ]


# validate_input: shape and defaults ------------------------------------------


@pytest.mark.parametrize("document", [[], "x", 1, 1.5, None, True])
def test_only_an_object_is_a_valid_body(document):
    assert problems(document) == [
        {"loc": ["body"], "msg": "The body must be a JSON object", "type": "model_type"}
    ]


def test_defaults_are_filled_in():
    payload = valid()

    assert payload.status == "active"
    assert payload.active is True
    assert payload.unique_identifier is None
    assert payload.auth_data.token_type == "Bearer"
    assert payload.auth_data.access_token is None
    assert payload.auth_data.expires_at is None
    assert payload.scope_data.org_slug is None
    assert payload.metadata.tags == []
    assert payload.metadata.instance_name is None
    assert payload.metadata.created_via is None


def test_null_means_the_default_for_every_optional_field():
    payload = valid(
        status=None,
        active=None,
        unique_identifier=None,
        auth_data={"token_type": None, "access_token": None, "expires_at": None},
        scope_data=None,
        metadata={"tags": None, "description": None},
    )

    assert payload.status == "active"
    assert payload.active is True
    assert payload.auth_data.token_type == "Bearer"
    assert payload.metadata.tags == []
    assert payload.scope_data.workspace_id is None


def test_objects_given_as_null_use_their_defaults():
    payload = valid(auth_data=None, scope_data=None, metadata=None)

    assert payload.auth_data.token_type == "Bearer"
    assert payload.metadata.tags == []


def test_every_type_slug_is_accepted():
    for slug in TYPE_SLUGS:
        assert valid(integration_type=slug).integration_type == slug


def test_strings_are_trimmed_and_blank_optional_strings_are_absent():
    payload = valid(
        name="  Errors  ",
        unique_identifier="   ",
        auth_data={"access_token": "  ", "token_type": " Basic ", "scope": " "},
        scope_data={"org_slug": "  ", "workspace_id": " T1 "},
        metadata={"version": "", "tags": [" a ", "b", "a", "b "]},
    )

    assert payload.name == "Errors"
    assert payload.unique_identifier is None
    assert payload.auth_data.access_token is None
    assert payload.auth_data.token_type == "Basic"
    assert payload.auth_data.scope is None
    assert payload.scope_data.org_slug is None
    assert payload.scope_data.workspace_id == "T1"
    assert payload.metadata.version is None
    assert payload.metadata.tags == ["a", "b"]


@pytest.mark.parametrize("given", ["", "  ", None])
def test_blank_token_type_means_the_default(given):
    assert valid(auth_data={"token_type": given}).auth_data.token_type == "Bearer"


def test_token_type_is_kept_trimmed():
    assert valid(auth_data={"token_type": " MAC "}).auth_data.token_type == "MAC"


def test_tag_limit_counts_distinct_tags():
    assert valid(metadata={"tags": ["same"] * 150}).metadata.tags == ["same"]
    assert locations(
        {**MINIMAL, "metadata": {"tags": [f"t{i % 101}" for i in range(300)]}}
    ) == [["body", "metadata", "tags"]]


@pytest.mark.parametrize(
    ("field", "given", "expected"),
    [("integration_type", " jira ", "jira"), ("status", "pending\n", "pending")],
)
def test_enum_values_are_trimmed_like_every_string(field, given, expected):
    assert getattr(valid(**{field: given}), field) == expected


@pytest.mark.parametrize("given", ["Sentry ", " ACTIVE"])
def test_enum_values_stay_case_sensitive_after_trimming(given):
    assert locations({**MINIMAL, "integration_type": given, "status": given})


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2030-01-01T12:00:00Z", datetime(2030, 1, 1, 12, tzinfo=UTC)),
        ("2030-01-01T14:00:00+02:00", datetime(2030, 1, 1, 12, tzinfo=UTC)),
        ("2030-01-01T07:00:00-05:00", datetime(2030, 1, 1, 12, tzinfo=UTC)),
        ("2030-01-01T12:00:00", datetime(2030, 1, 1, 12, tzinfo=UTC)),
        ("  2030-01-01T12:00:00.5Z ", datetime(2030, 1, 1, 12, 0, 0, 500_000, UTC)),
        ("", None),
    ],
)
def test_expires_at_becomes_an_aware_utc_datetime(given, expected):
    expires_at = valid(auth_data={"expires_at": given}).auth_data.expires_at

    assert expires_at == expected
    if expected is not None:
        assert expires_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "given",
    [
        "tomorrow",
        "2030-02-30T00:00:00Z",
        "9999-12-31T23:59:59-05:00",
        0,
        "2030-01-31",
        "20300131",
        "2030-W01-1",
        "2030-W01-1T10:00:00",
    ],
)
def test_expires_at_that_is_not_a_usable_date_time_is_refused(given):
    assert locations({**MINIMAL, "auth_data": {"expires_at": given}}) == [
        ["body", "auth_data", "expires_at"]
    ]


# validate_input: limits ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"name": "n" * 255}, True),
        ({"name": "n" * 256}, False),
        ({"unique_identifier": "u" * 255}, True),
        ({"unique_identifier": "u" * 256}, False),
        ({"metadata": {"description": "d" * 2000}}, True),
        ({"metadata": {"description": "d" * 2001}}, False),
        ({"metadata": {"tags": [f"t{i}" for i in range(100)]}}, True),
        ({"metadata": {"tags": [f"t{i}" for i in range(101)]}}, False),
        ({"metadata": {"tags": ["t" * 100]}}, True),
        ({"metadata": {"tags": ["t" * 101]}}, False),
        ({"auth_data": {"access_token": "a" * 16_384}}, True),
        ({"auth_data": {"access_token": "a" * 16_385}}, False),
        ({"auth_data": {"scope": "s" * 4096}}, True),
        ({"auth_data": {"scope": "s" * 4097}}, False),
        ({"scope_data": {"project_id": "p" * 255}}, True),
        ({"scope_data": {"project_id": "p" * 256}}, False),
    ],
)
def test_length_limits_hold_at_their_boundaries(fields, ok):
    document = {**MINIMAL, **fields}

    if ok:
        validate_input(document)
    else:
        assert len(problems(document)) == 1


def test_a_hundred_copies_of_one_tag_fit_and_collapse_to_one():
    assert valid(metadata={"tags": ["same"] * 100}).metadata.tags == ["same"]


@pytest.mark.parametrize("given", ["false", "NO", 1, 0, "true", "yes", "on"])
def test_active_accepts_only_json_booleans(given):
    assert problems({**MINIMAL, "active": given}) == [
        {
            "loc": ["body", "active"],
            "msg": "Input should be a valid boolean",
            "type": "bool_type",
        }
    ]


@pytest.mark.parametrize("given", ["Active", "ACTIVE", "disabled"])
def test_status_is_case_sensitive(given):
    assert locations({**MINIMAL, "status": given}) == [["body", "status"]]


def test_integration_type_error_names_every_allowed_value():
    (problem,) = problems({"name": "x", "integration_type": "Sentry"})

    assert problem["loc"] == ["body", "integration_type"]
    for slug in TYPE_SLUGS:
        assert f"'{slug}'" in problem["msg"]
    assert "Sentry" not in problem["msg"]


@pytest.mark.parametrize(
    "text",
    ["\x00", "a\x00b", "\ud800", "x\udfffy"],
    ids=["nul", "nul-inside", "hi", "lo"],
)
def test_nul_and_lone_surrogates_are_refused_in_every_string(text):
    document = {
        "name": text,
        "integration_type": "sentry",
        "unique_identifier": text,
        "auth_data": {"refresh_token": text, "scope": text},
        "scope_data": {"installation_id": text},
        "metadata": {"created_via": text, "tags": [text]},
    }

    assert locations(document) == [
        ["body", "name"],
        ["body", "unique_identifier"],
        ["body", "auth_data", "refresh_token"],
        ["body", "auth_data", "scope"],
        ["body", "scope_data", "installation_id"],
        ["body", "metadata", "created_via"],
        ["body", "metadata", "tags", 0],
    ]


def test_every_problem_is_reported_at_once_without_the_input():
    document = {
        "integration_type": 3,
        "active": "true",
        "auth_data": {"access_token": 1234567890, "code": ["c0de-value"]},
        "metadata": {"tags": ["a,b", "ok", "x" * 101]},
    }

    found = problems(document)

    assert [p["loc"] for p in found] == [
        ["body", "name"],
        ["body", "integration_type"],
        ["body", "active"],
        ["body", "auth_data", "access_token"],
        ["body", "auth_data", "code"],
        ["body", "metadata", "tags", 0],
        ["body", "metadata", "tags", 2],
    ]
    for problem in found:
        assert set(problem) == {"loc", "msg", "type"}
    text = json.dumps(found)
    assert "1234567890" not in text
    assert "c0de-value" not in text
    assert "x" * 101 not in text


# derived flags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("auth_data", "expected"),
    [
        ({"access_token": "t"}, True),
        ({"access_token": " \t "}, False),
        ({"refresh_token": "r", "code": "c"}, False),
        ({}, False),
    ],
)
def test_has_auth_data_follows_the_access_token(auth_data, expected):
    assert valid(auth_data=auth_data).has_auth_data is expected


@pytest.mark.parametrize(
    ("scope_data", "expected"),
    [
        ({"org_slug": "acme"}, True),
        ({"workspace_id": "T1"}, True),
        ({"org_slug": "  "}, False),
        ({"project_id": "1", "installation_id": "2"}, False),
    ],
)
def test_has_scope_data_counts_org_slug_and_workspace_id_only(scope_data, expected):
    assert valid(scope_data=scope_data).has_scope_data is expected


def test_ignored_keys_are_listed_with_dotted_paths():
    payload = valid(
        extra=1,
        auth_data={"api_token": "x"},
        scope_data={"org": "a"},
        metadata={"owner": "me"},
    )

    assert payload.ignored_keys() == [
        "extra",
        "auth_data.api_token",
        "scope_data.org",
        "metadata.owner",
    ]


# save_warnings -------------------------------------------------------------------


def test_no_warnings_for_a_complete_save():
    payload = valid(
        scope_data={"org_slug": "acme"},
        auth_data={"access_token": "t", "expires_at": "2030-01-01T00:00:00Z"},
    )

    assert save_warnings(payload, NOW) == []


@pytest.mark.parametrize(
    ("integration_type", "scope_data", "field"),
    [
        ("sentry", {}, "org_slug"),
        ("sentry", {"workspace_id": "acme"}, "org_slug"),
        ("jira", {"org_slug": "acme"}, "workspace_id"),
        ("linear", {"installation_id": "1"}, "workspace_id"),
        ("confluence", {"workspace_id": "  "}, "workspace_id"),
    ],
)
def test_warns_when_the_types_own_scope_field_is_empty(
    integration_type, scope_data, field
):
    payload = valid(integration_type=integration_type, scope_data=scope_data)

    (warning,) = save_warnings(payload, NOW)
    assert warning.startswith(f"scope_data.{field} is empty")


@pytest.mark.parametrize(
    ("expires_at", "warned"),
    [
        (NOW - timedelta(seconds=1), True),
        (NOW, True),
        (NOW + timedelta(seconds=1), False),
    ],
    ids=["past", "now", "future"],
)
def test_warns_when_expires_at_is_not_in_the_future(expires_at, warned):
    payload = valid(
        scope_data={"org_slug": "acme"},
        auth_data={"expires_at": expires_at.isoformat()},
    )

    warnings = save_warnings(payload, NOW)

    assert (warnings == ["auth_data.expires_at is already in the past."]) is warned
    assert (warnings == []) is not warned


@pytest.mark.parametrize(
    ("active", "status", "expected"),
    [
        (True, "active", None),
        (False, "inactive", None),
        (False, "error", None),
        (True, "pending", 'active is true but status is "pending"'),
        (False, "active", 'status is "active" but active is false'),
    ],
)
def test_warns_when_active_and_status_disagree(active, status, expected):
    payload = valid(active=active, status=status, scope_data={"org_slug": "a"})

    warnings = save_warnings(payload, NOW)

    if expected is None:
        assert warnings == []
    else:
        (warning,) = warnings
        assert warning.startswith(expected)


def test_unknown_keys_are_named_in_warnings():
    payload = valid(scope_data={"org_slug": "a"}, auth_data={"api_token": "x"})

    assert save_warnings(payload, NOW) == [
        "Unknown field auth_data.api_token was ignored."
    ]


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("k" * 150, "k" * 100 + "…"),
        ("bad\x00key", "(a key with unprintable characters)"),
    ],
    ids=["long", "nul"],
)
def test_unknown_keys_are_shown_safely(key, shown):
    payload = validate_input({**MINIMAL, "scope_data": {"org_slug": "a"}, key: 1})

    assert save_warnings(payload, NOW) == [f"Unknown field {shown} was ignored."]


def test_an_unknown_key_with_a_lone_surrogate_is_refused():
    document = {**MINIMAL, "\ud800": 1}

    assert problems(document)[0]["type"] == "string_unicode"


def test_warnings_come_in_a_stable_order():
    payload = valid(
        active=True,
        status="error",
        auth_data={"expires_at": "2000-01-01T00:00:00Z"},
        extra=1,
    )

    warnings = save_warnings(payload, NOW)

    assert [w.split(" ")[0] for w in warnings] == [
        "scope_data.org_slug",
        "auth_data.expires_at",
        "active",
        "Unknown",
    ]


@pytest.mark.parametrize(
    "given", ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00+05:00", "1969-12-31T23:59Z"]
)
def test_expires_at_near_the_ends_of_the_calendar_is_refused(given):
    assert locations({**MINIMAL, "auth_data": {"expires_at": given}}) == [
        ["body", "auth_data", "expires_at"]
    ]
