"""Signing in and out: messages, redirects, session handling and CSRF."""

import re

import pytest
from werkzeug.security import check_password_hash

from dashboard.auth import service
from dashboard.auth.service import authenticate, safe_next_path
from dashboard.auth.views import LOGIN_FAILED
from dashboard.extensions import db

from . import factories
from .conftest import csrf_token_from

_TOKENS = re.compile(r'(csrf_token" type="hidden" value="|"X-CSRFToken": ")[^"]+')


def _post_login(client, email, password, **extra):
    token = csrf_token_from(client, "/login")
    data = {"email": email, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=data)


def _without_tokens(page: str) -> str:
    return _TOKENS.sub(r"\1TOKEN", page)


def test_root_sends_a_visitor_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_root_sends_a_signed_in_user_to_integrations(logged_in):
    response = logged_in.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/integrations"


def test_login_page_has_the_form_and_a_csrf_token(client, user):
    page = client.get("/login").get_data(as_text=True)

    assert 'name="email"' in page
    assert 'name="password"' in page
    assert 'name="remember"' in page
    assert 'name="csrf_token"' in page
    assert "setup-url" not in page


def test_login_page_points_to_setup_while_no_account_exists(client):
    page = client.get("/login").get_data(as_text=True)

    assert "No account exists yet" in page
    assert "flask --app wsgi setup-url" in page
    assert "make run" in page


def test_good_credentials_sign_in_and_land_on_integrations(client, user):
    response = _post_login(client, "owner@example.com", factories.PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/integrations"
    assert client.get("/settings/api-keys").status_code == 200


def test_email_is_matched_without_regard_to_case_or_spaces(client, user):
    response = _post_login(client, "  Owner@Example.COM ", factories.PASSWORD)

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.com", factories.PASSWORD),
        ("owner@example.com", "a wrong password entirely"),
    ],
    ids=["unknown-email", "wrong-password"],
)
def test_failed_login_shows_the_same_message(client, user, email, password):
    response = _post_login(client, email, password)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert LOGIN_FAILED in page
    assert "_user_id" not in _session_of(client)
    assert client.get("/settings/api-keys").status_code == 302


def test_unknown_email_and_wrong_password_give_identical_pages(client, user):
    unknown = _post_login(client, "nobody@example.com", "whatever it is here")
    wrong = _post_login(client, "owner@example.com", "whatever it is here")

    unknown_page = _without_tokens(unknown.get_data(as_text=True))
    wrong_page = _without_tokens(wrong.get_data(as_text=True))
    assert unknown.status_code == wrong.status_code == 200
    assert unknown_page.replace("nobody@", "owner@") == wrong_page


def test_unknown_email_still_checks_a_password_hash(app, user, monkeypatch):
    checked = []

    def counting_check(stored, password):
        checked.append(stored)
        return check_password_hash(stored, password)

    monkeypatch.setattr(service, "check_password_hash", counting_check)

    assert authenticate(db.session, "nobody@example.com", "some password") is None
    assert authenticate(db.session, "owner@example.com", "some password") is None
    assert authenticate(db.session, "owner@example.com", factories.PASSWORD) == user
    assert len(checked) == 3


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("", factories.PASSWORD, "This field is required."),
        ("owner@example.com", "", "This field is required."),
        ("owner@example.com", "x" * 5000, "Field cannot be longer than"),
    ],
    ids=["no-email", "no-password", "huge-password"],
)
def test_incomplete_login_form_shows_field_errors(
    client, user, email, password, message
):
    response = _post_login(client, email, password)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert "_user_id" not in _session_of(client)


@pytest.mark.parametrize(
    "body",
    [
        {"email": 5, "password": "x"},
        {"email": ["a", "b"], "password": {"x": 1}},
        "x",
        [1, 2],
        None,
    ],
    ids=["number", "list-and-object", "string", "array", "null"],
)
def test_a_json_body_is_not_read_as_the_login_form(client, user, body):
    token = csrf_token_from(client, "/login")

    response = client.post("/login", json=body, headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    assert "_user_id" not in _session_of(client)


def test_right_credentials_in_json_do_not_sign_in(client, user):
    token = csrf_token_from(client, "/login")
    body = {"email": "owner@example.com", "password": factories.PASSWORD, "next": 5}

    response = client.post("/login", json=body, headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert "_user_id" not in _session_of(client)


@pytest.mark.parametrize(
    ("email", "query"),
    [("a\x00b@example.com", ""), ("owner@example.com", "?next=/a%00b")],
    ids=["in-the-email", "in-next"],
)
def test_nul_in_a_login_is_refused_with_the_html_error_page(client, user, email, query):
    token = csrf_token_from(client, "/login")
    data = {"email": email, "password": factories.PASSWORD, "csrf_token": token}

    response = client.post("/login" + query, data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "400 Bad Request" in page
    assert "NUL character" in page
    assert "_user_id" not in _session_of(client)


def test_login_starts_a_new_session(client, user):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    old_token = csrf_token_from(client, "/login")
    old_cookie = client.get_cookie("session").value

    response = _post_login(client, "owner@example.com", factories.PASSWORD)

    assert response.status_code == 302
    session = _session_of(client)
    assert "planted" not in session
    assert "_user_id" in session
    assert client.get_cookie("session").value != old_cookie
    # A CSRF token from before sign-in belongs to the old session.
    stale = client.post(
        "/settings/api-keys", data={"name": "x", "csrf_token": old_token}
    )
    assert stale.status_code == 400


def test_signed_in_visit_to_login_goes_to_integrations(logged_in):
    response = logged_in.get("/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/integrations"


def test_login_required_pages_send_back_after_sign_in(client, user):
    response = client.get("/settings/api-keys")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/settings/api-keys"' in page
    signed_in = _post_login(
        client, "owner@example.com", factories.PASSWORD, next="/settings/api-keys"
    )
    assert signed_in.headers["Location"] == "/settings/api-keys"


@pytest.mark.parametrize(
    ("next_path", "landing"),
    [
        ("/integrations", "/integrations"),
        ("/settings/api-keys?tab=1", "/settings/api-keys?tab=1"),
        ("//evil.example", "/integrations"),
        ("https://evil.example/", "/integrations"),
        ("/\\evil.example", "/integrations"),
        ("javascript:alert(1)", "/integrations"),
        ("  /x", "/integrations"),
        ("/\t/evil.example", "/integrations"),
        ("/x\\@evil.example", "/integrations"),
        ("", "/integrations"),
    ],
)
def test_login_redirects_only_to_local_paths(client, user, next_path, landing):
    response = _post_login(
        client, "owner@example.com", factories.PASSWORD, next=next_path
    )

    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_next_in_the_query_string_is_honoured_and_checked(client, user):
    token = csrf_token_from(client, "/login")
    data = {
        "email": "owner@example.com",
        "password": factories.PASSWORD,
        "csrf_token": token,
    }

    response = client.post("/login?next=//evil.example", data=data)

    assert response.headers["Location"] == "/integrations"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http://evil.example",
        "https:/evil.example",
        "evil.example",
        "javascript:alert(1)",
        "data:text/html,x",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "/\x00x",
        "/\u200b/evil.example",
        " /x",
        "/x" + "a" * 5000,
        None,
    ],
)
def test_safe_next_path_refuses_other_sites(target):
    assert safe_next_path(target) is None


@pytest.mark.parametrize(
    "target", ["/", "/integrations", "/integrations/abc?page=2", "/a/b#frag"]
)
def test_safe_next_path_keeps_local_paths(target):
    assert safe_next_path(target) == target


def test_logout_needs_post(logged_in):
    response = logged_in.get("/logout")

    assert response.status_code == 405
    assert logged_in.get("/settings/api-keys").status_code == 200


def test_logout_without_csrf_token_is_refused(logged_in):
    response = logged_in.post("/logout")

    assert response.status_code == 400
    assert logged_in.get("/settings/api-keys").status_code == 200


def test_logout_button_carries_a_working_csrf_token(logged_in):
    page = logged_in.get("/integrations").get_data(as_text=True)
    button = re.search(
        r'action="/logout" class="inline-form">\s*'
        r'<input name="csrf_token" type="hidden" value="([^"]+)">',
        page,
    )
    assert button, "the sign-out button has no CSRF token"

    response = logged_in.post("/logout", data={"csrf_token": button.group(1)})

    assert response.status_code == 302
    assert "_user_id" not in _session_of(logged_in)


def test_logout_ends_the_session(logged_in, auth):
    response = auth.logout()

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "_user_id" not in _session_of(logged_in)
    protected = logged_in.get("/settings/api-keys")
    assert protected.status_code == 302
    assert protected.headers["Location"].startswith("/login")


def test_remember_me_cookie_is_set_and_cleared_by_logout(client, auth, user):
    response = _post_login(
        client, "owner@example.com", factories.PASSWORD, remember="y"
    )
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None

    auth.logout()

    assert client.get_cookie("remember_token") is None
    client.delete_cookie("session")
    assert client.get("/settings/api-keys").status_code == 302


def test_remember_me_cookie_signs_in_again_without_a_session(client, user):
    _post_login(client, "owner@example.com", factories.PASSWORD, remember="y")

    client.delete_cookie("session")

    assert client.get("/settings/api-keys").status_code == 200


@pytest.mark.parametrize("path", ["/login", "/logout"])
def test_posts_without_csrf_token_get_400(client, user, path):
    response = client.post(
        path, data={"email": "owner@example.com", "password": factories.PASSWORD}
    )

    assert response.status_code == 400
    assert "_user_id" not in _session_of(client)


def _session_of(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def test_passwords_are_stored_as_scrypt_hashes_by_default(app):
    from dashboard.auth.service import authenticate, create_user

    del app.config["PASSWORD_HASH_METHOD"]
    user = create_user(db.session, "scrypt@example.com", "a long enough password")

    assert user.password_hash.startswith("scrypt:")
    assert "a long enough password" not in user.password_hash
    assert authenticate(db.session, "scrypt@example.com", "a long enough password")
    assert authenticate(db.session, "nobody@example.com", "whatever it is") is None


def test_cookies_copied_before_sign_out_stop_working(app, client, user):
    token = csrf_token_from(client, "/login")
    client.post(
        "/login",
        data={
            "email": "owner@example.com",
            "password": factories.PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
    )
    copied = {
        name: client.get_cookie(name).value for name in ("session", "remember_token")
    }

    auth_token = csrf_token_from(client, "/integrations")
    assert client.post("/logout", data={"csrf_token": auth_token}).status_code == 302

    for name, value in copied.items():
        thief = app.test_client()
        thief.set_cookie(name, value)
        response = thief.get("/integrations")
        assert response.status_code == 302, f"the copied {name} cookie still works"
        assert response.headers["Location"].startswith("/login")


def test_a_session_from_before_a_token_change_is_refused(app, logged_in, user):
    assert logged_in.get("/integrations").status_code == 200

    service.end_all_sessions(db.session, user)

    assert logged_in.get("/integrations").status_code == 302
