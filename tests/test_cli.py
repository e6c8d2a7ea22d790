"""The command line: init-db, users create, api-keys create, setup-url."""

import pytest
from sqlalchemy import func, select

from dashboard import cli
from dashboard.api_keys.service import find_live_key
from dashboard.auth import service as auth_service
from dashboard.auth.service import authenticate, setup_token
from dashboard.extensions import db
from dashboard.models import ApiKey, Integration, User

PASSWORD = "a long enough password"


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)))


def test_init_db_upgrades_an_up_to_date_database(runner):
    result = runner.invoke(args=["init-db"])

    assert result.exit_code == 0, result.output
    assert "The database is ready" in result.output


def test_users_create_makes_an_account_that_can_sign_in(runner):
    result = runner.invoke(
        args=["users", "create", "New@Example.com", "--password", PASSWORD]
    )

    assert result.exit_code == 0, result.output
    assert "Created account new@example.com." in result.output
    assert PASSWORD not in result.output
    assert authenticate(db.session, "new@example.com", PASSWORD) is not None


def test_the_users_create_command_leaves_the_service_name_alone():
    # A command named like the service function would hide it in this module.
    assert cli.create_user is auth_service.create_user
    assert cli.users.get_command(None, "create") is cli.create_user_command


def test_users_create_asks_for_the_password_when_not_given(runner):
    result = runner.invoke(
        args=["users", "create", "new@example.com"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert authenticate(db.session, "new@example.com", PASSWORD) is not None


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("new@example.com", "short", "Use at least 12 characters."),
        ("new@example.com", "x" * 2000, "Use at most 1024 characters."),
        ("not-an-email", PASSWORD, "Enter an email address"),
        ("a b@example.com", PASSWORD, "cannot contain spaces"),
    ],
    ids=["short-password", "huge-password", "no-at", "space"],
)
def test_users_create_refuses_bad_input(runner, email, password, message):
    result = runner.invoke(args=["users", "create", email, "--password", password])

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert _count(User) == 0


def test_users_create_refuses_a_taken_email(runner, user):
    result = runner.invoke(
        args=["users", "create", "OWNER@example.com", "--password", PASSWORD]
    )

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert _count(User) == 1


def test_api_keys_create_prints_a_working_key_on_its_last_line(runner, user):
    result = runner.invoke(args=["api-keys", "create", "owner@example.com"])

    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("sk-")
    assert find_live_key(db.session, key).user == user
    assert db.session.scalar(select(ApiKey.name)) == "CLI key"


def test_api_keys_create_uses_the_given_name(runner, user):
    result = runner.invoke(
        args=["api-keys", "create", "owner@example.com", "--name", "nightly sync"]
    )

    assert result.exit_code == 0, result.output
    assert "'nightly sync'" in result.output
    assert db.session.scalar(select(ApiKey.name)) == "nightly sync"


def test_api_keys_create_needs_an_existing_account(runner, user):
    result = runner.invoke(args=["api-keys", "create", "nobody@example.com"])

    assert result.exit_code == 1
    assert "no account for nobody@example.com" in result.output
    assert _count(ApiKey) == 0


def test_api_keys_create_refuses_a_name_that_does_not_fit(runner, user):
    result = runner.invoke(
        args=["api-keys", "create", "owner@example.com", "--name", "x" * 101]
    )

    assert result.exit_code != 0
    assert "at most 100 characters" in result.output
    assert _count(ApiKey) == 0


def test_setup_url_prints_the_setup_address_while_no_account_exists(app, runner):
    token = setup_token(app.config["SECRET_KEY"])

    result = runner.invoke(args=["setup-url", "--base", "http://127.0.0.1:5102/"])

    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"http://127.0.0.1:5102/setup?token={token}")


def test_setup_url_says_setup_is_done_once_an_account_exists(app, runner, user):
    token = setup_token(app.config["SECRET_KEY"])

    result = runner.invoke(args=["setup-url"])

    assert result.exit_code == 0
    assert "Setup is done" in result.output
    assert "http://127.0.0.1:5000/login" in result.output
    assert token not in result.output


def test_cli_account_can_sign_in_on_the_web(runner, auth):
    runner.invoke(args=["users", "create", "cli@example.com", "--password", PASSWORD])

    response = auth.login(email="cli@example.com", password=PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/integrations"


def test_integrations_save_reads_the_api_body_and_records_cli(runner, user):
    body = (
        '{"name": "From the shell", "integration_type": "linear",'
        ' "auth_data": {"access_token": "tok-cli-0123456789"},'
        ' "scope_data": {"workspace_id": "acme"}}'
    )

    result = runner.invoke(
        args=["integrations", "save", "owner@example.com", "-"], input=body
    )

    assert result.exit_code == 0, result.output
    assert "Saved integration" in result.output
    assert "tok-cli-0123456789" not in result.output
    saved = db.session.scalars(select(Integration)).one()
    assert (saved.created_via, saved.workspace_id) == ("cli", "acme")


def test_integrations_save_lists_every_problem_and_saves_nothing(runner, user):
    result = runner.invoke(
        args=["integrations", "save", "owner@example.com", "-"],
        input='{"name": " ", "integration_type": "Sentry", "active": "yes"}',
    )

    assert result.exit_code == 1
    assert "name:" in result.output and "integration_type:" in result.output
    assert "active:" in result.output
    assert "nothing was saved" in result.output
    assert db.session.scalars(select(Integration)).first() is None
