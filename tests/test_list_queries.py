"""List helpers: filters, search, pages and badges, straight against the database."""

from datetime import timedelta

import pytest
from sqlalchemy import event

from dashboard.extensions import db
from dashboard.integrations import health, queries
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


# What needs attention, and token expiry


def _iso(moment) -> str:
    return moment.isoformat()


@pytest.fixture
def variety(user, other_user):
    """The owner's integrations failing each check at least once, and one healthy."""
    now = utcnow()
    make = factories.make_integration
    mine = [
        make(user, name="Healthy", **HEALTHY),
        make(user, name="Off", active=False, status="inactive", **HEALTHY),
        make(user, name="Pending", status="pending", **HEALTHY),
        make(user, name="No token", scope_data={"org_slug": "acme"}),
        make(
            user,
            name="Expired",
            auth_data={"access_token": "tok", "expires_at": _iso(now)},
            scope_data={"org_slug": "x"},
        ),
        make(
            user,
            name="expiring",
            auth_data={
                "access_token": "tok",
                "expires_at": _iso(now + timedelta(days=3)),
            },
            scope_data={"org_slug": "y"},
        ),
        make(
            user,
            name="Wrong field",
            auth_data={"access_token": "tok"},
            scope_data={"workspace_id": "acme"},
        ),
        make(user, name="Bare", auth_data={"access_token": "tok"}),
        make(
            user,
            name="Board",
            integration_type="jira",
            auth_data={"access_token": "tok"},
            scope_data={"project_id": "KEY"},
        ),
    ]
    make(other_user, name="Theirs", active=False)
    return mine


def test_attention_count_matches_the_python_checks(user, variety):
    now = utcnow()
    expected = sum(health.needs_attention(item, now) for item in variety)

    assert queries.attention_count(db.session, user, now) == expected == 8


def test_attention_count_is_a_single_count_query(user, variety):
    statements = []
    db.session.refresh(user)  # so that reading its id needs no query

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        queries.attention_count(db.session, user, utcnow())
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    assert len(statements) == 1
    assert statements[0].lower().startswith("select count(")


def test_attention_groups_follow_each_checks_sql_twin(user, variety):
    now = utcnow()

    groups = queries.attention_groups(db.session, user, now)

    expected = {
        check.key: [item.name for item in variety if check.fails(item, now)]
        for check in health.CHECKS
    }
    shown = {
        group.check.key: [i.integration.name for i in group.items] for group in groups
    }
    assert shown == {
        key: sorted(found, key=str.lower) for key, found in expected.items() if found
    }
    assert [group.check.key for group in groups] == [
        check.key for check in health.CHECKS if expected[check.key]
    ]
    assert "Theirs" not in str(shown)


def test_a_group_words_its_fix_once_when_every_item_shares_it(user, variety):
    groups = {
        group.check.key: group
        for group in queries.attention_groups(db.session, user, utcnow())
    }

    assert groups["switched_off"].shared_fix == "Activate it (switch it on)."
    # Sentry and Jira need different scope fields, so each item keeps its fix.
    assert groups["no_scope"].shared_fix is None
    assert {item.fix.split(" (")[0] for item in groups["no_scope"].items} == {
        "Add org_slug",
        "Add workspace_id",
    }


def test_expiry_report_puts_each_token_on_the_right_side_of_the_boundaries(
    user, other_user
):
    now = utcnow()
    tick = timedelta(microseconds=1)
    offsets = {
        "long gone": timedelta(days=-30),
        "exactly now": timedelta(0),
        "just after now": tick,
        "in 7 days exactly": timedelta(days=7),
        "just after 7 days": timedelta(days=7) + tick,
    }
    for name, offset in offsets.items():
        factories.make_integration(
            user,
            name=name,
            auth_data={
                "access_token": "tok",
                "refresh_token": "rt",
                "expires_at": _iso(now + offset),
            },
        )
    factories.make_integration(user, name="No expiry", auth_data={"refresh_token": "r"})
    factories.make_integration(user, name="No refresh", auth_data={"access_token": "t"})
    factories.make_integration(
        other_user,
        name="Theirs",
        auth_data={"access_token": "t", "expires_at": _iso(now)},
    )

    report = queries.expiry_report(db.session, user, now)

    assert names(report.expired) == ["long gone", "exactly now"]
    assert names(report.expiring) == ["just after now", "in 7 days exactly"]
    assert names(report.without_refresh_token) == ["No refresh"]
    assert not report.empty


def test_an_empty_expiry_report_says_so(user):
    assert queries.expiry_report(db.session, user, utcnow()).empty
