"""Sign-in attempts are limited per account and per address; API calls per key."""

import pytest

from dashboard import create_app
from dashboard.extensions import db, limiter

from . import factories
from .conftest import base_config, csrf_token_from

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
    "LOGIN_LIMIT_PER_ADDRESS": "5 per minute",
    "API_RATE_LIMIT": "3 per minute",
}


@pytest.fixture
def limited(app, database_url):
    """A second app on the same database, with small limits and fresh counters."""
    limited_app = create_app({**base_config(database_url), **LIMITS})
    limiter.reset()
    yield limited_app
    limiter.reset()
    with limited_app.app_context():
        db.engine.dispose()


def attempt(client, email, address, password="wrong password here"):
    environ = {"REMOTE_ADDR": address}
    token = csrf_token_from(client, "/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ,
    )


def test_attempts_on_one_account_are_limited_from_any_address(limited, user):
    client = limited.test_client()

    answers = [
        attempt(client, "owner@example.com", f"10.0.0.{n}").status_code
        for n in range(4)
    ]

    assert answers == [200, 200, 200, 429]


def test_the_limit_page_says_what_to_do_and_when(limited, user):
    client = limited.test_client()
    for n in range(3):
        attempt(client, "owner@example.com", f"10.0.1.{n}")

    refused = attempt(client, "owner@example.com", "10.0.1.9")

    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert "Traceback" not in refused.get_data(as_text=True)


def test_attempts_from_one_address_are_limited_across_accounts(limited, user):
    client = limited.test_client()

    answers = [
        attempt(client, f"someone{n}@example.com", "10.0.2.1").status_code
        for n in range(6)
    ]

    assert answers == [200, 200, 200, 200, 200, 429]


def test_the_right_password_is_refused_too_once_the_limit_is_reached(limited, user):
    client = limited.test_client()
    for n in range(3):
        attempt(client, "owner@example.com", f"10.0.3.{n}")

    response = attempt(
        client, "owner@example.com", "10.0.3.9", password=factories.PASSWORD
    )

    assert response.status_code == 429


def test_api_calls_are_limited_per_key_with_the_envelope(limited, user, api_key):
    other_key = factories.make_api_key(user, name="second")
    client = limited.test_client()
    body = {"name": "Limited", "integration_type": "github"}

    answers = [
        client.post(
            "/api/v2/integrations/save", json=body, headers={"x-api-key": api_key}
        )
        for _ in range(4)
    ]
    other = client.post(
        "/api/v2/integrations/save", json=body, headers={"x-api-key": other_key}
    )

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.get_json() == {
        "success": False,
        "data": None,
        "error": "Too many requests; wait and try again.",
    }
    assert int(refused.headers["Retry-After"]) > 0
    assert other.status_code == 200


def test_guessing_keys_is_limited_per_address(limited, user, api_key):
    client = limited.test_client()
    environ = {"REMOTE_ADDR": "10.0.9.9"}
    body = {"name": "Guess", "integration_type": "github"}

    guesses = [
        client.post(
            "/api/v2/integrations/save",
            json=body,
            headers={"x-api-key": f"sk-{n:048x}"},
            environ_base=environ,
        ).status_code
        for n in range(6)
    ]
    elsewhere = client.post(
        "/api/v2/integrations/save",
        json=body,
        headers={"x-api-key": api_key},
        environ_base={"REMOTE_ADDR": "10.0.9.10"},
    )

    assert guesses == [401, 401, 401, 429, 429, 429]
    assert elsewhere.status_code == 200


REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_workers_sharing_redis_share_the_login_limit(app, database_url, user):
    """Two apps stand for two workers: attempts on either count together."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    config = {**base_config(database_url), **LIMITS}
    config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    workers = [create_app(config), create_app(config)]

    answers = [
        attempt(
            workers[n % 2].test_client(), "owner@example.com", f"10.1.0.{n}"
        ).status_code
        for n in range(4)
    ]

    assert answers == [200, 200, 200, 429]
    # The counters live in Redis, where every worker process sees them.
    stored = redis.Redis.from_url(REDIS_URL).keys("*")
    assert any(b"login-account:owner@example.com" in key for key in stored)
    redis.Redis.from_url(REDIS_URL).flushdb()
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()
