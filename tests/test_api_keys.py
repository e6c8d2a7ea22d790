"""The API keys page: created keys are shown once, listed by prefix, revocable."""

import re
import shlex
import uuid

import pytest
from sqlalchemy import select

from dashboard.api_keys.service import (
    MAX_NAME_LENGTH,
    NameTooLong,
    create_api_key,
    curl_example,
    find_live_key,
    keys_of,
    revoke_api_key,
)
from dashboard.crypto import hash_api_key
from dashboard.extensions import db
from dashboard.models import ApiKey

from . import factories
from .conftest import csrf_token_from

_KEY = re.compile(r"sk-[0-9a-f]{48}")


def _create(client, auth, name="deploy script"):
    token = auth.csrf_token("/settings/api-keys")
    return client.post("/settings/api-keys", data={"name": name, "csrf_token": token})


def _revoke(client, auth, key_id):
    token = auth.csrf_token("/settings/api-keys")
    return client.post(
        f"/settings/api-keys/{key_id}/revoke", data={"csrf_token": token}
    )


def _curl_url(page: str) -> str | None:
    # Only the address: a failing assert must not print the page and its key.
    match = re.search(r"curl -sS -X POST (\S+)", page)
    return match and match.group(1)


def _records() -> list[ApiKey]:
    db.session.expire_all()
    return list(db.session.scalars(select(ApiKey)))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/settings/api-keys"),
        ("POST", "/settings/api-keys"),
        ("POST", f"/settings/api-keys/{uuid.uuid4()}/revoke"),
    ],
)
def test_api_keys_page_needs_sign_in(client, user, api_key, method, path):
    data = {"name": "x", "csrf_token": csrf_token_from(client, "/login")}

    response = client.open(path, method=method, data=data)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert len(_records()) == 1
    assert _records()[0].revoked_at is None


def test_page_lists_nothing_at_first(logged_in):
    page = logged_in.get("/settings/api-keys").get_data(as_text=True)

    assert "You have no API keys yet." in page
    assert 'name="name"' in page


def test_creating_a_key_shows_it_once_without_caching(logged_in, auth, user):
    response = _create(logged_in, auth)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = set(_KEY.findall(page))
    assert len(shown) == 1
    key = shown.pop()
    assert find_live_key(db.session, key).user == user
    assert "Copy it now" in page
    assert _curl_url(page) == "http://localhost/api/v2/integrations/save"
    assert "x-api-key: " + key in page


def test_curl_example_follows_the_address_the_app_is_served_at(logged_in, auth):
    token = auth.csrf_token("/settings/api-keys")

    response = logged_in.post(
        "/settings/api-keys",
        data={"name": "deploy", "csrf_token": token},
        base_url="http://localhost/dash/",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _curl_url(page) == "http://localhost/dash/api/v2/integrations/save"


def test_new_key_stays_out_of_flash_and_session(logged_in, auth):
    key = _KEY.search(_create(logged_in, auth).get_data(as_text=True)).group(0)

    with logged_in.session_transaction() as session:
        assert key not in repr(dict(session))
    later = logged_in.get("/settings/api-keys")
    assert key not in later.get_data(as_text=True)


def test_list_shows_prefix_but_never_the_key_or_its_hash(logged_in, auth):
    key = _KEY.search(_create(logged_in, auth).get_data(as_text=True)).group(0)

    page = logged_in.get("/settings/api-keys").get_data(as_text=True)

    assert "deploy script" in page
    assert key[:11] in page
    assert key not in page
    assert key[:20] not in page
    assert hash_api_key(key) not in page
    assert "live" in page
    assert "never" in page


def test_list_shows_when_a_key_was_last_used(logged_in, user, api_key):
    find_live_key(db.session, api_key)
    db.session.commit()

    page = logged_in.get("/settings/api-keys").get_data(as_text=True)

    assert "never" not in page
    assert " UTC" in page


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * (MAX_NAME_LENGTH + 1), "Field cannot be longer than 100 characters."),
    ],
    ids=["empty", "blank", "too-long"],
)
def test_bad_names_are_refused_and_create_nothing(logged_in, auth, name, message):
    response = _create(logged_in, auth, name=name)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert not _KEY.search(page)
    assert _records() == []


@pytest.mark.parametrize(
    "body",
    [{"name": 123}, {"name": ["a", "b"]}, {"name": None}, "x", [1, 2], {}],
    ids=["number", "list", "null", "string", "array", "empty"],
)
def test_a_json_body_is_not_read_as_the_form(logged_in, auth, body):
    token = auth.csrf_token("/settings/api-keys")

    response = logged_in.post(
        "/settings/api-keys", json=body, headers={"X-CSRFToken": token}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This field is required." in page
    assert not _KEY.search(page)
    assert _records() == []


def test_a_json_body_with_a_good_name_creates_nothing(logged_in, auth):
    token = auth.csrf_token("/settings/api-keys")

    response = logged_in.post(
        "/settings/api-keys", json={"name": "deploy"}, headers={"X-CSRFToken": token}
    )

    assert response.status_code == 200
    assert _records() == []


@pytest.mark.parametrize("name", ["a\x00b", "\x00"])
def test_a_name_with_nul_is_refused_with_400(logged_in, auth, name):
    response = _create(logged_in, auth, name=name)

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "NUL character" in page
    assert _records() == []


def test_name_is_stored_trimmed(logged_in, auth):
    _create(logged_in, auth, name="  nightly sync  ")

    assert [record.name for record in _records()] == ["nightly sync"]


def test_revoking_a_key_stops_it_working(logged_in, auth, user, api_key):
    record = _records()[0]

    response = _revoke(logged_in, auth, record.public_id)

    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/api-keys"
    assert _records()[0].revoked_at is not None
    assert find_live_key(db.session, api_key) is None
    page = logged_in.get("/settings/api-keys").get_data(as_text=True)
    assert "The API key is revoked" in page
    assert "revoked 20" in page
    assert f"/settings/api-keys/{record.public_id}/revoke" not in page


def test_revoking_twice_is_harmless(logged_in, auth, api_key):
    record = _records()[0]
    _revoke(logged_in, auth, record.public_id)
    first_revoked_at = _records()[0].revoked_at

    response = _revoke(logged_in, auth, record.public_id)

    assert response.status_code == 302
    assert _records()[0].revoked_at == first_revoked_at


def test_revoking_another_users_key_is_404(logged_in, auth, other_user):
    theirs = factories.make_api_key(other_user)
    record = _records()[0]

    response = _revoke(logged_in, auth, record.public_id)

    assert response.status_code == 404
    assert find_live_key(db.session, theirs).user == other_user
    page = logged_in.get("/settings/api-keys").get_data(as_text=True)
    assert theirs[:11] not in page


@pytest.mark.parametrize(
    "key_id", ["0", "not-a-uuid", "x" * 300, str(uuid.uuid4()), "%25", "a%2Fb"]
)
def test_revoking_an_unknown_key_is_404(logged_in, auth, api_key, key_id):
    assert _revoke(logged_in, auth, key_id).status_code == 404
    assert _records()[0].revoked_at is None


@pytest.mark.parametrize("key_id", ["a%00b", "%00"])
def test_revoking_a_key_id_with_nul_is_400(logged_in, auth, api_key, key_id):
    response = _revoke(logged_in, auth, key_id)

    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert _records()[0].revoked_at is None


def test_revoking_accepts_the_id_in_capitals(logged_in, auth, api_key):
    record = _records()[0]

    response = _revoke(logged_in, auth, record.public_id.upper())

    assert response.status_code == 302
    assert _records()[0].revoked_at is not None


def test_revoke_buttons_carry_the_csrf_token_without_an_id(logged_in, auth):
    _create(logged_in, auth, name="first")
    _create(logged_in, auth, name="second")

    page = logged_in.get("/settings/api-keys").get_data(as_text=True)

    assert page.count('<input name="csrf_token" type="hidden" value="') == 3
    assert page.count('id="csrf_token"') == 1


def test_revoke_is_post_only(logged_in, api_key):
    record = _records()[0]

    response = logged_in.get(f"/settings/api-keys/{record.public_id}/revoke")

    assert response.status_code == 405


def test_posts_without_csrf_token_get_400(logged_in, api_key):
    record = _records()[0]

    create = logged_in.post("/settings/api-keys", data={"name": "sneaky"})
    revoke = logged_in.post(f"/settings/api-keys/{record.public_id}/revoke")

    assert create.status_code == 400
    assert revoke.status_code == 400
    assert len(_records()) == 1
    assert _records()[0].revoked_at is None


def test_service_keeps_only_a_hash(app, user):
    new_key = create_api_key(db.session, user, "  ")

    assert _KEY.fullmatch(new_key.plaintext)
    assert new_key.record.name == "API key"
    assert new_key.record.key_hash == hash_api_key(new_key.plaintext)
    assert new_key.record.prefix == new_key.plaintext[:11]
    assert new_key.plaintext not in repr(vars(new_key.record))


def test_service_refuses_a_name_that_does_not_fit(app, user):
    with pytest.raises(NameTooLong):
        create_api_key(db.session, user, "x" * (MAX_NAME_LENGTH + 1))
    assert _records() == []


def test_service_revokes_only_the_owners_key(app, user, other_user):
    mine = create_api_key(db.session, user, "mine")

    assert revoke_api_key(db.session, other_user, mine.record.public_id) is False
    assert revoke_api_key(db.session, user, mine.record.public_id) is True
    assert [key.is_revoked for key in keys_of(db.session, user)] == [True]


def test_curl_example_is_a_runnable_command():
    url = "https://dash.example:8443/api/v2/integrations/save"
    command = curl_example(url, "sk-" + "a" * 48)

    words = shlex.split(command.replace("\\\n", " "))
    assert words[:4] == ["curl", "-sS", "-X", "POST"]
    assert words[4] == url
    assert "x-api-key: sk-" + "a" * 48 in words
    assert '"integration_type": "sentry"' in words[-1]
