"""Editing, switching, status changes, deleting and history, over HTTP."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.integrations import history
from dashboard.models import AuditEntry, Integration

from . import factories
from .conftest import csrf_token_from

TOKEN = "tok_live_abcdef0123456789"
REFRESH = "rt_live_zyxwvu9876543210"
NEW_TOKEN = "tok_live_fedcba9876543210"
HTMX = {"HX-Request": "true"}


class BrowserForm(HTMLParser):
    """Read one form's fields from a page the way a browser would submit them."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind == "checkbox" and "checked" not in attrs:
                return
            self.fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self._select, self._first_option, self._selected = (
                attrs["name"],
                None,
                False,
            )
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value", "")
            if "selected" in attrs:
                self.fields.append((self._select, attrs.get("value", "")))
                self._selected = True
        elif tag == "textarea":
            self._textarea, self._text = attrs["name"], ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            if not self._selected:
                self.fields.append((self._select, self._first_option or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline right after <textarea> and send CRLF.
            text = self._text.removeprefix("\r\n").removeprefix("\n")
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
            self.fields.append((self._textarea, text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def browser_submission(page: str, action: str) -> dict[str, str]:
    parser = BrowserForm(action)
    parser.feed(page)
    assert parser.fields, f"no form posting to {action}"
    return dict(parser.fields)


def entries(integration) -> list[AuditEntry]:
    return history.entries_for(db.session, integration)


def reloaded(integration) -> Integration | None:
    db.session.expire_all()
    return db.session.get(Integration, integration.id)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def sentry(user):
    return factories.make_integration(
        user,
        name="Staging errors",
        auth_data={
            "access_token": TOKEN,
            "refresh_token": REFRESH,
            "expires_at": "2030-01-01T10:00:30.123456Z",
            "scope": "org:read",
        },
        scope_data={"org_slug": "acme", "project_id": "42"},
        metadata={"description": "line one\r\nline two", "tags": ["a", "b"]},
    )


@pytest.fixture
def theirs(other_user):
    return factories.make_integration(
        other_user, name="Not yours", auth_data={"access_token": TOKEN}
    )


def edit_page(client, integration) -> str:
    response = client.get(f"/integrations/{integration.id}/edit")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_edit(client, integration, **changes):
    """Submit the edit form as a browser would, with ``changes`` typed in."""
    action = f"/integrations/{integration.id}/edit"
    fields = browser_submission(edit_page(client, integration), action)
    fields.update(changes)
    fields = {name: value for name, value in fields.items() if value is not None}
    return client.post(action, data=fields)


def post_button(client, path, **fields):
    token = csrf_token_from(client, "/integrations")
    return client.post(path, data={"csrf_token": token, **fields})


# Access: login, ownership and CSRF on every new route

GET_ROUTES = [
    "/integrations/{id}/edit",
    "/integrations/{id}/delete",
    "/integrations/{id}/secrets/clear?secret=access_token",
]
POST_ROUTES = [
    ("/integrations/{id}/edit", {"name": "x", "integration_type": "sentry"}),
    ("/integrations/{id}/switch", {"active": "off"}),
    ("/integrations/{id}/status", {"status": "error"}),
    ("/integrations/{id}/delete", {"confirm": "delete"}),
    (
        "/integrations/{id}/secrets/clear",
        {"secret": "access_token", "confirm": "clear"},
    ),
]


@pytest.mark.parametrize("path", [*GET_ROUTES, "/troubleshooting"])
def test_pages_require_login(client, sentry, path):
    response = client.get(path.format(id=sentry.id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("path", "fields"), POST_ROUTES)
def test_posts_require_login_and_change_nothing(client, sentry, path, fields):
    before = history.snapshot(sentry)
    token = csrf_token_from(client, "/login")

    response = client.post(
        path.format(id=sentry.id), data={"csrf_token": token, **fields}
    )

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert history.snapshot(reloaded(sentry)) == before


@pytest.mark.parametrize("path", GET_ROUTES)
def test_another_users_integration_is_not_found(logged_in, theirs, path):
    response = logged_in.get(path.format(id=theirs.id))

    assert response.status_code == 404
    assert "Not yours" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("path", "fields"), POST_ROUTES)
def test_posting_to_another_users_integration_is_not_found(
    logged_in, theirs, path, fields
):
    before = history.snapshot(theirs)

    response = post_button(logged_in, path.format(id=theirs.id), **fields)

    assert response.status_code == 404
    assert history.snapshot(reloaded(theirs)) == before
    assert len(entries(theirs)) == 1


@pytest.mark.parametrize(("path", "fields"), POST_ROUTES)
def test_posts_without_csrf_token_are_refused(logged_in, sentry, path, fields):
    before = history.snapshot(sentry)

    response = logged_in.post(path.format(id=sentry.id), data=fields)

    assert response.status_code == 400
    assert history.snapshot(reloaded(sentry)) == before


@pytest.mark.parametrize(("path", "fields"), POST_ROUTES)
def test_htmx_posts_need_the_csrf_header_too(logged_in, sentry, path, fields):
    response = logged_in.post(path.format(id=sentry.id), data=fields, headers=HTMX)

    assert response.status_code == 400
    assert reloaded(sentry) is not None


# Edit: the form, prefilled


def test_edit_form_is_prefilled_but_never_with_a_secret(logged_in, sentry):
    page = edit_page(logged_in, sentry)
    fields = browser_submission(page, f"/integrations/{sentry.id}/edit")

    assert fields["name"] == "Staging errors"
    assert fields["org_slug"] == "acme" and fields["project_id"] == "42"
    assert fields["expires_at"] == "2030-01-01T10:00:30"
    assert fields["tags"] == "a, b"
    assert fields["description"] == "line one\r\nline two"
    assert fields["access_token"] == fields["refresh_token"] == fields["code"] == ""
    assert TOKEN not in page and REFRESH not in page
    assert "…6789" in page  # the last four, as on the detail page


def test_saving_the_form_unchanged_changes_nothing(logged_in, sentry):
    before = history.snapshot(sentry)

    response = post_edit(logged_in, sentry)

    assert response.status_code == 303
    assert history.snapshot(reloaded(sentry)) == before
    assert [entry.action for entry in entries(sentry)] == ["created"]


def test_every_field_change_is_saved_and_shown_after_a_reload(logged_in, sentry):
    response = post_edit(
        logged_in,
        sentry,
        name="Production errors",
        status="pending",
        active=None,  # unticked: a browser sends nothing
        unique_identifier="prod-errors",
        token_type="Token",
        expires_at="2031-02-03T04:05",
        scope="org:write",
        org_slug="acme-prod",
        project_id="43",
        installation_id="inst-9",
        instance_name="Acme production",
        description="First\r\nSecond",
        tags="prod, team-b",
        version="2.1",
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/integrations/{sentry.id}"
    saved = reloaded(sentry)
    assert (saved.name, saved.status, saved.active) == (
        "Production errors",
        "pending",
        False,
    )
    assert saved.unique_identifier == "prod-errors"
    assert (saved.token_type, saved.scope) == ("Token", "org:write")
    assert saved.expires_at == datetime(2031, 2, 3, 4, 5, tzinfo=UTC)
    assert (saved.org_slug, saved.project_id, saved.installation_id) == (
        "acme-prod",
        "43",
        "inst-9",
    )
    assert saved.instance_name == "Acme production"
    assert saved.description == "First\nSecond"
    assert saved.tags == ["prod", "team-b"]
    assert saved.version == "2.1"
    assert saved.created_via == "api"  # where it came from does not change

    page = logged_in.get(f"/integrations/{sentry.id}").get_data(as_text=True)
    shown = ("Production errors", "prod-errors", "acme-prod", "inst-9",
             "Acme production", "team-b", "2.1", "2031-02-03 04:05 UTC")  # fmt: skip
    assert [value for value in shown if value not in page] == []


def test_edit_page_after_a_change_shows_the_new_values(logged_in, sentry):
    post_edit(logged_in, sentry, project_id="", tags="", version="3")

    fields = browser_submission(
        edit_page(logged_in, sentry), f"/integrations/{sentry.id}/edit"
    )
    assert fields["project_id"] == "" and fields["tags"] == ""
    assert fields["version"] == "3"
    saved = reloaded(sentry)
    assert saved.project_id is None and saved.tags == []


def test_an_untouched_expiry_keeps_its_exact_stored_value(logged_in, sentry):
    stored = sentry.expires_at

    post_edit(logged_in, sentry, name="Renamed")

    assert reloaded(sentry).expires_at == stored
    assert stored.microsecond == 123456


def test_an_instance_name_equal_to_the_name_follows_a_rename(logged_in, user):
    item = factories.make_integration(user, name="Board", integration_type="jira")

    post_edit(logged_in, item, name="Roadmap board")

    assert reloaded(item).instance_name == "Roadmap board"


def test_changes_are_recorded_with_old_and_new_values(logged_in, sentry):
    post_edit(logged_in, sentry, name="Renamed", tags="a, c")

    latest = entries(sentry)[0]
    assert latest.action == "edited"
    assert (latest.actor, latest.via) == ("owner@example.com", "dashboard")
    assert latest.changes == {
        "name": {"old": "Staging errors", "new": "Renamed"},
        "instance_name": {"old": "Staging errors", "new": "Renamed"},
        "tags": {"old": ["a", "b"], "new": ["a", "c"]},
    }


def test_an_empty_post_is_an_error_and_changes_nothing(logged_in, sentry):
    before = history.snapshot(sentry)

    response = post_button(logged_in, f"/integrations/{sentry.id}/edit")

    assert response.status_code == 422
    assert history.snapshot(reloaded(sentry)) == before


def test_errors_keep_what_was_typed_but_never_the_secret(logged_in, sentry):
    before = history.snapshot(sentry)

    response = post_edit(
        logged_in, sentry, name="", version="9", access_token=NEW_TOKEN
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field cannot be empty." in page
    assert 'value="9"' in page
    assert NEW_TOKEN not in page
    assert "type them again" in page
    assert history.snapshot(reloaded(sentry)) == before


def test_a_taken_identifier_links_to_the_integration_holding_it(
    logged_in, user, sentry
):
    holder = factories.make_integration(user, name="Holder", unique_identifier="one")

    response = post_edit(logged_in, sentry, unique_identifier="one")

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert f'href="/integrations/{holder.id}"' in page
    assert reloaded(sentry).unique_identifier == f"sentry-{sentry.id}"


def test_saving_flashes_the_warnings(logged_in, sentry):
    response = post_edit(logged_in, sentry, org_slug="", status="error")

    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "scope_data.org_slug is empty" in page
    assert "active is true but status is" in page


@pytest.mark.parametrize("door", ["edit", "new"])
def test_a_likely_duplicate_is_flagged_with_a_link(logged_in, user, sentry, door):
    other = factories.make_integration(
        user, name="Other errors", scope_data={"org_slug": "elsewhere"}
    )

    if door == "edit":
        response = post_edit(logged_in, other, org_slug="acme")
    else:
        token = csrf_token_from(logged_in, "/integrations/new")
        response = logged_in.post(
            "/integrations/new",
            data={
                "csrf_token": token,
                "name": "Third",
                "integration_type": "sentry",
                "org_slug": "acme",
                "active": "y",
            },
        )

    assert response.status_code == 303
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Likely duplicate" in page
    assert f'<a href="/integrations/{sentry.id}">Open “Staging errors”</a>' in page


# Secrets: blank keeps, a value replaces, clearing is its own action


def stored_secret(integration, field) -> str | None:
    from dashboard.integrations.service import key_ring

    encrypted = getattr(reloaded(integration), f"{field}_encrypted")
    return key_ring().decrypt(encrypted) if encrypted else None


def test_a_blank_secret_field_keeps_the_stored_secret(logged_in, sentry):
    post_edit(logged_in, sentry, name="Renamed", access_token="", refresh_token="")

    assert stored_secret(sentry, "access_token") == TOKEN
    assert stored_secret(sentry, "refresh_token") == REFRESH
    assert "access_token" not in entries(sentry)[0].changes


def test_a_typed_secret_replaces_the_stored_one(logged_in, sentry):
    response = post_edit(logged_in, sentry, access_token=NEW_TOKEN)

    assert response.status_code == 303
    assert stored_secret(sentry, "access_token") == NEW_TOKEN
    assert stored_secret(sentry, "refresh_token") == REFRESH
    latest = entries(sentry)[0]
    assert latest.action == "secrets rotated"
    assert latest.changes == {"access_token": {"secret": "changed"}}


def test_a_secret_can_be_set_for_the_first_time(logged_in, sentry):
    post_edit(logged_in, sentry, code="auth-code-123")

    assert stored_secret(sentry, "code") == "auth-code-123"
    assert entries(sentry)[0].changes == {"code": {"secret": "set"}}


def test_clearing_asks_first_and_says_what_is_lost(logged_in, sentry):
    response = logged_in.get(
        f"/integrations/{sentry.id}/secrets/clear?secret=access_token"
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Clear the access token" in page
    assert "cannot call Sentry" in page
    assert TOKEN not in page
    assert stored_secret(sentry, "access_token") == TOKEN


def test_the_edit_page_links_to_clearing_each_stored_secret(logged_in, sentry):
    page = edit_page(logged_in, sentry)

    base = f"/integrations/{sentry.id}/secrets/clear?secret="
    assert base + "access_token" in page and base + "refresh_token" in page
    assert base + "code" not in page  # nothing stored, nothing to clear


def test_clearing_a_secret_removes_only_it(logged_in, sentry):
    before = history.snapshot(sentry)

    response = post_button(
        logged_in,
        f"/integrations/{sentry.id}/secrets/clear",
        secret="refresh_token",
        confirm="clear",
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/integrations/{sentry.id}/edit"
    assert stored_secret(sentry, "refresh_token") is None
    assert stored_secret(sentry, "access_token") == TOKEN
    after = history.snapshot(reloaded(sentry))
    assert {k: v for k, v in after.items() if k != "refresh_token"} == {
        k: v for k, v in before.items() if k != "refresh_token"
    }
    latest = entries(sentry)[0]
    assert latest.action == "secret cleared"
    assert latest.changes == {"refresh_token": {"secret": "cleared"}}


@pytest.mark.parametrize(
    "fields",
    [
        {"secret": "access_token"},
        {"secret": "access_token", "confirm": "yes"},
        {"secret": "password", "confirm": "clear"},
        {"secret": "access_token_encrypted", "confirm": "clear"},
        {},
    ],
)
def test_clearing_without_confirmation_or_a_known_secret_is_refused(
    logged_in, sentry, fields
):
    response = post_button(
        logged_in, f"/integrations/{sentry.id}/secrets/clear", **fields
    )

    assert response.status_code == 400
    assert stored_secret(sentry, "access_token") == TOKEN
    assert len(entries(sentry)) == 1


def test_the_confirmation_page_of_an_unknown_secret_is_not_found(logged_in, sentry):
    response = logged_in.get(f"/integrations/{sentry.id}/secrets/clear?secret=name")

    assert response.status_code == 404


def test_clearing_a_secret_that_is_not_stored_records_nothing(logged_in, sentry):
    post_button(
        logged_in,
        f"/integrations/{sentry.id}/secrets/clear",
        secret="code",
        confirm="clear",
    )

    assert len(entries(sentry)) == 1


# Changing the type while editing


def test_htmx_type_change_on_edit_returns_the_types_fields(logged_in, sentry):
    response = logged_in.get(
        f"/integrations/{sentry.id}/edit?integration_type=slack", headers=HTMX
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<fieldset id="type-fields"')
    assert 'name="workspace_id"' in page
    # Stored fields Slack does not read stay visible so nothing is lost unseen.
    assert 'name="org_slug"' in page and 'value="acme"' in page
    assert "not read by Slack" in page
    assert 'hx-swap-oob="true"' in page
    assert f"/integrations/{sentry.id}/edit?type=jira" in page
    assert response.headers["HX-Replace-Url"] == (
        f"/integrations/{sentry.id}/edit?type=slack"
    )
    assert "HX-Request" in response.headers["Vary"]


def test_type_links_on_edit_work_without_javascript(logged_in, sentry):
    response = logged_in.get(f"/integrations/{sentry.id}/edit?type=github")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page
    assert '<option selected value="github">' in page
    assert 'name="workspace_id"' in page


def test_an_unknown_type_on_edit_is_not_found(logged_in, sentry):
    response = logged_in.get(f"/integrations/{sentry.id}/edit?type=gitlab")

    assert response.status_code == 404


def test_a_type_changed_without_javascript_asks_to_check_its_fields(logged_in, sentry):
    before = history.snapshot(sentry)

    response = post_edit(logged_in, sentry, integration_type="slack")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The type is now Slack" in page
    assert history.snapshot(reloaded(sentry)) == before


def test_changing_the_type_saves_and_can_clear_the_unread_field(logged_in, sentry):
    action = f"/integrations/{sentry.id}/edit"
    page = logged_in.get(f"{action}?type=slack").get_data(as_text=True)
    fields = browser_submission(page, action)
    fields.update(workspace_id="T024BE7LD", org_slug="")

    response = logged_in.post(action, data=fields)

    assert response.status_code == 303
    saved = reloaded(sentry)
    assert saved.integration_type == "slack"
    assert (saved.workspace_id, saved.org_slug) == ("T024BE7LD", None)
    assert saved.project_id == "42"
    assert stored_secret(sentry, "access_token") == TOKEN


def test_a_scope_field_the_type_does_not_read_is_kept_by_an_edit(logged_in, user):
    slack = factories.make_integration(
        user,
        name="Chat",
        integration_type="slack",
        scope_data={"workspace_id": "T1", "installation_id": "I1", "org_slug": "o"},
    )

    post_edit(logged_in, slack, name="Chat ops")

    saved = reloaded(slack)
    assert (saved.name, saved.installation_id, saved.org_slug) == (
        "Chat ops",
        "I1",
        "o",
    )


# Switch and status: one click, htmx fragments, plain posts


def test_switching_off_without_javascript_redirects_back(logged_in, sentry):
    response = post_button(
        logged_in,
        f"/integrations/{sentry.id}/switch",
        active="off",
        next="/integrations?type=sentry&page=1",
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/integrations?type=sentry&page=1"
    assert reloaded(sentry).active is False
    latest = entries(sentry)[0]
    assert latest.action == "switched off"
    assert latest.changes == {"active": {"old": True, "new": False}}
    assert (latest.actor, latest.via) == ("owner@example.com", "dashboard")
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Staging errors” is switched off." in page


@pytest.mark.parametrize(
    "unsafe", ["//evil.example/", "https://evil.example/", "/\\evil.example", ""]
)
def test_an_unsafe_next_falls_back_to_the_detail_page(logged_in, sentry, unsafe):
    response = post_button(
        logged_in, f"/integrations/{sentry.id}/switch", active="off", next=unsafe
    )

    assert response.headers["Location"] == f"/integrations/{sentry.id}"


def test_htmx_switch_from_the_list_returns_the_updated_row(logged_in, sentry):
    token = csrf_token_from(logged_in, "/integrations")

    response = logged_in.post(
        f"/integrations/{sentry.id}/switch",
        data={"active": "off", "next": "/integrations?page=2"},
        headers={**HTMX, "X-CSRFToken": token, "HX-Target": f"row-{sentry.id}"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith(f'<tr id="row-{sentry.id}">')
    assert "<html" not in page and "<nav" not in page
    assert '<span class="badge badge-muted">Off</span>' in page
    assert "Switch and status disagree" in page  # a health badge
    assert ">Switch on<" in page
    assert 'name="next" value="/integrations?page=2"' in page
    assert 'id="attention-link" href="/troubleshooting" hx-swap-oob="true"' in page
    assert reloaded(sentry).active is False
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_status_change_from_the_detail_page_returns_the_header(logged_in, sentry):
    token = csrf_token_from(logged_in, f"/integrations/{sentry.id}")

    response = logged_in.post(
        f"/integrations/{sentry.id}/status",
        data={"status": "pending"},
        headers={**HTMX, "X-CSRFToken": token, "HX-Target": "integration-header"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="integration-header"')
    assert "Status: pending" in page
    assert "Switch and status disagree" in page
    # The history below the header is refreshed out of band, newest first.
    assert '<section id="history" class="history" hx-swap-oob="true">' in page
    assert page.index("Status changed") < page.index("Created")
    assert "<html" not in page
    assert reloaded(sentry).status == "pending"


def test_the_list_row_is_its_own_partial(logged_in, sentry):
    page = logged_in.get("/integrations").get_data(as_text=True)

    row = re.search(rf'<tr id="row-{sentry.id}">.*?</tr>', page, re.S).group(0)
    assert f'hx-post="/integrations/{sentry.id}/switch"' in row
    assert f'hx-target="#row-{sentry.id}"' in row
    assert 'hx-swap="outerHTML"' in row
    assert f'action="/integrations/{sentry.id}/status"' in row
    assert f'href="/integrations/{sentry.id}/edit"' in row
    assert f'action="/integrations/{sentry.id}/delete"' in row
    assert 'name="csrf_token"' in row  # for browsers without JavaScript


def test_the_detail_page_offers_edit_switch_status_and_delete(logged_in, sentry):
    page = logged_in.get(f"/integrations/{sentry.id}").get_data(as_text=True)

    assert f'hx-post="/integrations/{sentry.id}/switch"' in page
    assert 'hx-target="#integration-header"' in page
    assert f'action="/integrations/{sentry.id}/status"' in page
    assert f'href="/integrations/{sentry.id}/edit"' in page
    assert f'href="/integrations/{sentry.id}/delete"' in page


def test_setting_a_status_without_javascript_redirects_to_the_detail(logged_in, sentry):
    response = post_button(
        logged_in, f"/integrations/{sentry.id}/status", status="error"
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"/integrations/{sentry.id}"
    assert reloaded(sentry).status == "error"
    assert entries(sentry)[0].changes == {"status": {"old": "active", "new": "error"}}


def test_aligning_switches_on_and_sets_active_in_one_entry(logged_in, user):
    item = factories.make_integration(user, active=False, status="pending")

    post_button(
        logged_in, f"/integrations/{item.id}/switch", active="on", status="active"
    )

    saved = reloaded(item)
    assert (saved.active, saved.status) == (True, "active")
    assert entries(item)[0].changes == {
        "status": {"old": "pending", "new": "active"},
        "active": {"old": False, "new": True},
    }


@pytest.mark.parametrize(
    ("path", "fields", "message"),
    [
        ("status", {"status": "Active"}, "Status must be one of active, inactive"),
        ("status", {"status": ""}, "Status must be one of"),
        ("status", {}, "Status must be one of"),
        ("status", {"status": "x" * 5000}, "Status must be one of"),
        ("switch", {"active": "yes"}, "Say &#34;on&#34; or &#34;off&#34;."),
        ("switch", {}, "Say &#34;on&#34; or &#34;off&#34;."),
        ("switch", {"active": "on", "status": "done"}, "Status must be one of"),
    ],
)
def test_bad_values_are_refused_and_change_nothing(
    logged_in, sentry, path, fields, message
):
    before = history.snapshot(sentry)

    response = post_button(logged_in, f"/integrations/{sentry.id}/{path}", **fields)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert history.snapshot(reloaded(sentry)) == before
    assert len(entries(sentry)) == 1


def test_switching_to_the_current_state_records_nothing(logged_in, sentry):
    post_button(logged_in, f"/integrations/{sentry.id}/switch", active="on")

    assert len(entries(sentry)) == 1


# Delete: a confirmation that says what is lost, then the deletion


def test_delete_asks_first_and_says_what_is_lost(logged_in, sentry):
    response = logged_in.get(f"/integrations/{sentry.id}/delete")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Delete “Staging errors”?" in page
    assert "access token, refresh token" in page
    assert "authorisation code" not in page  # not stored, so not lost
    assert "history of its changes stays" in page
    assert TOKEN not in page and REFRESH not in page
    assert reloaded(sentry) is not None


def test_deleting_removes_it_keeps_its_history_and_returns_to_the_list(
    logged_in, sentry
):
    integration_id = sentry.id

    response = post_button(
        logged_in, f"/integrations/{integration_id}/delete", confirm="delete"
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/integrations"
    assert "Deleted “Staging errors”" in logged_in.get("/integrations").get_data(
        as_text=True
    )
    assert logged_in.get(f"/integrations/{integration_id}").status_code == 404
    kept = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.integration_id == integration_id)
        .order_by(AuditEntry.id)
    ).all()
    assert [entry.action for entry in kept] == ["created", "deleted"]
    assert (kept[1].actor, kept[1].via) == ("owner@example.com", "dashboard")


@pytest.mark.parametrize("fields", [{}, {"confirm": "yes"}, {"confirm": "DELETE"}])
def test_deleting_without_the_confirmation_is_refused(logged_in, sentry, fields):
    response = post_button(logged_in, f"/integrations/{sentry.id}/delete", **fields)

    assert response.status_code == 400
    assert "Confirm on the confirmation page first." in response.get_data(as_text=True)
    assert count(Integration) == 1


# History on the detail page


def test_detail_shows_the_history_newest_first(logged_in, sentry):
    post_edit(logged_in, sentry, name="Renamed", access_token=NEW_TOKEN)
    post_button(logged_in, f"/integrations/{sentry.id}/switch", active="off")

    page = logged_in.get(f"/integrations/{sentry.id}").get_data(as_text=True)
    section = re.search(r'<section id="history".*?</section>', page, re.S).group(0)

    actions = re.findall(r"<strong>(.*?)</strong>", section)
    assert actions == ["Switched off", "Edited", "Created"]
    assert "by owner@example.com via dashboard" in section
    assert "by owner@example.com via api" in section
    assert re.search(r"<code>name</code>:\s*Staging errors → Renamed", section)
    assert re.search(r"<code>active</code>:\s*on → off", section)
    assert re.search(r"<code>access_token</code>:\s*changed", section)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", section)
    for secret in (TOKEN, NEW_TOKEN, REFRESH):
        assert secret not in page


def test_history_shows_set_and_cleared_secrets_only_by_name(logged_in, sentry):
    post_button(
        logged_in,
        f"/integrations/{sentry.id}/secrets/clear",
        secret="access_token",
        confirm="clear",
    )

    page = logged_in.get(f"/integrations/{sentry.id}").get_data(as_text=True)
    assert re.search(r"<code>access_token</code>:\s*cleared", page)
    assert re.search(r"<code>access_token</code>:\s*set", page)
    assert TOKEN not in page


def test_a_posted_unknown_type_on_edit_is_an_error_not_a_crash(logged_in, sentry):
    before = history.snapshot(sentry)

    response = post_edit(logged_in, sentry, integration_type="gitlab")

    assert response.status_code == 422
    assert "Input should be" in response.get_data(as_text=True)
    assert history.snapshot(reloaded(sentry)) == before


def test_deleting_from_a_list_row_with_htmx_removes_the_row_in_place(logged_in, sentry):
    listing = logged_in.get("/integrations").get_data(as_text=True)
    assert f'hx-post="/integrations/{sentry.id}/delete"' in listing
    assert "hx-confirm=" in listing
    token = csrf_token_from(logged_in, "/integrations")

    response = logged_in.post(
        f"/integrations/{sentry.id}/delete",
        data={"confirm": "delete"},
        headers={**HTMX, "X-CSRFToken": token, "HX-Target": f"row-{sentry.id}"},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<tr" not in page
    assert 'id="attention-link"' in page and 'hx-swap-oob="true"' in page
    assert logged_in.get(f"/integrations/{sentry.id}").status_code == 404
