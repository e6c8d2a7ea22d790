"""Every browser form that changes something checks its CSRF token.

The walk reads the URL map, so a form route added later is covered too. The
JSON API is the exception: it accepts only the x-api-key header, so a forged
cross-site request has nothing to ride on.
"""

import pytest
from flask import url_for
from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.models import ApiKey, AuditEntry, Integration, User

from . import factories

SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _counts() -> tuple:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (User, ApiKey, Integration, AuditEntry)
    )


@pytest.fixture
def objects(user):
    integration = factories.make_integration(user, scope_data={"org_slug": "acme"})
    factories.make_api_key(user)
    key = db.session.scalars(select(ApiKey)).first()
    return {"integration_id": integration.id, "key_id": key.public_id}


def _form_routes(app, values):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static")):
            continue
        for method in sorted(rule.methods & SUBMIT_METHODS):
            missing = set(rule.arguments) - set(values)
            assert not missing, f"teach this test how to fill {missing} for {rule}"
            with app.test_request_context():
                url = url_for(rule.endpoint, **{a: values[a] for a in rule.arguments})
            yield method, url


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_every_form_route_refuses_a_missing_or_forged_token(
    app, logged_in, objects, token
):
    routes = list(_form_routes(app, objects))
    assert len(routes) >= 8
    before = _counts()

    for method, url in routes:
        data = {"csrf_token": token} if token else {}
        response = logged_in.open(url, method=method, data=data)

        assert response.status_code == 400, f"{method} {url}"
    assert _counts() == before


def test_the_api_ignores_the_session_cookie(logged_in):
    response = logged_in.post(
        "/api/v2/integrations/save", json={"name": "x", "integration_type": "jira"}
    )

    assert response.status_code == 401
