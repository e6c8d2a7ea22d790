"""Small helpers for calling the JSON API in tests."""

import json

from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.models import AuditEntry, Integration

SAVE = "/api/v2/integrations/save"
LIST = "/api/v2/integrations"
MERGE_PATCH = "application/merge-patch+json"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def one(integration_id: str) -> str:
    return f"/api/v2/integrations/{integration_id}"


def send(client, method, path, key=None, body=None, content_type=None, **kw):
    """Send ``body`` (encoded as JSON unless already bytes) with ``key``."""
    headers = dict(kw.pop("headers", {}))
    if key is not None:
        headers["x-api-key"] = key
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
        content_type = content_type or "application/json"
    return client.open(
        path,
        method=method,
        data=body,
        content_type=content_type,
        headers=headers,
        **kw,
    )


def patch(client, key, integration_id, body, content_type=MERGE_PATCH):
    return send(client, "PATCH", one(integration_id), key, body, content_type)


def ok(response) -> dict:
    """Return the document of a successful answer, checking its envelope."""
    assert response.status_code == 200, response.get_json()
    document = response.get_json()
    assert document["success"] is True
    assert document["error"] is None
    assert isinstance(document["warnings"], list)
    return document


def refused(response, status: int) -> dict:
    """Return the document of an error answer, checking its envelope."""
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert document["success"] is False
    assert document["data"] is None
    assert isinstance(document["error"], str) and document["error"]
    return document


def locations(document: dict) -> list[list]:
    return [problem["loc"] for problem in document["detail"]]


def stored(integration_id: str) -> Integration | None:
    db.session.expire_all()
    return db.session.get(Integration, integration_id)


def count(model=Integration) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_count() -> int:
    return count(AuditEntry)
