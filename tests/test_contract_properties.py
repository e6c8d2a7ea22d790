"""Property-based tests: whatever a client sends, the contract answers cleanly.

Every run uses the same examples (derandomize), so a failure is repeatable.
"""

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.catalog import STATUSES, TYPE_SLUGS
from dashboard.integrations.contract import (
    SECRET_FIELDS,
    IntegrationInput,
    InvalidRequest,
    parse_json_body,
    save_warnings,
    validate_input,
)

REPEATABLE = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NOW = datetime(2026, 12, 4, tzinfo=UTC)
# Unicode's White_Space characters: what the contract trims. Python's own
# str.strip() also removes the ASCII separators \x1c-\x1f, which are not spaces.
WHITE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    ["name", "integration_type", "status", "active", "unique_identifier"]
)
sections = st.sampled_from(["auth_data", "scope_data", "metadata"])


def _answer(document):
    try:
        return validate_input(document)
    except InvalidRequest as problem:
        return problem


def _assert_well_formed(problem: InvalidRequest) -> None:
    assert problem.details
    for detail in problem.details:
        assert detail["loc"][0] == "body"
        assert isinstance(detail["msg"], str) and detail["msg"]
        assert isinstance(detail["type"], str) and detail["type"]
        assert set(detail) == {"loc", "msg", "type"}


@REPEATABLE
@given(json_values)
def test_any_json_value_is_accepted_or_refused_with_details(document):
    answer = _answer(document)

    if isinstance(answer, InvalidRequest):
        _assert_well_formed(answer)
    else:
        assert isinstance(answer, IntegrationInput)


@REPEATABLE
@given(
    st.dictionaries(field_names, json_values), st.dictionaries(sections, json_values)
)
def test_bodies_of_almost_the_right_shape_never_escape_the_contract(top, nested):
    answer = _answer({**top, **nested})

    if isinstance(answer, InvalidRequest):
        _assert_well_formed(answer)


@REPEATABLE
@given(st.binary(max_size=200))
def test_any_bytes_are_parsed_or_refused_as_invalid_json(raw):
    try:
        parse_json_body(raw)
    except InvalidRequest as problem:
        _assert_well_formed(problem)


names = st.text(min_size=1, max_size=255).filter(
    lambda s: (
        s.strip() and "\x00" not in s and s == s.encode("utf-8", "ignore").decode()
    )
)
scope_values = st.none() | st.text(max_size=255)
valid_bodies = st.fixed_dictionaries(
    {
        "name": names,
        "integration_type": st.sampled_from(TYPE_SLUGS),
    },
    optional={
        "status": st.sampled_from(STATUSES) | st.none(),
        "active": st.booleans() | st.none(),
        "scope_data": st.fixed_dictionaries(
            {},
            optional={
                "org_slug": scope_values,
                "workspace_id": scope_values,
                "project_id": scope_values,
            },
        ),
        "auth_data": st.fixed_dictionaries(
            {}, optional={"access_token": st.none() | st.text(max_size=64)}
        ),
    },
)


def _clean(value) -> bool:
    return value is None or ("\x00" not in value and _utf8(value))


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@REPEATABLE
@given(valid_bodies)
def test_flags_and_defaults_follow_the_contract(body):
    scope = body.get("scope_data", {})
    token = body.get("auth_data", {}).get("access_token")
    if not all(_clean(v) for v in (*scope.values(), token)):
        return

    payload = validate_input(body)

    assert payload.name == body["name"].strip(WHITE_SPACE)
    assert payload.status == (body.get("status") or "active")
    assert payload.active is (True if body.get("active") is None else body["active"])
    assert payload.has_auth_data is bool(token and token.strip(WHITE_SPACE))
    expected_scope = any(
        (scope.get(key) or "").strip(WHITE_SPACE)
        for key in ("org_slug", "workspace_id")
    )
    assert payload.has_scope_data is expected_scope
    assert isinstance(save_warnings(payload, NOW), list)


@REPEATABLE
@given(
    st.sampled_from(["name", *SECRET_FIELDS, "org_slug"]),
    st.text(max_size=20),
    st.text(max_size=20),
)
def test_a_nul_character_anywhere_in_a_string_is_refused(field, before, after):
    value = f"{before}\x00{after}"
    body = {"name": "ok", "integration_type": "sentry"}
    if field == "name":
        body["name"] = value
    elif field == "org_slug":
        body["scope_data"] = {"org_slug": value}
    else:
        body["auth_data"] = {field: value}

    answer = _answer(body)

    assert isinstance(answer, InvalidRequest)
    assert value not in json.dumps(answer.details)
