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
from .extensions import db


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


def register(app: Flask) -> None:
    for command in (init_db, setup_url, users, api_keys):
        app.cli.add_command(command)
