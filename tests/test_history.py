"""Updating, switching and deleting integrations, each with its audit entry."""

import pytest
from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.integrations import history, service
from dashboard.integrations.contract import (
    InvalidRequest,
    validate_input,
    validate_patch,
)
from dashboard.models import AuditEntry, Integration

from . import factories

TOKEN = "tok-history-0123456789"


def patched(integration, patch):
    return validate_patch(service.contract_document(integration), patch)


def apply(integration, patch, via="api", actor=None):
    payload, secrets = patched(integration, patch)
    return service.update_integration(
        db.session, integration, payload, secrets, via, actor=actor
    )


def entries(integration):
    return history.entries_for(db.session, integration)


@pytest.fixture
def saved(user):
    return factories.make_integration(
        user,
        name="Errors",
        auth_data={"access_token": TOKEN, "expires_at": "2030-01-01T00:00:00Z"},
        scope_data={"org_slug": "acme"},
        metadata={"tags": ["a"]},
    )


def test_create_is_recorded_with_what_was_set(saved):
    [entry] = entries(saved)

    assert entry.action == "created"
    assert entry.via == "api"
    assert entry.actor == "owner@example.com"
    assert entry.changes["org_slug"] == {"old": None, "new": "acme"}
    assert entry.changes["access_token"] == {"secret": "set"}
    assert TOKEN not in str(entry.changes)


def test_absent_keys_keep_their_values_and_null_resets_to_default(saved):
    apply(saved, {"status": "pending", "metadata": {"tags": None}})

    db.session.expire_all()
    assert saved.status == "pending"
    assert saved.tags == []
    assert saved.org_slug == "acme"
    assert saved.has_auth_data
    assert saved.name == "Errors"


def test_null_unique_identifier_is_generated_again(saved):
    apply(saved, {"unique_identifier": "custom"})
    apply(saved, {"unique_identifier": None})

    assert saved.unique_identifier == f"sentry-{saved.id}"


def test_changes_inside_scope_data_and_metadata_are_saved_and_recorded(saved):
    apply(saved, {"scope_data": {"project_id": "42"}, "metadata": {"version": "2"}})

    db.session.expire_all()
    assert (saved.project_id, saved.version, saved.org_slug) == ("42", "2", "acme")
    latest = entries(saved)[0]
    assert latest.action == "edited"
    assert latest.changes == {
        "project_id": {"old": None, "new": "42"},
        "version": {"old": None, "new": "2"},
    }


def test_a_secret_is_kept_replaced_or_cleared(saved):
    apply(saved, {"auth_data": {"access_token": ""}})
    assert service.key_ring().decrypt(saved.access_token_encrypted) == TOKEN

    apply(saved, {"auth_data": {"access_token": TOKEN + "-new"}})
    assert service.key_ring().decrypt(saved.access_token_encrypted) == TOKEN + "-new"
    assert entries(saved)[0].action == "secrets rotated"
    assert entries(saved)[0].changes == {"access_token": {"secret": "changed"}}

    apply(saved, {"auth_data": {"access_token": None}})
    assert saved.access_token_encrypted is None
    assert entries(saved)[0].changes == {"access_token": {"secret": "cleared"}}
    assert entries(saved)[0].action == "secret cleared"


def test_an_update_that_changes_nothing_writes_no_entry(saved):
    apply(saved, {"name": "Errors"})

    assert len(entries(saved)) == 1


def test_patch_is_validated_by_the_contract_and_changes_nothing(saved):
    with pytest.raises(InvalidRequest) as refused:
        patched(saved, {"active": "yes", "name": "   "})

    locations = [problem["loc"] for problem in refused.value.details]
    assert locations == [["body", "name"], ["body", "active"]]


@pytest.mark.parametrize("body", [[], "x", 3, None])
def test_a_patch_must_be_an_object(saved, body):
    with pytest.raises(InvalidRequest):
        patched(saved, body)


def test_duplicate_identifier_on_update_is_refused_and_rolled_back(user, saved):
    factories.make_integration(user, unique_identifier="taken")

    with pytest.raises(service.DuplicateIdentifier):
        apply(saved, {"unique_identifier": "taken", "name": "Renamed"})

    db.session.expire_all()
    assert saved.name == "Errors"
    assert len(entries(saved)) == 1


def test_switching_records_old_and_new_values(saved):
    service.switch_integration(
        db.session, saved, "dashboard", active=False, status="inactive"
    )

    latest = entries(saved)[0]
    assert latest.action == "status changed"
    assert latest.via == "dashboard"
    assert latest.changes == {
        "active": {"old": True, "new": False},
        "status": {"old": "active", "new": "inactive"},
    }


@pytest.mark.parametrize(
    ("active", "action"), [(False, "switched off"), (True, "switched on")]
)
def test_a_switch_alone_is_named_for_its_direction(saved, active, action):
    if active:
        service.switch_integration(db.session, saved, "dashboard", active=False)

    service.switch_integration(db.session, saved, "dashboard", active=active)

    assert entries(saved)[0].action == action


def test_switching_to_an_unknown_status_is_refused(saved):
    with pytest.raises(ValueError):
        service.switch_integration(db.session, saved, "dashboard", status="paused")


def test_delete_removes_the_row_and_keeps_its_history(user, saved):
    integration_id = saved.id

    service.delete_integration(db.session, saved, "api", actor="API key 'ci'")

    assert db.session.get(Integration, integration_id) is None
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.integration_id == integration_id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["created", "deleted"]


def test_a_failed_save_writes_no_entry(user):
    factories.make_integration(user, unique_identifier="one")
    count = db.session.scalar(select(func.count(AuditEntry.id)))

    with pytest.raises(service.DuplicateIdentifier):
        factories.make_integration(user, unique_identifier="one")

    assert db.session.scalar(select(func.count(AuditEntry.id))) == count


def test_same_type_and_scope_value_warns_of_a_likely_duplicate(user, saved):
    body = {
        "name": "Errors again",
        "integration_type": "sentry",
        "scope_data": {"org_slug": "acme"},
    }

    outcome = service.save_integration(
        db.session, user, validate_input(body), via="api"
    )

    assert outcome.likely_duplicate.id == saved.id
    assert any(saved.id in warning for warning in outcome.warnings)


@pytest.mark.parametrize(
    "body",
    [
        {"integration_type": "sentry", "scope_data": {"org_slug": "other"}},
        {"integration_type": "jira", "scope_data": {"workspace_id": "acme"}},
        {"integration_type": "sentry"},
    ],
)
def test_other_scope_values_or_types_are_not_duplicates(user, saved, body):

    outcome = service.save_integration(
        db.session, user, validate_input({"name": "Other", **body}), via="api"
    )

    assert outcome.likely_duplicate is None
    assert not any("Likely duplicate" in warning for warning in outcome.warnings)


def test_another_owners_integration_is_no_duplicate(other_user, saved):
    twin = factories.make_integration(
        other_user, name="Theirs", scope_data={"org_slug": "acme"}
    )

    assert service.find_likely_duplicate(db.session, twin) is None


def test_a_generated_identifier_follows_a_type_change(saved):
    apply(saved, {"integration_type": "jira", "scope_data": {"workspace_id": "w"}})

    assert saved.unique_identifier == f"jira-{saved.id}"


def test_a_chosen_identifier_survives_a_type_change(saved):
    apply(saved, {"unique_identifier": "mine"})
    apply(saved, {"integration_type": "jira"})

    assert saved.unique_identifier == "mine"
