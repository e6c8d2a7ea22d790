"""Shell commands that call each API route; $KEY and $ID stand for real values."""

import json
import shlex
from dataclasses import dataclass

from ..api_keys.service import EXAMPLE_BODY

PATCH_BODY = {
    "status": "inactive",
    "active": False,
    "auth_data": {"refresh_token": None},
    "metadata": {"description": "Paused while the token is renewed"},
}
KEY_HEADER = '-H "x-api-key: $KEY"'


@dataclass(frozen=True)
class Example:
    key: str
    title: str
    explanation: str
    command: str


def with_variable(url: str, suffix: str = "") -> str:
    """Quote ``url`` for the shell, then append ``suffix`` where $ID expands."""
    escaped = url
    for special in ("\\", '"', "$", "`"):
        escaped = escaped.replace(special, "\\" + special)
    return f'"{escaped}{suffix}"'


def _lines(*parts: str) -> str:
    return " \\\n  ".join(parts)


def build_examples(save_url: str, list_url: str, openapi_url: str) -> list[Example]:
    """Every route's call, against this server's own addresses."""
    one = with_variable(list_url, "/$ID")
    save_body = json.dumps(EXAMPLE_BODY, indent=2)
    patch_body = json.dumps(PATCH_BODY, indent=2)
    return [
        Example(
            "save",
            "Save an integration",
            "Creates an integration; data.integration_id is its id.",
            _lines(
                f"curl -sS -X POST {shlex.quote(save_url)}",
                "-H 'Content-Type: application/json'",
                KEY_HEADER,
                f"-d {shlex.quote(save_body)}",
            ),
        ),
        Example(
            "list",
            "List integrations",
            "Filters: type, status, active, org_slug, workspace_id, "
            "needs_attention; pages: page, per_page (at most 100).",
            _lines(
                "curl -sS -G " + shlex.quote(list_url),
                "--data-urlencode 'type=sentry'",
                "--data-urlencode 'needs_attention=true'",
                KEY_HEADER,
            ),
        ),
        Example(
            "get",
            "Show one integration",
            "With every health check, its reason and its fix.",
            _lines(f"curl -sS {one}", KEY_HEADER),
        ),
        Example(
            "patch",
            "Change an integration",
            "A JSON merge patch: absent keys stay as they are, null resets a "
            "field to its default or clears a secret.",
            _lines(
                f"curl -sS -X PATCH {one}",
                "-H 'Content-Type: application/merge-patch+json'",
                KEY_HEADER,
                f"-d {shlex.quote(patch_body)}",
            ),
        ),
        Example(
            "delete",
            "Delete an integration",
            "Deletes it and its secrets; its history stays on the dashboard.",
            _lines(f"curl -sS -X DELETE {one}", KEY_HEADER),
        ),
        Example(
            "openapi",
            "Read the OpenAPI document",
            "Needs no key.",
            f"curl -sS {shlex.quote(openapi_url)}",
        ),
    ]
