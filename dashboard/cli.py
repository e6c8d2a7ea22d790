"""Command-line tasks: ``flask --app wsgi <command>``."""

import click
from flask import Flask, current_app
from flask_migrate import upgrade

from .api_keys.service import MAX_NAME_LENGTH, NameTooLong, create_api_key
from .auth.service import (
    EmailTaken,
    any_user_exists,
    create_user,
    email_problem,
    find_user_by_email,
    password_problem,
    setup_token,
)
from .config import MAX_BODY_BYTES
from .extensions import db
from .integrations.contract import InvalidRequest, parse_json_body, validate_input
from .integrations.service import DuplicateIdentifier, save_integration


@click.command("init-db")
def init_db() -> None:
    """Create the database or upgrade it to the newest schema."""
    upgrade()
    click.echo("The database is ready, at the newest schema.")


@click.command("setup-url")
@click.option("--base", default="http://127.0.0.1:5000", show_default=True)
def setup_url(base: str) -> None:
    """Print the address that creates the first account, while none exists."""
    base = base.rstrip("/")
    if any_user_exists(db.session):
        click.echo("Setup is done: an account exists. Sign in at " + base + "/login")
        return
    token = setup_token(current_app.config["SECRET_KEY"])
    click.echo(f"Create the first account at {base}/setup?token={token}")


users = click.Group("users", help="Manage dashboard accounts.")


@users.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email: str, password: str) -> None:
    """Create an account that signs in with EMAIL and the password."""
    problem = email_problem(email)
    if problem:
        raise click.BadParameter(problem, param_hint="EMAIL")
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="--password")

    try:
        user = create_user(db.session, email, password)
    except EmailTaken:
        raise click.ClickException(f"an account for {email} already exists") from None
    click.echo(f"Created account {user.email}.")


api_keys = click.Group("api-keys", help="Manage API keys.")


@api_keys.command("create")
@click.argument("email")
@click.option("--name", default="CLI key", show_default=True)
def create_key(email: str, name: str) -> None:
    """Create an API key for the account EMAIL and print it once."""
    user = find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"no account for {email}")

    try:
        new_key = create_api_key(db.session, user, name)
    except NameTooLong:
        raise click.BadParameter(
            f"use at most {MAX_NAME_LENGTH} characters", param_hint="--name"
        ) from None
    click.echo(f"Created API key {new_key.record.name!r} for {user.email}.")
    click.echo("It is shown only now; store it somewhere safe:")
    click.echo(new_key.plaintext)


integrations = click.Group("integrations", help="Manage integrations.")


@integrations.command("save")
@click.argument("email")
@click.argument("body", type=click.File("rb"))
def save_integration_command(email: str, body) -> None:
    """Save an integration for EMAIL from a JSON file (or - for stdin).

    The file holds the same JSON object as the API's save request.
    """
    user = find_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"no account for {email}")

    try:
        payload = validate_input(parse_json_body(body.read(MAX_BODY_BYTES + 1)))
        outcome = save_integration(db.session, user, payload, via="cli", actor="CLI")
    except InvalidRequest as problem:
        for detail in problem.details:
            location = ".".join(str(part) for part in detail["loc"][1:]) or "body"
            click.echo(f"{location}: {detail['msg']}", err=True)
        raise click.ClickException("nothing was saved") from None
    except DuplicateIdentifier as duplicate:
        raise click.ClickException(
            f"unique_identifier is already used by integration {duplicate.existing_id}"
        ) from None

    for warning in outcome.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"Saved integration {outcome.integration.id}.")


def register(app: Flask) -> None:
    for command in (init_db, setup_url, users, api_keys, integrations):
        app.cli.add_command(command)
