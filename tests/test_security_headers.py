"""Headers and cookies: a strict CSP, no framing, no sniffing, no caching of pages."""

import re
from pathlib import Path

import pytest

from dashboard import create_app
from dashboard.extensions import db

from .conftest import base_config

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGES = ["/integrations", "/integrations/new", "/settings/api-keys"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_a_strict_policy_and_are_not_cached(logged_in, path):
    response = logged_in.get(path)

    policy = response.headers["Content-Security-Policy"]
    assert response.status_code == 200
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_carries_the_policy_too(client):
    response = client.get("/login")

    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_api_answers_carry_the_same_headers(client):
    response = client.post("/api/v2/integrations/save", json={})

    assert response.status_code == 401
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    response = client.get("/static/vendor/htmx-2.0.11.min.js")

    assert response.status_code == 200
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert "no-store" not in response.headers["Cache-Control"]
    response.close()


def _session_cookie(response) -> str:
    cookies = response.headers.getlist("Set-Cookie")
    return next(cookie for cookie in cookies if cookie.startswith("session="))


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, user):
    cookie = _session_cookie(auth.login())

    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_served_over_https(database_url, monkeypatch):
    monkeypatch.setenv("SECURE_COOKIES", "1")
    app = create_app(base_config(database_url))
    client = app.test_client()

    page = client.get("/login", base_url="https://localhost")
    cookie = _session_cookie(page)

    assert "Secure" in cookie
    assert "Strict-Transport-Security" in page.headers
    with app.app_context():
        db.engine.dispose()


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on*= event handler"),
    (re.compile(r"\shx-on", re.I), "hx-on handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name
)
def test_templates_have_no_inline_script_style_or_handlers(template):
    text = template.read_text()

    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template.name}: {found}"
