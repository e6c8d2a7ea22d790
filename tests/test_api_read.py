"""GET /api/v2/integrations and GET /api/v2/integrations/<id>: lists and details."""

from datetime import timedelta

import pytest

from dashboard.integrations.health import CHECKS, needs_attention
from dashboard.timeutil import utcnow

from . import factories
from .api_calls import LIST, UNKNOWN_ID, locations, ok, one, refused, send

SECRETS = {
    "access_token": "tok-READ-CANARY-access-0123456789",
    "refresh_token": "tok-READ-CANARY-refresh-0123456789",
    "code": "tok-READ-CANARY-code-0123456789",
}


def get(client, key, path, **kw):
    return send(client, "GET", path, key, **kw)


def listed(client, key, **params) -> dict:
    return ok(get(client, key, LIST, query_string=params))["data"]


def names(page: dict) -> list[str]:
    return [item["name"] for item in page["items"]]


@pytest.fixture
def assorted(user):
    """Integrations that differ in every field the list filters on."""
    soon = (utcnow() + timedelta(days=2)).isoformat()
    return {
        "healthy": factories.make_integration(
            user,
            name="Healthy sentry",
            auth_data={"access_token": "tok-healthy-0000"},
            scope_data={"org_slug": "acme"},
        ),
        "off": factories.make_integration(
            user,
            name="Off slack",
            integration_type="slack",
            active=False,
            status="inactive",
            auth_data={"access_token": "tok-off-0000"},
            scope_data={"workspace_id": "T001"},
        ),
        "expiring": factories.make_integration(
            user,
            name="Expiring jira",
            integration_type="jira",
            auth_data={"access_token": "tok-jira-0000", "expires_at": soon},
            scope_data={"workspace_id": "acme-site"},
        ),
        "bare": factories.make_integration(
            user, name="bare github", integration_type="github"
        ),
        "pending": factories.make_integration(
            user,
            name="Pending linear",
            integration_type="linear",
            status="pending",
            auth_data={"access_token": "tok-linear-0000"},
            scope_data={"workspace_id": "T001"},
        ),
    }


# The list ---------------------------------------------------------------------------


def test_list_answers_one_page_in_the_envelope(client, api_key, assorted):
    document = ok(get(client, api_key, LIST))

    assert document["warnings"] == []
    page = document["data"]
    assert set(page) == {"items", "page", "per_page", "total", "pages"}
    assert (page["page"], page["per_page"], page["total"], page["pages"]) == (
        1,
        25,
        5,
        1,
    )
    # Ordered by name, ignoring case.
    assert names(page) == [
        "bare github",
        "Expiring jira",
        "Healthy sentry",
        "Off slack",
        "Pending linear",
    ]


def test_list_items_carry_their_failing_checks(client, api_key, assorted):
    items = {item["name"]: item for item in listed(client, api_key)["items"]}

    assert items["Healthy sentry"]["needs_attention"] is False
    assert items["Healthy sentry"]["failing_checks"] == []
    assert items["Expiring jira"]["failing_checks"] == ["expiring_soon"]
    assert items["bare github"]["failing_checks"] == ["no_credentials", "no_scope"]
    assert items["Healthy sentry"]["integration_id"] == assorted["healthy"].id
    assert items["Healthy sentry"]["scope_data"]["org_slug"] == "acme"


def test_list_shows_only_the_key_owners_integrations(client, api_key, user, other_user):
    factories.make_integration(user, name="Mine")
    factories.make_integration(other_user, name="Theirs")
    their_key = factories.make_api_key(other_user)

    assert names(listed(client, api_key)) == ["Mine"]
    assert names(listed(client, their_key)) == ["Theirs"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "slack"}, ["Off slack"]),
        ({"status": "pending"}, ["Pending linear"]),
        ({"active": "false"}, ["Off slack"]),
        (
            {"active": "true"},
            ["bare github", "Expiring jira", "Healthy sentry", "Pending linear"],
        ),
        ({"org_slug": "acme"}, ["Healthy sentry"]),
        ({"workspace_id": "T001"}, ["Off slack", "Pending linear"]),
        ({"workspace_id": "  T001  "}, ["Off slack", "Pending linear"]),
        ({"workspace_id": "t001"}, []),
        ({"needs_attention": "false"}, ["Healthy sentry"]),
        ({"workspace_id": "T001", "active": "true"}, ["Pending linear"]),
        ({"type": "sentry", "needs_attention": "true"}, []),
        ({"type": "", "status": "", "active": "  "}, None),
        ({"page": "", "per_page": " ", "org_slug": ""}, None),
    ],
    ids=[
        "type",
        "status",
        "inactive",
        "active",
        "org_slug",
        "workspace_id",
        "trimmed",
        "exact-case",
        "healthy",
        "combined",
        "combined-empty",
        "empty-is-absent",
        "empty-page-is-absent",
    ],
)
def test_list_filters(client, api_key, assorted, params, expected):
    page = listed(client, api_key, **params)

    if expected is None:
        assert page["total"] == len(assorted)
    else:
        assert names(page) == expected
        assert page["total"] == len(expected)


def test_needs_attention_filter_agrees_with_the_checks(client, api_key, assorted):
    now = utcnow()
    failing = sorted(i.name for i in assorted.values() if needs_attention(i, now))
    passing = sorted(i.name for i in assorted.values() if not needs_attention(i, now))

    flagged = listed(client, api_key, needs_attention="true")
    healthy = listed(client, api_key, needs_attention="false")

    assert sorted(names(flagged)) == failing
    assert sorted(names(healthy)) == passing
    assert flagged["total"] + healthy["total"] == len(assorted)


def test_list_pages(client, api_key, assorted):
    first = listed(client, api_key, per_page=2)
    second = listed(client, api_key, per_page=2, page=2)
    third = listed(client, api_key, per_page=2, page=3)

    assert names(first) == ["bare github", "Expiring jira"]
    assert names(second) == ["Healthy sentry", "Off slack"]
    assert names(third) == ["Pending linear"]
    assert (first["pages"], first["total"], second["page"]) == (3, 5, 2)


def test_a_page_past_the_end_is_empty(client, api_key, assorted):
    page = listed(client, api_key, page=1_000_000, per_page=100)

    assert page["items"] == []
    assert page["total"] == 5
    assert page["page"] == 1_000_000


def test_an_empty_list_has_one_page(client, api_key):
    page = listed(client, api_key)

    assert page == {"items": [], "page": 1, "per_page": 25, "total": 0, "pages": 1}


@pytest.mark.parametrize(
    ("query", "where", "kind"),
    [
        ("type=Sentry", "type", "literal_error"),
        ("type=gitlab", "type", "literal_error"),
        ("status=Active", "status", "literal_error"),
        ("active=yes", "active", "literal_error"),
        ("active=1", "active", "literal_error"),
        ("needs_attention=True", "needs_attention", "literal_error"),
        ("page=0", "page", "greater_than_equal"),
        ("page=-3", "page", "greater_than_equal"),
        ("page=two", "page", "int_parsing"),
        ("page=1.5", "page", "int_parsing"),
        ("page=" + "9" * 400, "page", "less_than_equal"),
        ("page=1000001", "page", "less_than_equal"),
        ("per_page=101", "per_page", "less_than_equal"),
        ("per_page=0", "per_page", "greater_than_equal"),
        ("org_slug=" + "o" * 256, "org_slug", "string_too_long"),
        ("org_slug=a%00b", "org_slug", "string_nul"),
        ("workspace_id=%00", "workspace_id", "string_nul"),
        ("typ=sentry", "typ", "extra_forbidden"),
        ("typ=", "typ", "extra_forbidden"),
        ("type=sentry&type=slack", "type", "multiple_values"),
    ],
)
def test_bad_query_parameters_are_422(client, api_key, assorted, query, where, kind):
    document = refused(get(client, api_key, f"{LIST}?{query}"), 422)

    assert locations(document) == [["query", where]]
    assert document["detail"][0]["type"] == kind
    assert "query string is invalid" in document["error"]


def test_an_unknown_parameter_names_the_known_ones(client, api_key):
    document = refused(get(client, api_key, f"{LIST}?needs_atention=true"), 422)

    message = document["detail"][0]["msg"]
    assert message.startswith("Unknown parameter")
    assert "needs_attention" in message


def test_every_bad_parameter_is_listed_at_once(client, api_key):
    response = get(client, api_key, f"{LIST}?type=x&status=y&page=0&per_page=500")

    document = refused(response, 422)
    assert sorted(map(tuple, locations(document))) == [
        ("query", "page"),
        ("query", "per_page"),
        ("query", "status"),
        ("query", "type"),
    ]
    assert "4 problems" in document["error"]


def test_a_bad_parameter_is_not_echoed(client, api_key):
    response = get(client, api_key, f"{LIST}?org_slug={'secretish' * 40}")

    assert "secretish" not in response.get_data(as_text=True)
    refused(response, 422)


@pytest.mark.parametrize("key", [None, "sk-" + "0" * 48])
def test_list_needs_a_live_key(client, key, assorted):
    document = refused(get(client, key, LIST), 401)

    assert document["detail"] == document["error"]
    assert document["error"] in {"API key is required", "Invalid API key"}


def test_list_checks_the_key_before_the_query(client):
    document = refused(get(client, None, f"{LIST}?type=nonsense"), 401)

    assert document["error"] == "API key is required"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_list_refuses_other_methods(client, api_key, method):
    response = send(client, method, LIST, api_key, body={})

    refused(response, 405)
    assert "GET" in response.headers["Allow"]


# One integration --------------------------------------------------------------------


@pytest.fixture
def loaded(user):
    return factories.make_integration(
        user,
        name="Loaded",
        auth_data={**SECRETS, "expires_at": "2030-01-01T00:00:00Z"},
        scope_data={"org_slug": "acme", "project_id": "web"},
        metadata={"tags": ["prod"], "description": "Main errors"},
    )


def test_get_shows_the_integration_and_its_health(client, api_key, loaded, user):
    document = ok(get(client, api_key, one(loaded.id)))

    assert document["warnings"] == []
    data = document["data"]
    assert data["integration_id"] == loaded.id
    assert data["created_by"] == user.public_id
    assert data["scope_data"]["project_id"] == "web"
    assert data["metadata"]["tags"] == ["prod"]
    assert data["expires_at"] == "2030-01-01T00:00:00+00:00"
    assert data["needs_attention"] is False
    assert [check["key"] for check in data["health"]] == [c.key for c in CHECKS]
    for check in data["health"]:
        assert set(check) == {"key", "title", "passed", "severity", "reason", "fix"}
        assert check["passed"] is True
        assert check["fix"] is None
        assert check["reason"]


def test_get_explains_each_failing_check(client, api_key, user):
    bare = factories.make_integration(
        user, name="Bare", integration_type="slack", status="error"
    )

    data = ok(get(client, api_key, one(bare.id)))["data"]

    failing = {check["key"]: check for check in data["health"] if not check["passed"]}
    assert data["needs_attention"] is True
    assert set(failing) == {"status", "disagreement", "no_credentials", "no_scope"}
    assert "workspace_id" in failing["no_scope"]["fix"]
    assert failing["status"]["severity"] == "danger"
    assert failing["disagreement"]["severity"] == "warning"


def test_get_says_which_secrets_are_set_but_never_shows_them(client, api_key, user):
    integration = factories.make_integration(
        user, auth_data={"access_token": SECRETS["access_token"]}
    )

    response = get(client, api_key, one(integration.id))

    secrets = ok(response)["data"]["secrets"]
    assert secrets["access_token"]["is_set"] is True
    assert secrets["access_token"]["set_at"].endswith("+00:00")
    assert secrets["refresh_token"] == {"is_set": False, "set_at": None}
    assert secrets["code"] == {"is_set": False, "set_at": None}
    text = response.get_data(as_text=True)
    assert SECRETS["access_token"] not in text
    assert SECRETS["access_token"][-4:] not in text


def test_no_read_answer_carries_a_secret(client, api_key, loaded):
    for path in (one(loaded.id), LIST, f"{LIST}?needs_attention=false"):
        text = get(client, api_key, path).get_data(as_text=True)
        for secret in SECRETS.values():
            assert secret not in text
        assert "_encrypted" not in text


def test_an_uppercase_id_finds_the_same_integration(client, api_key, loaded):
    data = ok(get(client, api_key, one(loaded.id.upper())))["data"]

    assert data["integration_id"] == loaded.id


@pytest.mark.parametrize("which", ["unknown", "theirs"])
def test_unknown_or_another_owners_integration_is_404(
    client, api_key, other_user, which
):
    theirs = factories.make_integration(other_user, name="Theirs")
    integration_id = UNKNOWN_ID if which == "unknown" else theirs.id

    response = get(client, api_key, one(integration_id))

    document = refused(response, 404)
    assert integration_id in document["error"]
    assert "Theirs" not in response.get_data(as_text=True)


def test_the_404_does_not_tell_theirs_from_missing(client, api_key, other_user):
    theirs = factories.make_integration(other_user)

    missing = refused(get(client, api_key, one(UNKNOWN_ID)), 404)
    hidden = refused(get(client, api_key, one(theirs.id)), 404)

    assert missing["error"].replace(UNKNOWN_ID, "ID") == hidden["error"].replace(
        theirs.id, "ID"
    )


@pytest.mark.parametrize(
    "segment", ["not-a-uuid", "12345", "%00", "' OR 1=1 --", UNKNOWN_ID[:-1]]
)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_malformed_id_is_a_json_404(client, api_key, segment, method):
    response = send(client, method, f"{LIST}/{segment}", api_key, body={})

    document = refused(response, 404)
    assert document["error"] == "Not found."


def test_get_needs_a_live_key(client, loaded):
    document = refused(get(client, None, one(loaded.id)), 401)

    assert document["error"] == "API key is required"


@pytest.mark.parametrize("method", ["POST", "PUT", "OPTIONS"])
def test_one_integration_refuses_other_methods(client, api_key, loaded, method):
    response = send(client, method, one(loaded.id), api_key, body={})

    refused(response, 405)
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "PATCH", "DELETE"} <= allowed
