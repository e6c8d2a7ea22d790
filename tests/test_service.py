"""The integrations service, called directly with a session and a payload."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dashboard.crypto import KeyRing, SecretUnreadable
from dashboard.extensions import db
from dashboard.integrations.contract import SECRET_FIELDS, validate_input
from dashboard.integrations.service import (
    DuplicateIdentifier,
    get_owned,
    mask_secret,
    save_integration,
    to_public_dict,
)
from dashboard.models import Integration

from . import factories

SECRETS = {
    "access_token": "tok_access_0123456789",
    "refresh_token": "tok_refresh_9876543210",
    "code": "short",
}


def payload(**fields):
    return validate_input({"name": "Errors", "integration_type": "sentry", **fields})


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Integration))


def test_save_fills_in_the_defaults(user):
    outcome = save_integration(db.session, user, payload(), via="cli")

    row = outcome.integration
    assert row.owner_id == user.id
    assert row.status == "active"
    assert row.active is True
    assert row.unique_identifier == f"sentry-{row.id}"
    assert row.instance_name == "Errors"
    assert row.created_via == "cli"
    assert row.token_type == "Bearer"
    assert row.tags == []
    assert row.has_auth_data is False
    assert row.has_scope_data is False
    assert row.access_token_encrypted is None
    assert row.access_token_set_at is None


def test_save_commits_aware_utc_timestamps(user):
    row = save_integration(db.session, user, payload(), via="api").integration

    db.session.expire_all()
    fresh = db.session.get(Integration, row.id)
    assert fresh.created_at.utcoffset() == timedelta(0)
    assert fresh.created_at == fresh.updated_at


def test_created_via_from_the_request_wins_over_the_door(user):
    given = payload(metadata={"created_via": "terraform"})

    row = save_integration(db.session, user, given, via="api").integration

    assert row.created_via == "terraform"


def test_save_returns_the_contracts_warnings(user):
    outcome = save_integration(db.session, user, payload(extra=1), via="api")

    assert outcome.warnings[0].startswith("scope_data.org_slug is empty")
    assert outcome.warnings[-1] == "Unknown field extra was ignored."


def test_secrets_are_encrypted_with_the_apps_ring(app, user):
    row = save_integration(
        db.session, user, payload(auth_data=SECRETS), via="api"
    ).integration

    ring = app.config["KEY_RING"]
    for field, value in SECRETS.items():
        encrypted = getattr(row, f"{field}_encrypted")
        assert value not in encrypted
        assert ring.decrypt(encrypted) == value
        assert getattr(row, f"{field}_set_at") == row.created_at


def test_a_given_ring_encrypts_instead_of_the_apps(app, user):
    ring = KeyRing([Fernet.generate_key().decode()])

    row = save_integration(
        db.session, user, payload(auth_data=SECRETS), via="api", ring=ring
    ).integration

    assert ring.decrypt(row.access_token_encrypted) == SECRETS["access_token"]
    with pytest.raises(SecretUnreadable):
        app.config["KEY_RING"].decrypt(row.access_token_encrypted)


def test_duplicate_identifier_is_refused_by_the_database(user):
    first = save_integration(
        db.session, user, payload(unique_identifier="main"), via="api"
    ).integration

    with pytest.raises(DuplicateIdentifier) as caught:
        save_integration(
            db.session, user, payload(unique_identifier="main", name="B"), via="api"
        )

    assert caught.value.existing_id == first.id
    assert count() == 1


def test_the_session_is_usable_after_a_duplicate(user):
    save_integration(db.session, user, payload(unique_identifier="main"), via="api")
    with pytest.raises(DuplicateIdentifier):
        save_integration(db.session, user, payload(unique_identifier="main"), via="api")

    save_integration(db.session, user, payload(unique_identifier="next"), via="api")

    assert count() == 2


def test_the_constraint_holds_even_without_the_service(user):
    save_integration(db.session, user, payload(unique_identifier="main"), via="api")
    twin = Integration(
        owner_id=user.id,
        name="twin",
        integration_type="sentry",
        status="active",
        active=True,
        unique_identifier="main",
        instance_name="twin",
    )

    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert count() == 1


def test_another_owner_may_use_the_same_identifier(user, other_user):
    save_integration(db.session, user, payload(unique_identifier="main"), via="api")

    save_integration(
        db.session, other_user, payload(unique_identifier="main"), via="api"
    )

    assert count() == 2


def test_public_dict_carries_no_secret(user):
    row = save_integration(
        db.session, user, payload(auth_data=SECRETS), via="api"
    ).integration

    public = to_public_dict(row)

    text = repr(public)
    for field, value in SECRETS.items():
        assert value not in text
        assert field not in public
    assert public["has_auth_data"] is True
    assert public["created_by"] == user.public_id


def test_get_owned_hides_another_owners_integration(user, other_user):
    row = factories.make_integration(user)

    assert get_owned(db.session, user, row.id) is row
    assert get_owned(db.session, other_user, row.id) is None
    assert get_owned(db.session, user, "not-a-uuid") is None


def test_masking_shows_the_last_four_of_long_secrets_only(app, user):
    row = save_integration(
        db.session, user, payload(auth_data=SECRETS), via="api"
    ).integration
    ring = app.config["KEY_RING"]

    long_secret = mask_secret(row, "access_token", ring)
    short_secret = mask_secret(row, "code", ring)

    assert long_secret.is_set and long_secret.last_four == "6789"
    assert short_secret.is_set and short_secret.last_four is None
    assert set(SECRET_FIELDS) == set(SECRETS)


def test_masking_an_unset_secret(app, user):
    row = save_integration(db.session, user, payload(), via="api").integration

    masked = mask_secret(row, "refresh_token", app.config["KEY_RING"])

    assert (masked.is_set, masked.set_at, masked.last_four) == (False, None, None)
