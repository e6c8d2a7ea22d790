"""What needs attention, token expiry, one-click fixes and the nav count, over HTTP."""

import re
from datetime import timedelta

import pytest

from dashboard.extensions import db
from dashboard.integrations import health
from dashboard.models import Integration
from dashboard.timeutil import utcnow

from . import factories
from .conftest import csrf_token_from

TOKEN = "tok_live_troubleshoot_0123456789"
HEALTHY = {
    "auth_data": {"access_token": TOKEN},
    "scope_data": {"org_slug": "acme"},
}


def later(**delta) -> str:
    return (utcnow() + timedelta(**delta)).isoformat()


@pytest.fixture
def variety(user, other_user):
    """The owner's integrations failing every check at least once, and a healthy one."""
    make = factories.make_integration
    mine = [
        make(user, name="Healthy", **HEALTHY),
        make(user, name="Off", active=False, status="inactive", **HEALTHY),
        make(user, name="Off but active", active=False, **HEALTHY),
        make(user, name="Pending", status="pending", **HEALTHY),
        make(user, name="No token", scope_data={"org_slug": "acme"}),
        make(
            user,
            name="Expired",
            auth_data={"access_token": TOKEN, "expires_at": later(days=-2)},
            scope_data={"org_slug": "a"},
        ),
        make(
            user,
            name="Expiring",
            auth_data={"access_token": TOKEN, "expires_at": later(days=2)},
            scope_data={"org_slug": "b"},
        ),
        make(user, name="Bare", auth_data={"access_token": TOKEN}),
        make(
            user,
            name="Wrong field",
            auth_data={"access_token": TOKEN},
            scope_data={"workspace_id": "acme"},
        ),
        make(
            user,
            name="Board",
            integration_type="jira",
            auth_data={"access_token": TOKEN},
            scope_data={"project_id": "KEY"},
        ),
    ]
    make(other_user, name="Theirs", active=False)
    return mine


def sections(page: str) -> dict[str, str]:
    """Each check group's section on /troubleshooting, by check key."""
    found = re.findall(
        r'<section class="attention-group[^"]*" id="check-([a-z_]+)">(.*?)</section>',
        page,
        re.S,
    )
    return dict(found)


def troubleshoot_links(section: str) -> set[str]:
    return set(
        re.findall(r'href="/integrations/([0-9a-f-]{36})/troubleshoot"', section)
    )


def nav_count(page: str) -> int:
    match = re.search(
        r'<a id="attention-link" href="/troubleshooting">Needs attention '
        r'<span class="badge [a-z-]+">(\d+)</span></a>',
        page,
    )
    assert match, "no attention link in the navigation"
    return int(match.group(1))


# /troubleshooting


def test_every_failing_integration_is_listed_under_each_check_it_fails(
    logged_in, variety
):
    now = utcnow()

    page = logged_in.get("/troubleshooting").get_data(as_text=True)

    shown = {key: troubleshoot_links(body) for key, body in sections(page).items()}
    expected = {
        check.key: {item.id for item in variety if check.fails(item, now)}
        for check in health.CHECKS
    }
    assert shown == {key: ids for key, ids in expected.items() if ids}
    assert set(shown) == {check.key for check in health.CHECKS}, "cover every check"
    assert "Theirs" not in page


def test_each_group_has_its_title_count_and_fix(logged_in, variety):
    page = logged_in.get("/troubleshooting").get_data(as_text=True)

    groups = sections(page)
    switched_off = groups["switched_off"]
    assert "Switched off" in switched_off and "Check: Switched on." in switched_off
    assert '<span class="badge badge-danger">2</span>' in switched_off
    assert "<strong>Fix:</strong> Activate it (switch it on)." in switched_off
    # Sentry and Jira read different fields, so each item says its own fix.
    assert "Fix:</strong> Add org_slug" in groups["no_scope"]
    assert "Fix:</strong> Add workspace_id" in groups["no_scope"]
    assert "9 integrations need attention." in page


def test_the_page_offers_one_click_fixes_where_they_are_safe(logged_in, variety):
    by_name = {item.name: item for item in variety}

    page = logged_in.get("/troubleshooting").get_data(as_text=True)

    groups = sections(page)
    off = by_name["Off"]
    assert f'action="/integrations/{off.id}/switch"' in groups["switched_off"]
    assert 'name="active" value="on"' in groups["switched_off"]
    assert 'name="status" value="active"' in groups["status"]
    assert "Align: switch on, status active" in groups["disagreement"]
    no_token = by_name["No token"]
    assert (
        f'href="/integrations/{no_token.id}/edit#access_token"'
        in (groups["no_credentials"])
    )
    board = by_name["Board"]
    assert (
        f'href="/integrations/{board.id}/edit#workspace_id"'
        in (groups["scope_pitfall"])
    )
    assert (
        f'href="/integrations/{by_name["Bare"].id}/edit#org_slug"'
        in (groups["no_scope"])
    )
    assert TOKEN not in page


def test_a_fix_posted_from_the_page_comes_back_to_it(logged_in, variety):
    off = next(item for item in variety if item.name == "Off but active")
    token = csrf_token_from(logged_in, "/troubleshooting")

    response = logged_in.post(
        f"/integrations/{off.id}/switch",
        data={"csrf_token": token, "active": "on", "next": "/troubleshooting"},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/troubleshooting"
    db.session.expire_all()
    assert db.session.get(Integration, off.id).active is True
    page = logged_in.get("/troubleshooting").get_data(as_text=True)
    assert off.id not in page


def test_with_nothing_failing_the_page_says_so(logged_in, user):
    factories.make_integration(user, name="Fine", **HEALTHY)

    page = logged_in.get("/troubleshooting").get_data(as_text=True)

    assert "Every integration passes every check." in page
    assert nav_count(page) == 0


# The troubleshoot page of one integration


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"active": False, "status": "inactive"}, ['name="active" value="on"']),
        ({"status": "error"}, ['name="status" value="active"']),
        (
            {"active": False},
            ["Align: switch on, status active", "Align: keep it off, status inactive"],
        ),
        (
            {"status": "pending"},
            ["Align: switch on, status active", "Align: switch off, keep status"],
        ),
    ],
)
def test_troubleshoot_offers_the_switch_fixes(logged_in, user, fields, expected):
    item = factories.make_integration(user, **HEALTHY, **fields)

    page = logged_in.get(f"/integrations/{item.id}/troubleshoot").get_data(as_text=True)

    assert [text for text in expected if text not in page] == []
    assert f'name="next" value="/integrations/{item.id}/troubleshoot"' in page


def test_troubleshoot_links_other_fixes_to_the_field_to_edit(logged_in, user):
    item = factories.make_integration(
        user,
        integration_type="slack",
        auth_data={"expires_at": later(days=-1)},
        scope_data={"org_slug": "acme"},
    )

    page = logged_in.get(f"/integrations/{item.id}/troubleshoot").get_data(as_text=True)

    edit = f"/integrations/{item.id}/edit"
    assert f'href="{edit}#access_token">Add an access token' in page
    assert f'href="{edit}#access_token">Paste a fresh token' in page
    assert f'href="{edit}#workspace_id">Set workspace_id' in page


# The navigation's count


def test_the_navigation_counts_integrations_needing_attention(logged_in, variety):
    page = logged_in.get("/integrations").get_data(as_text=True)

    now = utcnow()
    assert nav_count(page) == sum(health.needs_attention(i, now) for i in variety)
    assert nav_count(page) == 9


def test_the_count_follows_a_change(logged_in, user):
    item = factories.make_integration(user, name="Fine", **HEALTHY)
    assert nav_count(logged_in.get("/integrations").get_data(as_text=True)) == 0
    token = csrf_token_from(logged_in, "/integrations")

    response = logged_in.post(
        f"/integrations/{item.id}/switch",
        data={"csrf_token": token, "active": "off"},
        headers={"HX-Request": "true", "HX-Target": f"row-{item.id}"},
    )

    # The fragment carries the new count out of band, and so does every page.
    assert (
        nav_count(response.get_data(as_text=True).replace(' hx-swap-oob="true"', ""))
        == 1
    )
    assert nav_count(logged_in.get("/integrations").get_data(as_text=True)) == 1


def test_signed_out_pages_have_no_count(client, user):
    page = client.get("/login").get_data(as_text=True)

    assert 'id="attention-link"' not in page


# /troubleshooting/expiry


def expiry_sections(page: str) -> dict[str, str]:
    found = re.findall(r'<section id="([a-z-]+)">(.*?)</section>', page, re.S)
    return dict(found)


def test_expiry_view_sorts_tokens_by_the_seven_day_boundaries(
    logged_in, user, other_user
):
    make = factories.make_integration
    cases = {
        "Expired a month ago": later(days=-30),
        "Expired a minute ago": later(minutes=-1),
        "Expires in a minute": later(minutes=1),
        "Expires in 7 days less a minute": later(days=7, minutes=-1),
        "Expires in 7 days and a minute": later(days=7, minutes=1),
    }
    for name, expires_at in cases.items():
        make(
            user,
            name=name,
            auth_data={
                "access_token": TOKEN,
                "refresh_token": "rt",
                "expires_at": expires_at,
            },
        )
    make(user, name="Token, no refresh", auth_data={"access_token": TOKEN})
    make(user, name="Refresh only", auth_data={"refresh_token": "rt"})
    make(other_user, name="Theirs", auth_data={"access_token": TOKEN})

    response = logged_in.get("/troubleshooting/expiry")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    listed = {
        key: re.findall(r'<td><a href="/integrations/[0-9a-f-]+">(.*?)</a></td>', body)
        for key, body in expiry_sections(page).items()
    }
    assert listed == {
        "expired": ["Expired a month ago", "Expired a minute ago"],
        "expiring": ["Expires in a minute", "Expires in 7 days less a minute"],
        "no-refresh-token": ["Token, no refresh"],
    }
    assert "30 days ago" in page and "in 6 days" in page
    assert TOKEN not in page and "Theirs" not in page


def test_an_empty_expiry_view_says_so(logged_in, user):
    page = logged_in.get("/troubleshooting/expiry").get_data(as_text=True)

    assert "No token has expired." in page
    assert "No token expires within 7 days." in page
    assert "Every stored access token has a refresh token." in page


def test_expiry_view_requires_login(client, user):
    response = client.get("/troubleshooting/expiry")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
