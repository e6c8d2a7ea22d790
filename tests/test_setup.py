"""The one-time /setup page that creates the first account."""

import http.client
import re
import threading
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from dashboard.auth.service import (
    SetupClosed,
    create_first_user,
    setup_token,
    setup_token_matches,
)
from dashboard.extensions import db
from dashboard.models import SetupClaim, User

from .conftest import csrf_token_from

PASSWORD = "a long enough password"
_CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"')


@pytest.fixture
def token(app) -> str:
    return setup_token(app.config["SECRET_KEY"])


def _form(client, token, **fields):
    data = {
        "email": "first@example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "token": token,
        "csrf_token": csrf_token_from(client, "/login"),
    }
    data.update(fields)
    return data


def _user_count() -> int:
    db.session.rollback()  # read what other sessions committed since
    return db.session.scalar(select(func.count(User.id)))


def test_setup_token_is_stable_and_checked_exactly(app, token):
    secret = app.config["SECRET_KEY"]

    assert len(token) == 32
    assert setup_token(secret) == token
    assert setup_token(secret + "x") != token
    assert setup_token_matches(secret, token)
    assert not setup_token_matches(secret, token[:-1])
    assert not setup_token_matches(secret, "")
    assert not setup_token_matches(secret, "é" * 32)


@pytest.mark.parametrize("query", ["", "?token=", "?token=wrong", "?token=%C3%A9"])
def test_setup_without_the_right_token_is_403(client, token, query):
    response = client.get("/setup" + query)

    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "flask --app wsgi setup-url" in page
    assert "make run" in page
    assert token not in page
    assert 'name="password"' not in page


def test_setup_post_with_a_wrong_token_is_403_and_creates_nothing(client, token):
    response = client.post("/setup", data=_form(client, "0" * 32))

    assert response.status_code == 403
    assert token not in response.get_data(as_text=True)
    assert _user_count() == 0


def test_setup_post_without_a_token_is_403(client):
    data = _form(client, "")
    del data["token"]

    assert client.post("/setup", data=data).status_code == 403
    assert _user_count() == 0


def test_setup_with_the_token_shows_the_form_uncached(client, token):
    response = client.get(f"/setup?token={token}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    for name in ("email", "password", "confirm", "csrf_token"):
        assert f'name="{name}"' in page
    assert f'name="token" type="hidden" value="{token}"' in page


def test_setup_creates_the_account_and_signs_in(client, token):
    response = client.post("/setup", data=_form(client, token))

    assert response.status_code == 302
    assert response.headers["Location"] == "/integrations"
    assert _user_count() == 1
    assert db.session.scalar(select(User.email)) == "first@example.com"
    assert client.get("/settings/api-keys").status_code == 200


def test_setup_starts_a_new_session(client, token):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    client.post("/setup", data=_form(client, token))

    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_setup_is_closed_once_an_account_exists(client, token):
    client.post("/setup", data=_form(client, token))
    stranger = client.application.test_client()

    page = stranger.get(f"/setup?token={token}")
    again = stranger.post(
        "/setup", data=_form(stranger, token, email="second@example.com")
    )

    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "Setup is closed" in text
    assert 'href="/login"' in text
    assert again.status_code == 404
    assert _user_count() == 1


def test_setup_is_closed_when_an_account_was_made_with_the_cli(client, user, token):
    response = client.get(f"/setup?token={token}")

    assert response.status_code == 404
    assert "Setup is closed" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"confirm": PASSWORD + "!"}, "confirm", "The two passwords do not match."),
        ({"password": "short", "confirm": "short"}, "password", "at least 12"),
        ({"email": "not-an-email"}, "email", "Enter an email address"),
        ({"email": "a b@example.com"}, "email", "cannot contain spaces"),
        ({"email": ""}, "email", "This field is required."),
        ({"password": "", "confirm": ""}, "password", "This field is required."),
    ],
    ids=["mismatch", "short", "no-at", "space", "no-email", "no-password"],
)
def test_setup_form_errors_sit_next_to_their_field(
    client, token, fields, field, message
):
    response = client.post("/setup", data=_form(client, token, **fields))

    page = response.get_data(as_text=True)
    errors = re.search(
        rf'<ul id="{field}-errors" class="field-errors">(.*?)</ul>', page, re.S
    )
    assert response.status_code == 200
    assert errors and message in errors.group(1)
    assert f'name="token" type="hidden" value="{token}"' in page
    assert PASSWORD not in page
    assert _user_count() == 0


def test_setup_post_without_csrf_token_is_400(client, token):
    data = _form(client, token)
    del data["csrf_token"]

    assert client.post("/setup", data=data).status_code == 400
    assert _user_count() == 0


@pytest.mark.parametrize(
    "make_body",
    [
        lambda token: {"token": 5},
        lambda token: {"token": token, "email": 5, "password": [1], "confirm": None},
        lambda token: "x",
        lambda token: [1, 2],
    ],
    ids=["number-token", "odd-fields", "string", "array"],
)
def test_a_json_body_is_not_read_as_the_setup_form(client, token, make_body):
    csrf = csrf_token_from(client, "/login")

    response = client.post(
        "/setup", json=make_body(token), headers={"X-CSRFToken": csrf}
    )

    # The token travels in the form alone, so a JSON body carries none.
    assert response.status_code == 403
    assert token not in response.get_data(as_text=True)
    assert _user_count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "a\x00b@example.com"},
        {
            "password": "a long\x00enough password",
            "confirm": "a long\x00enough password",
        },
        {"token": "\x00"},
        {"a\x00b": "1"},
    ],
    ids=["email", "password", "token", "field-name"],
)
def test_nul_in_the_setup_form_is_refused_with_400(client, token, fields):
    data = {**_form(client, token), **fields}

    response = client.post("/setup", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "NUL character" in page
    assert token not in page
    assert _user_count() == 0


def test_create_first_user_works_only_once(app):
    create_first_user(db.session, "first@example.com", PASSWORD)

    with pytest.raises(SetupClosed):
        create_first_user(db.session, "second@example.com", PASSWORD)
    assert _user_count() == 1


def test_create_first_user_refuses_a_second_claim(app):
    # Another process may have claimed setup without this session seeing a user.
    db.session.add(SetupClaim(id=1))
    db.session.commit()

    with pytest.raises(SetupClosed):
        create_first_user(db.session, "first@example.com", PASSWORD)
    assert _user_count() == 0


class _Browser:
    """One visitor with its own session cookie, talking to a real server."""

    def __init__(self, port: int):
        self.port = port
        self.cookies = SimpleCookie()

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(
                f"{name}={morsel.value}" for name, morsel in self.cookies.items()
            )
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"

        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(cookie)
            return response.status, text
        finally:
            connection.close()


@pytest.fixture
def live_server(app):
    """Serve ``app`` from a real threaded server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_two_setups_at_once_create_exactly_one_account(app, live_server, token):
    browsers = [_Browser(live_server) for _ in range(2)]
    forms = []
    for number, browser in enumerate(browsers):
        status, page = browser.request("GET", f"/setup?token={token}")
        assert status == 200
        forms.append(
            {
                "email": f"racer{number}@example.com",
                "password": PASSWORD,
                "confirm": PASSWORD,
                "token": token,
                "csrf_token": _CSRF_IN_PAGE.search(page).group(1),
            }
        )

    barrier = threading.Barrier(2)
    statuses = [None, None]

    def submit(number: int) -> None:
        barrier.wait(timeout=10)
        statuses[number], _ = browsers[number].request("POST", "/setup", forms[number])

    racers = [threading.Thread(target=submit, args=(n,)) for n in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)

    assert sorted(statuses) == [302, 404]
    assert _user_count() == 1
    assert db.session.scalar(select(func.count(SetupClaim.id))) == 1
