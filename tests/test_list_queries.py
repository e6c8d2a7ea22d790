"""List helpers: filters, search, pages and badges, straight against the database."""

from datetime import timedelta

import pytest

from dashboard.extensions import db
from dashboard.integrations import queries
from dashboard.integrations.queries import ListFilters
from dashboard.timeutil import utcnow

from . import factories

HEALTHY = {
    "auth_data": {"access_token": "tok_example_123456"},
    "scope_data": {"org_slug": "acme"},
}


def names(page_or_items) -> list[str]:
    items = getattr(page_or_items, "items", page_or_items)
    return [item.name for item in items]


def listed(owner, size=100, number=1, **filters):
    statement = queries.filtered(owner, ListFilters(**filters), utcnow())
    return queries.paginate(db.session, statement, number, size)


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("-1", 1),
        ("0", 1),
        ("1.5", 1),
        (" 3 ", 3),
        ("12", 12),
        ("9" * 5000, 1),
    ],
)
def test_parse_page_number(raw, number):
    assert queries.parse_page_number(raw) == number


def test_only_the_owners_integrations_are_listed(user, other_user):
    factories.make_integration(user, name="Mine")
    factories.make_integration(other_user, name="Theirs")

    assert names(listed(user)) == ["Mine"]
    assert names(listed(other_user)) == ["Theirs"]


def test_filter_by_type_and_status(user):
    factories.make_integration(user, name="S", integration_type="sentry")
    factories.make_integration(user, name="J", integration_type="jira")
    factories.make_integration(
        user, name="Jp", integration_type="jira", status="pending"
    )

    assert names(listed(user, integration_type="jira")) == ["J", "Jp"]
    assert names(listed(user, status="pending")) == ["Jp"]
    assert names(listed(user, integration_type="jira", status="active")) == ["J"]


def test_needs_attention_keeps_only_failing_rows(user):
    factories.make_integration(user, name="Healthy", **HEALTHY)
    factories.make_integration(user, name="No token", scope_data={"org_slug": "a"})
    soon = (utcnow() + timedelta(days=2)).isoformat()
    factories.make_integration(
        user,
        name="Expiring",
        auth_data={"access_token": "tok_example_123456", "expires_at": soon},
        scope_data={"org_slug": "acme"},
    )
    factories.make_integration(
        user, name="Off", active=False, status="inactive", **HEALTHY
    )

    assert names(listed(user, needs_attention=True)) == ["Expiring", "No token", "Off"]


def test_search_is_case_insensitive_and_part_of_the_name(user):
    for name in ("Prod errors", "staging", "PRODUCT board"):
        factories.make_integration(user, name=name)

    assert names(listed(user, search="prod")) == ["Prod errors", "PRODUCT board"]


@pytest.mark.parametrize(("term", "expected"), [("%", ["100% up"]), ("_", ["a_b"])])
def test_search_treats_like_wildcards_as_text(user, term, expected):
    for name in ("100% up", "a_b", "plain"):
        factories.make_integration(user, name=name)

    assert names(listed(user, search=term)) == expected


def test_pages_split_the_list_in_a_stable_order(user):
    for number in range(5):
        factories.make_integration(user, name=f"item {number}")

    first = listed(user, size=2, number=1)
    second = listed(user, size=2, number=2)
    third = listed(user, size=2, number=3)

    assert names(first) + names(second) + names(third) == [
        f"item {n}" for n in range(5)
    ]
    assert (first.pages, first.total) == (3, 5)
    assert first.has_next and not first.has_previous
    assert third.has_previous and not third.has_next


def test_a_page_past_the_end_shows_the_last_page(user):
    for number in range(3):
        factories.make_integration(user, name=f"item {number}")

    page = listed(user, size=2, number=10**12)

    assert page.number == 2
    assert names(page) == ["item 2"]


def test_an_empty_list_has_one_empty_page(user):
    page = listed(user, size=2, number=5)

    assert (page.number, page.pages, page.total, page.items) == (1, 1, 0, [])


def test_rows_carry_health_badges_but_not_status_or_switch(user):
    factories.make_integration(
        user, name="Off", active=False, status="inactive", **HEALTHY
    )
    factories.make_integration(user, name="Bare")
    factories.make_integration(user, name="Fine", **HEALTHY)

    rows = {
        row.integration.name: row
        for row in queries.list_rows(listed(user).items, utcnow())
    }

    assert rows["Off"].badges == [] and not rows["Off"].healthy
    assert [b.key for b in rows["Bare"].badges] == ["no_credentials", "no_scope"]
    assert rows["Fine"].healthy and rows["Fine"].badges == []


def test_filters_turn_back_into_query_arguments():
    filters = ListFilters(integration_type="jira", needs_attention=True, search="x")

    assert filters.as_args() == {"q": "x", "type": "jira", "needs_attention": "y"}
    assert filters.any_set
    assert not ListFilters().any_set
