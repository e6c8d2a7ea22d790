"""Health checks: each check on its own, its wording per type, and its SQL twin."""

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from dashboard.catalog import STATUS_MEANINGS, TYPES
from dashboard.extensions import db
from dashboard.integrations import health
from dashboard.models import Integration

from . import factories

NOW = datetime(2030, 6, 15, 12, 0, 0, 500_000, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Item:
    """A plain stand-in for an integration: the checks read attributes only."""

    integration_type: str = "sentry"
    active: bool = True
    status: str = "active"
    has_auth_data: bool = True
    expires_at: datetime | None = None
    org_slug: str | None = "acme"
    workspace_id: str | None = None
    installation_id: str | None = None
    project_id: str | None = None


HEALTHY_SENTRY = Item()
HEALTHY_JIRA = Item(integration_type="jira", org_slug=None, workspace_id="acme")


def result(item, key):
    return next(r for r in health.run_checks(item, NOW) if r.key == key)


def test_a_complete_integration_passes_every_check():
    for item in (HEALTHY_SENTRY, HEALTHY_JIRA):
        assert health.failing_keys(item, NOW) == []
        assert not health.needs_attention(item, NOW)
        assert all(r.passed and r.fix is None for r in health.run_checks(item, NOW))


def test_run_checks_reports_every_check_in_order():
    keys = [r.key for r in health.run_checks(HEALTHY_SENTRY, NOW)]

    assert keys == [check.key for check in health.CHECKS]
    assert len(set(keys)) == len(keys)


def test_switched_off_fails_and_offers_to_activate():
    item = replace(HEALTHY_SENTRY, active=False, status="inactive")

    assert "switched_off" in health.failing_keys(item, NOW)
    assert "Activate" in result(item, "switched_off").fix
    assert "disagreement" not in health.failing_keys(item, NOW)


@pytest.mark.parametrize("status", ["inactive", "pending", "error"])
def test_each_status_but_active_fails_and_says_what_it_means(status):
    item = replace(HEALTHY_SENTRY, active=False, status=status)

    check = result(item, "status")
    assert not check.passed
    assert STATUS_MEANINGS[status] in check.reason
    assert '"active"' in check.fix


def test_active_status_passes():
    assert result(HEALTHY_SENTRY, "status").passed


@pytest.mark.parametrize(
    ("active", "status", "disagrees"),
    [
        (True, "active", False),
        (False, "inactive", False),
        (False, "error", False),
        (True, "pending", True),
        (True, "error", True),
        (False, "active", True),
    ],
)
def test_disagreement_between_switch_and_status_both_ways(active, status, disagrees):
    item = replace(HEALTHY_SENTRY, active=active, status=status)

    assert ("disagreement" in health.failing_keys(item, NOW)) is disagrees


def test_disagreement_reason_names_the_side_that_is_on():
    on_but_pending = replace(HEALTHY_SENTRY, status="pending")
    off_but_active = replace(HEALTHY_SENTRY, active=False)

    assert '"pending"' in result(on_but_pending, "disagreement").reason
    assert "switched off" in result(off_but_active, "disagreement").reason


def test_no_credentials_fails_without_an_access_token():
    item = replace(HEALTHY_JIRA, has_auth_data=False)

    check = result(item, "no_credentials")
    assert not check.passed
    assert "Jira" in check.reason
    assert "access token" in check.fix


def test_expired_at_exactly_now():
    item = replace(HEALTHY_SENTRY, expires_at=NOW)

    keys = health.failing_keys(item, NOW)
    assert "expired" in keys
    assert "expiring_soon" not in keys
    assert "Re-authorise with Sentry" in result(item, "expired").fix


def test_a_microsecond_after_now_is_expiring_soon_not_expired():
    item = replace(HEALTHY_SENTRY, expires_at=NOW + MICROSECOND)

    keys = health.failing_keys(item, NOW)
    assert "expired" not in keys
    assert "expiring_soon" in keys


def test_expiring_soon_includes_the_seven_day_boundary():
    at_boundary = replace(HEALTHY_SENTRY, expires_at=NOW + timedelta(days=7))
    past_boundary = replace(
        at_boundary, expires_at=at_boundary.expires_at + MICROSECOND
    )

    assert "expiring_soon" in health.failing_keys(at_boundary, NOW)
    assert "in 7 days" in result(at_boundary, "expiring_soon").reason
    assert health.failing_keys(past_boundary, NOW) == []


@pytest.mark.parametrize(
    "offset",
    [
        timedelta(days=-400),
        -MICROSECOND,
        timedelta(0),
        MICROSECOND,
        timedelta(days=3),
        timedelta(days=7),
        timedelta(days=7) + MICROSECOND,
        timedelta(days=400),
    ],
)
def test_expired_and_expiring_soon_never_both(offset):
    keys = health.failing_keys(replace(HEALTHY_SENTRY, expires_at=NOW + offset), NOW)

    assert not ("expired" in keys and "expiring_soon" in keys)


def test_no_expiry_date_passes_both_expiry_checks():
    assert result(HEALTHY_SENTRY, "expired").passed
    assert result(HEALTHY_SENTRY, "expiring_soon").passed
    assert "No expiry date" in result(HEALTHY_SENTRY, "expired").reason


def test_a_naive_expiry_is_read_as_utc():
    naive_past = replace(
        HEALTHY_SENTRY, expires_at=(NOW - MICROSECOND).replace(tzinfo=None)
    )

    assert "expired" in health.failing_keys(naive_past, NOW)


def test_no_scope_is_worded_for_sentry():
    item = replace(HEALTHY_SENTRY, org_slug=None)

    check = result(item, "no_scope")
    assert not check.passed
    assert "org_slug" in check.reason and "org_slug" in check.fix
    assert "workspace_id" not in check.fix


@pytest.mark.parametrize("slug", ["github", "slack", "jira", "linear", "confluence"])
def test_no_scope_is_worded_for_the_workspace_types(slug):
    item = Item(integration_type=slug, org_slug=None)

    check = result(item, "no_scope")
    assert not check.passed
    assert "workspace_id" in check.fix
    assert "org_slug" not in check.fix
    assert TYPES[slug].label in check.reason


def test_sentry_with_only_workspace_id_has_the_wrong_scope_field():
    item = replace(HEALTHY_SENTRY, org_slug=None, workspace_id="acme")

    keys = health.failing_keys(item, NOW)
    assert "wrong_scope_field" in keys
    assert "no_scope" not in keys
    check = result(item, "wrong_scope_field")
    assert "workspace_id is set" in check.reason
    assert check.fix.startswith("Put the value in org_slug")


def test_jira_with_only_org_slug_has_the_wrong_scope_field():
    item = replace(HEALTHY_JIRA, org_slug="acme", workspace_id=None)

    check = result(item, "wrong_scope_field")
    assert not check.passed
    assert "Jira integrations read workspace_id" in check.reason
    assert check.fix.startswith("Put the value in workspace_id")


def test_both_scope_fields_set_passes_the_scope_checks():
    item = replace(HEALTHY_JIRA, org_slug="acme")

    assert health.failing_keys(item, NOW) == []
    assert "org_slug and workspace_id are set" in result(item, "no_scope").reason


@pytest.mark.parametrize(
    ("given", "phrase"),
    [
        ({"project_id": "p1"}, "Only project_id is set"),
        ({"installation_id": "42"}, "Only installation_id is set"),
        (
            {"project_id": "p1", "installation_id": "42"},
            "Only project_id and installation_id are set",
        ),
    ],
)
def test_only_project_or_installation_is_the_scope_pitfall(given, phrase):
    item = replace(HEALTHY_SENTRY, org_slug=None, **given)

    keys = health.failing_keys(item, NOW)
    assert "scope_pitfall" in keys
    assert "no_scope" in keys
    assert phrase in result(item, "scope_pitfall").reason
    assert "org_slug" in result(item, "scope_pitfall").fix


def test_project_id_beside_a_real_scope_is_no_pitfall():
    item = replace(HEALTHY_SENTRY, project_id="p1", installation_id="42")

    assert health.failing_keys(item, NOW) == []


def test_failing_checks_match_failing_keys():
    item = replace(HEALTHY_SENTRY, active=False, has_auth_data=False, org_slug=None)

    checks = health.failing_checks(item, NOW)
    assert [c.key for c in checks] == health.failing_keys(item, NOW)
    assert all(c.badge for c in checks)


# The SQL twins: a matrix of rows in the database, judged both ways.

EXPIRY_OFFSETS = (
    None,
    timedelta(days=-30),
    timedelta(0),
    MICROSECOND,
    timedelta(days=7),
    timedelta(days=7) + MICROSECOND,
)
SCOPES = (
    {},
    {"org_slug": "acme"},
    {"workspace_id": "acme"},
    {"org_slug": "acme", "workspace_id": "acme"},
    {"project_id": "p1"},
    {"installation_id": "42", "project_id": "p1"},
)
SWITCHES = ((True, "active"), (True, "pending"), (False, "active"), (False, "error"))


def _matrix_rows(owner) -> list[Integration]:
    rows = []
    combinations = itertools.product(
        ("sentry", "jira"), SWITCHES, (True, False), EXPIRY_OFFSETS, SCOPES
    )
    for number, (slug, (active, status), token, offset, scope) in enumerate(
        combinations
    ):
        rows.append(
            Integration(
                owner_id=owner.id,
                name=f"row {number}",
                integration_type=slug,
                status=status,
                active=active,
                unique_identifier=f"row-{number}",
                # Any stored ciphertext counts as credentials for the checks.
                access_token_encrypted="stand-in ciphertext" if token else None,
                expires_at=None if offset is None else NOW + offset,
                instance_name=f"row {number}",
                tags=[],
                **scope,
            )
        )
    return rows


@pytest.fixture
def matrix(app):
    owner = factories.make_user(email="matrix@example.com")
    db.session.add_all(_matrix_rows(owner))
    db.session.commit()
    db.session.expire_all()
    return list(db.session.scalars(select(Integration)))


def _ids_where(condition) -> set[str]:
    return set(db.session.scalars(select(Integration.id).where(condition)))


def test_needs_attention_sql_selects_exactly_the_rows_python_flags(matrix):
    flagged = {row.id for row in matrix if health.needs_attention(row, NOW)}

    assert 0 < len(flagged) < len(matrix)
    assert _ids_where(health.needs_attention_sql(NOW)) == flagged


@pytest.mark.parametrize("check", health.CHECKS, ids=lambda check: check.key)
def test_each_check_sql_twin_agrees_with_python(matrix, check):
    failing = {row.id for row in matrix if check.fails(row, NOW)}

    assert 0 < len(failing) < len(matrix), "the matrix must exercise both outcomes"
    assert _ids_where(check.fails_sql(NOW)) == failing


def test_expiry_rows_come_back_aware_and_exact(matrix):
    at_now = [row for row in matrix if row.expires_at == NOW]

    assert at_now
    assert all(row.expires_at.tzinfo is not None for row in at_now)
    assert all(health.failing_keys(row, NOW).count("expired") == 1 for row in at_now)
