"""Integration pages over HTTP: access, the form and its htmx swap, list, detail."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.models import Integration
from dashboard.timeutil import utcnow

from . import factories
from .conftest import csrf_token_from

SECRET = "tok_live_9f8e7d6c5b4a3210"
HTMX = {"HX-Request": "true"}


def count_integrations() -> int:
    return db.session.scalar(select(func.count(Integration.id)))


def post_new(client, **fields):
    data = {
        "csrf_token": csrf_token_from(client, "/integrations/new"),
        "name": "Ops board",
        "integration_type": "jira",
        "active": "y",
        "status": "active",
        **fields,
    }
    return client.post("/integrations/new", data=data)


def field_errors(page: str, field: str) -> str:
    """The error list rendered right after ``field``'s help text or input."""
    match = re.search(
        rf'<ul id="{field}-errors" class="field-errors">(.*?)</ul>', page, re.S
    )
    assert match, f"no errors shown for {field}"
    return match.group(1)


@pytest.fixture
def mine(user):
    return factories.make_integration(
        user,
        name="Staging errors",
        auth_data={"access_token": SECRET},
        scope_data={"org_slug": "acme"},
    )


@pytest.fixture
def theirs(other_user):
    return factories.make_integration(other_user, name="Not yours")


# Access


@pytest.mark.parametrize(
    "path",
    [
        "/integrations",
        "/integrations/new",
        "/integrations/new?type=slack",
        "/integrations/{id}",
        "/integrations/{id}/troubleshoot",
    ],
)
def test_every_page_requires_login(client, mine, path):
    response = client.get(path.format(id=mine.id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_posting_the_form_requires_login(client, user):
    token = csrf_token_from(client, "/login")

    response = client.post(
        "/integrations/new",
        data={"csrf_token": token, "name": "x", "integration_type": "sentry"},
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert count_integrations() == 0


@pytest.mark.parametrize("suffix", ["", "/troubleshoot"])
def test_another_users_integration_is_not_found(logged_in, theirs, suffix):
    response = logged_in.get(f"/integrations/{theirs.id}{suffix}")

    assert response.status_code == 404
    assert "Not yours" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "integration_id",
    ["not-a-uuid", "1", "%00", str(uuid.uuid4()), "x" * 300, "'; DROP TABLE x;--"],
)
@pytest.mark.parametrize("suffix", ["", "/troubleshoot"])
def test_malformed_or_unknown_ids_are_not_found(logged_in, integration_id, suffix):
    assert logged_in.get(f"/integrations/{integration_id}{suffix}").status_code == 404


def test_an_uppercase_id_still_finds_the_integration(logged_in, mine):
    response = logged_in.get(f"/integrations/{mine.id.upper()}")

    assert response.status_code == 200


# The form and its type swap


def test_new_form_defaults_to_sentry(logged_in):
    page = logged_in.get("/integrations/new").get_data(as_text=True)

    assert 'name="org_slug"' in page
    assert 'name="workspace_id"' not in page
    assert '<option selected value="sentry">' in page
    assert 'name="csrf_token"' in page
    assert 'method="post"' in page


def test_new_form_offers_a_link_per_type_for_browsers_without_javascript(logged_in):
    page = logged_in.get("/integrations/new?type=linear").get_data(as_text=True)

    for slug in ("sentry", "github", "slack", "jira", "linear", "confluence"):
        assert f'href="/integrations/new?type={slug}"' in page
    assert 'href="/integrations/new?type=linear" aria-current="true"' in page
    assert 'name="workspace_id"' in page


def test_an_unknown_type_is_not_found(logged_in):
    assert logged_in.get("/integrations/new?type=Sentry").status_code == 404
    assert logged_in.get("/integrations/new?type=x", headers=HTMX).status_code == 404


def test_htmx_type_change_returns_only_the_fragment(logged_in):
    response = logged_in.get("/integrations/new?integration_type=jira", headers=HTMX)
    fragment = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<html" not in fragment
    assert "<nav" not in fragment
    assert "<form" not in fragment
    assert fragment.lstrip().startswith('<fieldset id="type-fields"')
    assert response.headers["HX-Replace-Url"] == "/integrations/new?type=jira"
    assert "HX-Request" in response.headers["Vary"]


def test_the_full_page_comes_without_the_htmx_header(logged_in):
    response = logged_in.get("/integrations/new?type=jira")
    page = response.get_data(as_text=True)

    assert "<html" in page and "<nav" in page
    assert '<fieldset id="type-fields"' in page
    assert "HX-Replace-Url" not in response.headers
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_history_restore_gets_the_full_page(logged_in):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}

    page = logged_in.get("/integrations/new?type=jira", headers=headers).get_data(
        as_text=True
    )

    assert "<html" in page


@pytest.mark.parametrize(
    ("slug", "present", "absent"),
    [("sentry", "org_slug", "workspace_id"), ("jira", "workspace_id", "org_slug")],
)
def test_fragment_holds_the_types_scope_field(logged_in, slug, present, absent):
    fragment = logged_in.get(f"/integrations/new?type={slug}", headers=HTMX).get_data(
        as_text=True
    )

    assert f'name="{present}"' in fragment
    assert f'name="{absent}"' not in fragment
    assert f'name="shown_type" type="hidden" value="{slug}"' in fragment


def test_fragment_updates_the_type_links_out_of_band(logged_in):
    fragment = logged_in.get("/integrations/new?type=slack", headers=HTMX).get_data(
        as_text=True
    )

    assert 'id="type-switch"' in fragment and 'hx-swap-oob="true"' in fragment
    assert 'href="/integrations/new?type=slack" aria-current="true"' in fragment


def test_type_select_sends_only_the_type(logged_in):
    page = logged_in.get("/integrations/new").get_data(as_text=True)

    select_tag = re.search(r'<select[^>]*name="integration_type"[^>]*>', page).group(0)
    assert 'hx-get="/integrations/new"' in select_tag
    assert 'hx-params="integration_type"' in select_tag
    assert 'hx-target="#type-fields"' in select_tag
    assert 'hx-swap="outerHTML"' in select_tag


# Saving


def test_saving_redirects_to_the_new_integration(logged_in, user):
    response = post_new(
        logged_in,
        workspace_id="acme",
        project_id="OPS",
        access_token=SECRET,
        expires_at="2030-01-31T17:45",
        tags="ops, team-a",
        description="Board",
    )

    assert response.status_code == 303
    saved = db.session.scalars(select(Integration)).one()
    assert response.headers["Location"] == f"/integrations/{saved.id}"
    assert saved.owner_id == user.id
    assert saved.created_via == "dashboard"
    assert saved.integration_type == "jira"
    assert saved.workspace_id == "acme"
    assert saved.tags == ["ops", "team-a"]
    assert saved.expires_at.isoformat() == "2030-01-31T17:45:00+00:00"
    assert SECRET not in (saved.access_token_encrypted or "")


def test_saving_flashes_the_warnings(logged_in):
    response = post_new(logged_in, active="", status="active")

    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved “Ops board”." in page
    assert "scope_data.workspace_id is empty" in page
    assert "switched off" in page


def test_an_unticked_switch_saves_as_off(logged_in):
    post_new(logged_in, active="", status="inactive")

    assert db.session.scalars(select(Integration)).one().active is False


def test_errors_show_next_to_fields_and_keep_what_was_typed(logged_in):
    response = post_new(
        logged_in,
        name="n" * 256,
        expires_at="next tuesday",
        workspace_id="acme-site",
        tags="ops, team-a",
        access_token=SECRET,
        refresh_token=SECRET + "-refresh",
    )
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "at most 255 characters" in field_errors(page, "name")
    assert "2030-01-31 17:45" in field_errors(page, "expires_at")
    assert 'value="acme-site"' in page
    assert 'value="ops, team-a"' in page
    assert 'value="next tuesday"' in page
    assert SECRET not in page
    assert "Nothing was saved" in page
    assert "type them again" in page
    assert count_integrations() == 0


def test_error_summary_does_not_mention_tokens_when_none_were_typed(logged_in):
    page = post_new(logged_in, name="n" * 256).get_data(as_text=True)

    assert "Nothing was saved" in page
    assert "type them again" not in page


def test_missing_csrf_token_is_refused(logged_in):
    response = logged_in.post(
        "/integrations/new", data={"name": "x", "integration_type": "sentry"}
    )

    assert response.status_code == 400
    assert count_integrations() == 0


def test_a_wrong_csrf_token_is_refused(logged_in):
    response = logged_in.post(
        "/integrations/new",
        data={"csrf_token": "forged", "name": "x", "integration_type": "sentry"},
    )

    assert response.status_code == 400
    assert count_integrations() == 0


def test_a_duplicate_identifier_links_to_the_existing_one(logged_in, user):
    existing = factories.make_integration(user, unique_identifier="ops-board")

    response = post_new(logged_in, unique_identifier="ops-board", access_token=SECRET)
    page = response.get_data(as_text=True)

    assert response.status_code == 409
    assert f'href="/integrations/{existing.id}"' in field_errors(
        page, "unique_identifier"
    )
    assert SECRET not in page
    assert count_integrations() == 1


def test_another_users_identifier_is_no_duplicate(logged_in, other_user):
    factories.make_integration(other_user, unique_identifier="ops-board")

    assert post_new(logged_in, unique_identifier="ops-board").status_code == 303


def test_a_type_changed_without_javascript_shows_its_fields_first(logged_in):
    response = post_new(logged_in, integration_type="sentry", shown_type="jira")
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "The type is now Sentry" in page
    assert 'name="org_slug"' in page
    assert count_integrations() == 0


def test_a_posted_unknown_type_is_an_error_not_a_crash(logged_in):
    response = post_new(logged_in, integration_type="Jira")

    assert response.status_code == 422
    assert "&#39;sentry&#39;" in field_errors(
        response.get_data(as_text=True), "integration_type"
    )


def test_no_typed_value_goes_into_a_url(logged_in):
    response = post_new(logged_in, access_token=SECRET, workspace_id="acme")

    assert SECRET not in response.headers["Location"]
    assert "acme" not in response.headers["Location"]


# The list


def _make_list(owner):
    soon = (utcnow() + timedelta(days=2)).isoformat()
    factories.make_integration(
        owner,
        name="Alpha healthy",
        auth_data={"access_token": SECRET},
        scope_data={"org_slug": "acme"},
    )
    factories.make_integration(
        owner, name="Beta bare", integration_type="jira", status="pending", active=False
    )
    factories.make_integration(
        owner,
        name="Gamma expiring",
        integration_type="slack",
        auth_data={"access_token": "short", "expires_at": soon},
        scope_data={"workspace_id": "T1"},
    )


def _listed_names(page: str) -> list[str]:
    return re.findall(r'<a href="/integrations/[0-9a-f-]{36}">([^<]+)</a>', page)


def test_list_shows_names_types_and_badges(logged_in, user):
    _make_list(user)

    page = logged_in.get("/integrations").get_data(as_text=True)

    assert _listed_names(page) == ["Alpha healthy", "Beta bare", "Gamma expiring"]
    for text in ("Healthy", "No credentials", "No scope", "Expiring soon", "Pending"):
        assert text in page
    assert "Jira" in page and "Slack" in page
    assert SECRET not in page


def test_list_shows_only_the_users_integrations(logged_in, user, theirs):
    _make_list(user)

    assert "Not yours" not in logged_in.get("/integrations").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=jira", ["Beta bare"]),
        ("status=active", ["Alpha healthy", "Gamma expiring"]),
        ("needs_attention=y", ["Beta bare", "Gamma expiring"]),
        ("q=ALPHA", ["Alpha healthy"]),
        ("type=slack&needs_attention=y", ["Gamma expiring"]),
        ("type=nope&status=nope", ["Alpha healthy", "Beta bare", "Gamma expiring"]),
    ],
)
def test_list_filters(logged_in, user, query, expected):
    _make_list(user)

    page = logged_in.get(f"/integrations?{query}").get_data(as_text=True)

    assert _listed_names(page) == expected


def test_a_filter_with_no_match_says_so(logged_in, user):
    _make_list(user)

    page = logged_in.get("/integrations?q=zzz").get_data(as_text=True)

    assert "No integration matches these filters" in page


def test_empty_list_explains_how_to_add_one(logged_in):
    page = logged_in.get("/integrations").get_data(as_text=True)

    assert "No integrations yet" in page
    assert 'href="/integrations/new"' in page
    assert "/api/v2/integrations/save" in page


def test_list_is_paginated_and_keeps_the_filters(app, logged_in, user):
    app.config["PAGE_SIZE"] = 2
    for number in range(5):
        factories.make_integration(user, name=f"item {number}", integration_type="jira")
    factories.make_integration(user, name="other type")

    first = logged_in.get("/integrations?type=jira").get_data(as_text=True)
    last = logged_in.get("/integrations?type=jira&page=3").get_data(as_text=True)

    assert _listed_names(first) == ["item 0", "item 1"]
    assert "Page 1 of 3" in first
    assert 'href="/integrations?page=2&amp;type=jira"' in first
    assert _listed_names(last) == ["item 4"]


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999999999", "9" * 5000])
def test_odd_page_numbers_never_fail(app, logged_in, user, page):
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        factories.make_integration(user, name=f"item {number}")

    response = logged_in.get(f"/integrations?page={page}")

    assert response.status_code == 200
    assert len(_listed_names(response.get_data(as_text=True))) in (1, 2)


def test_odd_search_text_never_fails(logged_in, user):
    _make_list(user)

    for query in ("%00", "%", "_", "%FF%FE", "\\", "'"):
        assert logged_in.get(f"/integrations?q={query}").status_code == 200


# Detail and troubleshooting


def test_detail_shows_the_last_four_of_a_long_secret_only(logged_in, mine):
    page = logged_in.get(f"/integrations/{mine.id}").get_data(as_text=True)

    assert SECRET[-4:] in page
    assert SECRET not in page
    assert SECRET[:-4] not in page
    assert "acme" in page
    assert f'href="/integrations/{mine.id}/troubleshoot"' in page


def test_detail_hides_all_of_a_short_secret(logged_in, user):
    short = factories.make_integration(user, auth_data={"access_token": "tok_abcdefg"})

    page = logged_in.get(f"/integrations/{short.id}").get_data(as_text=True)

    assert "tok_abcdefg" not in page
    assert "defg" not in page
    assert "Set on" in page


def test_detail_shows_expiry_in_utc_and_metadata(logged_in, user):
    item = factories.make_integration(
        user,
        auth_data={"expires_at": "2030-01-31T18:45:00+01:00"},
        metadata={"tags": ["ops", "team-a"], "version": "7", "description": "About"},
    )

    page = logged_in.get(f"/integrations/{item.id}").get_data(as_text=True)

    assert "2030-01-31 17:45 UTC" in page
    assert 'datetime="2030-01-31T17:45:00+00:00"' in page
    for text in ("ops", "team-a", "About", "api"):
        assert text in page


def test_troubleshoot_of_a_healthy_integration_says_so(logged_in, mine):
    page = logged_in.get(f"/integrations/{mine.id}/troubleshoot").get_data(as_text=True)

    assert "All 9 checks pass" in page
    assert "Fix:" not in page
    assert SECRET not in page


def test_troubleshoot_counts_failures_and_words_fixes_for_sentry(logged_in, user):
    item = factories.make_integration(user, scope_data={"workspace_id": "acme"})

    page = logged_in.get(f"/integrations/{item.id}/troubleshoot").get_data(as_text=True)

    assert "2 of 9 checks fail" in page
    assert "Put the value in org_slug" in page
    assert "Add an access token from Sentry" in page


def test_troubleshoot_words_fixes_for_jira(logged_in, user):
    item = factories.make_integration(
        user,
        integration_type="jira",
        auth_data={"access_token": SECRET},
        scope_data={"project_id": "OPS"},
    )

    page = logged_in.get(f"/integrations/{item.id}/troubleshoot").get_data(as_text=True)

    assert "2 of 9 checks fail" in page
    assert "Add workspace_id" in page
    assert "Only project_id is set" in page
    assert "Add org_slug" not in page


def test_signed_out_htmx_request_is_told_to_load_the_login_page(client):
    response = client.get(
        "/integrations/new?type=jira",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://localhost/integrations/new?type=sentry",
        },
    )

    assert response.status_code == 401
    assert response.get_data(as_text=True) == ""
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert "type%3Dsentry" in response.headers["HX-Redirect"]


def test_the_form_saves_an_instance_name_and_an_authorisation_code(logged_in, user):
    response = post_new(logged_in, instance_name="Ops (EU)", code="auth-code-0001")

    assert response.status_code == 303
    saved = db.session.scalar(select(Integration))
    assert saved.instance_name == "Ops (EU)"
    assert saved.code_encrypted is not None
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ops (EU)" in page
    assert "auth-code-0001" not in page


def test_secret_inputs_ask_browsers_not_to_fill_in_a_saved_password(logged_in):
    page = logged_in.get("/integrations/new").get_data(as_text=True)

    for name in ("access_token", "refresh_token", "code"):
        assert f'autocomplete="new-password" id="{name}" name="{name}"' in page
