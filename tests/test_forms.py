"""The integration form and the list filter form, built without a client."""

from datetime import UTC, datetime

import pytest
from flask import render_template
from werkzeug.datastructures import MultiDict

from dashboard.catalog import TYPES
from dashboard.integrations.forms import (
    ListFilterForm,
    StatusForm,
    SwitchForm,
    datetime_local_value,
    edit_form,
    field_for_loc,
    first_error,
    form_for,
    split_tags,
    type_for_submission,
    typed_secrets,
)

from . import factories

SECRET = "tok_live_0123456789abcdef"
NO_CSRF = {"csrf": False}


@pytest.fixture
def request_context(app):
    with app.test_request_context("/integrations/new", method="POST"):
        yield


def submitted(slug="sentry", **fields):
    """Build and validate the form for ``slug`` from posted ``fields``."""
    data = {"name": "Staging errors", "integration_type": slug, "active": "y", **fields}
    form = form_for(slug, MultiDict(data), meta=NO_CSRF)
    form.validate()
    return form


@pytest.mark.parametrize("slug", list(TYPES))
def test_each_type_gets_its_own_scope_fields(request_context, slug):
    kind = TYPES[slug]
    form = form_for(slug, meta=NO_CSRF)

    for scope_field in kind.scope_fields:
        assert form[scope_field.name].label.text == scope_field.label
        assert form[scope_field.name].description == scope_field.help
    assert kind.other_primary_name not in form
    assert form.integration_type.data == slug


def test_sentry_reads_org_slug_and_jira_reads_workspace_id(request_context):
    sentry = form_for("sentry", meta=NO_CSRF)
    jira = form_for("jira", meta=NO_CSRF)

    assert "org_slug" in sentry and "workspace_id" not in sentry
    assert "workspace_id" in jira and "org_slug" not in jira
    assert {"project_id", "installation_id"} <= set(sentry._fields)
    assert "installation_id" not in jira


def test_fields_carry_the_api_names(request_context):
    form = form_for("github", meta=NO_CSRF)

    expected = {
        "name", "integration_type", "status", "active", "unique_identifier",
        "access_token", "refresh_token", "token_type", "expires_at", "scope",
        "workspace_id", "installation_id", "project_id",
        "description", "tags", "version",
    }  # fmt: skip
    assert expected <= set(form._fields)


def test_a_valid_form_hands_over_the_contract_model(request_context):
    form = submitted(
        "jira",
        workspace_id="acme",
        project_id="OPS",
        access_token=SECRET,
        status="pending",
        description="Ops board",
        version="2",
    )

    assert form.errors == {}
    payload = form.payload
    assert payload.integration_type == "jira"
    assert payload.status == "pending"
    assert payload.scope_data.workspace_id == "acme"
    assert payload.scope_data.project_id == "OPS"
    assert payload.auth_data.access_token == SECRET
    assert payload.metadata.created_via == "dashboard"
    assert payload.metadata.description == "Ops board"


def test_unticked_active_means_false(request_context):
    data = MultiDict({"name": "Off", "integration_type": "sentry"})
    form = form_for("sentry", data, meta=NO_CSRF)

    assert form.validate()
    assert form.to_payload()["active"] is False
    assert form.payload.active is False


def test_ticked_active_means_true(request_context):
    assert submitted().payload.active is True


def test_datetime_local_value_is_accepted_as_utc(request_context):
    form = submitted(expires_at="2030-01-31T17:45")

    assert form.to_payload()["auth_data"]["expires_at"] == "2030-01-31T17:45"
    assert form.payload.auth_data.expires_at == datetime(
        2030, 1, 31, 17, 45, tzinfo=UTC
    )


def test_datetime_local_with_seconds_is_accepted(request_context):
    form = submitted(expires_at="2030-01-31T17:45:30")

    assert form.payload.auth_data.expires_at.second == 30


def test_blank_expiry_means_none(request_context):
    assert submitted(expires_at="").payload.auth_data.expires_at is None


def test_bad_expiry_is_an_error_on_that_field(request_context):
    form = submitted(expires_at="31/01/2030 5pm")

    assert form.payload is None
    assert form.expires_at.errors
    assert "2030-01-31 17:45" in form.expires_at.errors[0]
    assert set(form.errors) == {"expires_at"}


def test_tags_are_split_on_commas_trimmed_and_empties_dropped(request_context):
    form = submitted(tags=" staging, team-a ,, ,staging,")

    assert form.to_payload()["metadata"]["tags"] == ["staging", "team-a", "staging"]
    assert form.payload.metadata.tags == ["staging", "team-a"]


@pytest.mark.parametrize(
    ("text", "tags"),
    [(None, []), ("", []), (" , ,", []), ("one", ["one"]), ("a,b", ["a", "b"])],
)
def test_split_tags(text, tags):
    assert split_tags(text) == tags


def test_a_too_long_tag_is_an_error_on_tags_naming_its_position(request_context):
    form = submitted(tags="fine, " + "x" * 101)

    assert form.tags.errors == ["Tag 2: String should have at most 100 characters"]


def test_a_256_character_name_is_an_error_on_name(request_context):
    form = submitted(name="n" * 256)

    assert form.payload is None
    assert form.name.errors == ["String should have at most 255 characters"]
    assert form.form_errors == []


def test_a_blank_name_is_an_error_on_name(request_context):
    form = submitted(name="   ")

    assert form.name.errors == ["This field cannot be empty."]


def test_a_too_long_scope_field_is_an_error_on_that_field(request_context):
    form = submitted("sentry", org_slug="o" * 256)

    assert form.org_slug.errors
    assert set(form.errors) == {"org_slug"}


def test_a_nul_character_is_refused_on_its_field(request_context):
    form = submitted(description="bad\x00text")

    assert form.description.errors == ["Text must not contain a NUL character"]


@pytest.mark.parametrize("status", ["Active", "archived"])
def test_a_status_off_the_list_is_an_error_on_status(request_context, status):
    form = submitted(status=status)

    assert form.status.errors
    assert "'active'" in form.status.errors[0]


def test_an_unknown_type_is_an_error_on_the_type(request_context):
    data = MultiDict({"name": "x", "integration_type": "Sentry"})
    form = form_for(type_for_submission(data, "sentry"), data, meta=NO_CSRF)

    assert not form.validate()
    assert form.integration_type.errors
    assert "'sentry'" in form.integration_type.errors[0]


def test_every_problem_is_reported_at_once(request_context):
    form = submitted(
        name="", expires_at="soon", version="v" * 256, token_type="t" * 256
    )

    assert {"name", "expires_at", "version", "token_type"} <= set(form.errors)


def test_fields_of_another_type_are_not_passed_on(request_context):
    form = submitted("sentry", org_slug="acme", workspace_id="smuggled")

    assert form.payload.scope_data.org_slug == "acme"
    assert form.payload.scope_data.workspace_id is None


def test_a_type_change_without_its_fields_asks_to_check_them(request_context):
    form = submitted("jira", shown_type="sentry", workspace_id="")

    assert form.payload is None
    assert form.form_errors
    assert "Jira" in form.form_errors[0]


def test_the_shown_type_matching_the_type_is_fine(request_context):
    assert submitted("jira", shown_type="jira").payload is not None


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (["body", "name"], ("name", None)),
        (["body", "scope_data", "org_slug"], ("org_slug", None)),
        (["body", "metadata", "tags", 3], ("tags", 3)),
        (["body", "auth_data", "expires_at"], ("expires_at", None)),
        (["body"], (None, None)),
        ([], (None, None)),
        (["body", "metadata"], (None, None)),
        (["body", "auth_data", "code"], ("code", None)),
    ],
)
def test_error_locations_map_to_field_names(loc, expected):
    assert field_for_loc(loc) == expected


def test_an_error_on_no_form_field_becomes_a_form_error(request_context):
    form = form_for("sentry", MultiDict({"name": "x"}), meta=NO_CSRF)

    form._add_error(
        {"loc": ["body", "metadata", "created_via"], "msg": "bad", "type": "x"}
    )
    form._add_error({"loc": ["body"], "msg": "whole body", "type": "x"})

    assert form.form_errors == ["bad", "whole body"]


def test_secrets_are_not_echoed_after_an_error(app, request_context):
    form = submitted(name="", access_token=SECRET, refresh_token=SECRET + "-r")

    assert not form.validate()
    page = render_template("integrations/new.html", form=form, kind=form.kind)
    assert SECRET not in page
    assert 'name="access_token" type="password" value=""' in page
    assert 'name="refresh_token" type="password" value=""' in page


def test_other_values_are_kept_after_an_error(app, request_context):
    form = submitted(
        "slack",
        name="n" * 256,
        workspace_id="T0123",
        tags="a, b",
        expires_at="2030-01-31T17:45",
        status="pending",
        description="Kept text",
    )

    page = render_template("integrations/new.html", form=form, kind=form.kind)
    assert 'value="T0123"' in page
    assert 'value="a, b"' in page
    assert 'type="datetime-local" value="2030-01-31T17:45"' in page
    assert '<option selected value="pending">' in page
    assert "Kept text" in page


def test_expiry_field_is_labelled_as_utc(request_context):
    form = form_for("sentry", meta=NO_CSRF)

    assert form.expires_at.label.text == "Token expires at (UTC)"
    assert 'type="datetime-local"' in form.expires_at()


def test_a_duplicate_identifier_shows_a_link_on_that_field(request_context):
    form = submitted(unique_identifier="shared")

    form.mark_duplicate("/integrations/abc")
    assert form.unique_identifier.errors
    assert '<a href="/integrations/abc">' in str(form.unique_identifier.errors[0])


def test_type_select_asks_htmx_for_only_the_type(request_context):
    html = form_for("sentry", meta=NO_CSRF).integration_type()

    assert 'hx-get="/integrations/new"' in html
    assert 'hx-params="integration_type"' in html
    assert 'hx-target="#type-fields"' in html
    assert 'hx-swap="outerHTML"' in html


def test_type_for_submission_prefers_a_known_posted_type():
    assert (
        type_for_submission(MultiDict({"integration_type": "jira"}), "sentry") == "jira"
    )
    assert type_for_submission(MultiDict({"integration_type": "x"}), "slack") == "slack"
    assert type_for_submission(MultiDict(), "github") == "github"


def test_list_filters_read_known_values(app):
    args = MultiDict(
        {"q": "  prod ", "type": "jira", "status": "error", "needs_attention": "y"}
    )
    with app.test_request_context("/integrations"):
        filters = ListFilterForm(formdata=args).to_filters()

    assert filters.search == "prod"
    assert filters.integration_type == "jira"
    assert filters.status == "error"
    assert filters.needs_attention is True


def test_list_filters_ignore_values_not_on_offer(app):
    args = MultiDict({"q": "a\x00b" + "c" * 400, "type": "Jira", "status": "gone"})
    with app.test_request_context("/integrations"):
        filters = ListFilterForm(formdata=args).to_filters()

    assert filters.integration_type is None
    assert filters.status is None
    assert filters.needs_attention is False
    assert "\x00" not in filters.search
    assert len(filters.search) == 255


# The edit form


@pytest.fixture
def stored(app):
    owner = factories.make_user(email="forms@example.com")
    return factories.make_integration(
        owner,
        name="Chat",
        integration_type="slack",
        auth_data={
            "access_token": SECRET,
            "expires_at": "2030-01-31T17:45:30.5Z",
        },
        scope_data={"workspace_id": "T1", "installation_id": "I1"},
        metadata={
            "instance_name": "Chat (prod)",
            "description": "one\r\ntwo",
            "tags": ["x", "y"],
        },
    )


def edited(integration, slug=None, **fields):
    data = MultiDict(
        {"name": integration.name, "integration_type": slug or "slack", **fields}
    )
    form = edit_form(integration, slug, data, meta=NO_CSRF)
    form.validate()
    return form


def test_edit_form_is_filled_from_the_integration_but_not_its_secrets(
    request_context, stored
):
    form = edit_form(stored, meta=NO_CSRF)

    assert form.name.data == "Chat"
    assert form.workspace_id.data == "T1"
    assert form.expires_at.data == "2030-01-31T17:45:30"
    assert form.instance_name.data == "Chat (prod)"
    assert form.tags.data == "x, y"
    assert form.access_token.data is None
    assert SECRET not in str(form.access_token())
    assert "Leave blank to keep" in form.access_token.description
    assert 'hx-get="/integrations/' in form.integration_type()
    assert "/edit" in form.integration_type.render_kw["hx-get"]


def test_a_stored_scope_field_the_type_does_not_read_is_shown(request_context, stored):
    form = edit_form(stored, meta=NO_CSRF)

    assert form.installation_id.data == "I1"
    assert [field.name for field in form.unread_scope_fields] == ["installation_id"]
    assert "not read by Slack" in form.installation_id.label.text
    # The plain per-type form for Slack still has no such field.
    assert "installation_id" not in form_for("slack", meta=NO_CSRF)


def test_the_edit_form_keeps_what_it_cannot_show_exactly(request_context, stored):
    form = edited(
        stored,
        expires_at="2030-01-31T17:45:30",
        description="one\r\ntwo",
        installation_id="I1",
    )

    assert form.errors == {}
    payload = form.payload
    assert payload.auth_data.expires_at == stored.expires_at
    assert payload.auth_data.expires_at.microsecond == 500000
    assert payload.metadata.description == "one\r\ntwo"
    assert payload.metadata.created_via == "api"
    assert payload.scope_data.installation_id == "I1"


def test_a_changed_expiry_or_description_is_taken_as_typed(request_context, stored):
    form = edited(stored, expires_at="2031-01-01T00:00", description="three\r\nfour")

    assert form.payload.auth_data.expires_at == datetime(2031, 1, 1, tzinfo=UTC)
    assert form.payload.metadata.description == "three\nfour"


def test_new_descriptions_store_plain_newlines(request_context):
    assert submitted(description="a\r\nb").payload.metadata.description == "a\nb"


def test_typed_secrets_replace_and_blank_ones_keep(request_context, stored):
    form = edited(stored, access_token=" ", refresh_token="rt-new", code="")

    assert typed_secrets(form.payload) == {"refresh_token": "rt-new"}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (datetime(2030, 1, 31, 17, 45, tzinfo=UTC), "2030-01-31T17:45"),
        (datetime(2030, 1, 31, 17, 45, 9, tzinfo=UTC), "2030-01-31T17:45:09"),
        (datetime(2030, 1, 31, 17, 45, 0, 7, tzinfo=UTC), "2030-01-31T17:45"),
    ],
)
def test_datetime_local_value(value, text):
    assert datetime_local_value(value) == text


# The one-click button forms


@pytest.mark.parametrize(
    ("data", "valid"),
    [
        ({"active": "on"}, True),
        ({"active": "off", "status": "inactive"}, True),
        ({"active": "off", "status": ""}, True),
        ({"active": "On"}, False),
        ({"active": "true"}, False),
        ({}, False),
        ({"active": "on", "status": "Active"}, False),
    ],
)
def test_switch_form_reads_on_off_and_an_optional_status(request_context, data, valid):
    form = SwitchForm(formdata=MultiDict(data), meta=NO_CSRF)

    assert form.validate() is valid
    if not valid:
        assert first_error(form)


@pytest.mark.parametrize("status", ["", "Active", "done", " active"])
def test_status_form_refuses_anything_but_a_known_status(request_context, status):
    form = StatusForm(formdata=MultiDict({"status": status}), meta=NO_CSRF)

    assert not form.validate()
    assert first_error(form).startswith("Status must be one of active, inactive")
