"""Hostile bodies by hand: odd unicode, nesting, sheer size, wrong types."""

import json

import pytest

from .api_calls import count, locations, ok, refused, send

SAVE = "/api/v2/integrations/save"


def save_raw(client, key, raw: bytes, content_type="application/json"):
    return send(client, "POST", SAVE, key=key, body=raw, content_type=content_type)


@pytest.mark.parametrize(
    "name",
    [
        "Prod 🚨 errors",
        "שגיאות ייצור",
        "e\u0301rreurs",
        "日本語の統合",
        "\u200bzero width",
    ],
)
def test_unicode_names_come_back_exactly(client, api_key, name):
    body = {"name": name, "integration_type": "sentry"}

    data = ok(send(client, "POST", SAVE, key=api_key, body=body))["data"]

    assert data["name"] == name


@pytest.mark.parametrize("depth", [33, 40, 500, 5000])
def test_deep_nesting_is_refused_whatever_the_depth(client, api_key, depth):
    raw = (
        b'{"name": "x", "integration_type": "sentry", "extra": '
        + b"[" * depth
        + b"]" * depth
        + b"}"
    )

    refused(save_raw(client, api_key, raw), 422)
    assert count() == 0


def test_nesting_within_the_limit_is_only_a_warning(client, api_key):
    raw = (
        b'{"name": "x", "integration_type": "sentry", "extra": '
        + b"[" * 20
        + b"]" * 20
        + b"}"
    )

    answer = ok(save_raw(client, api_key, raw))

    assert any("extra" in warning for warning in answer["warnings"])


def test_a_huge_tag_list_is_refused_quickly_and_cleanly(client, api_key):
    tags = [f"t{i}" for i in range(60_000)]
    raw = json.dumps(
        {"name": "x", "integration_type": "sentry", "metadata": {"tags": tags}}
    ).encode()
    assert len(raw) < 1024 * 1024

    document = refused(save_raw(client, api_key, raw), 422)

    assert locations(document) == [["body", "metadata", "tags"]]
    assert count() == 0


@pytest.mark.parametrize(
    ("section", "field"),
    [
        (None, "name"),
        (None, "unique_identifier"),
        ("auth_data", "access_token"),
        ("auth_data", "token_type"),
        ("auth_data", "scope"),
        ("scope_data", "org_slug"),
        ("scope_data", "workspace_id"),
        ("metadata", "description"),
        ("metadata", "version"),
    ],
)
@pytest.mark.parametrize("number", [0, 12, 1.5, -1, True])
def test_numbers_where_strings_belong_are_type_errors(
    client, api_key, section, field, number
):
    body = {"name": "x", "integration_type": "sentry"}
    if section:
        body[section] = {field: number}
    else:
        body[field] = number

    document = refused(send(client, "POST", SAVE, key=api_key, body=body), 422)

    assert locations(document) == [["body", *([section] if section else []), field]]
    assert document["detail"][0]["type"] == "string_type"
    assert count() == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "application/jsonp",
        "application/+json",
        "json",
        "",
    ],
)
def test_every_wrong_content_type_is_415(client, api_key, content_type):
    raw = b'{"name": "x", "integration_type": "sentry"}'

    refused(save_raw(client, api_key, raw, content_type=content_type or None), 415)
    assert count() == 0
