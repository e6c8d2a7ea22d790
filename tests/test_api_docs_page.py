"""The dashboard's API page: this server's address and calls ready to copy."""

import html
import json
import re
import shlex

import pytest

from dashboard.api_docs.examples import with_variable

PAGE = "/docs/api"
_PRE = re.compile(r'<pre class="curl-example"><code>(.*?)</code></pre>', re.S)


def commands(page: str) -> list[str]:
    return [html.unescape(block) for block in _PRE.findall(page)]


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_page_shows_the_base_address_and_links(logged_in):
    page = logged_in.get(PAGE).get_data(as_text=True)

    assert "<code>http://localhost/</code>" in page
    assert 'href="/api/v2/openapi.json"' in page
    assert 'href="/settings/api-keys"' in page


def test_the_nav_links_to_the_page(logged_in):
    page = logged_in.get("/integrations").get_data(as_text=True)

    assert f'href="{PAGE}"' in page


def test_every_route_has_a_call_to_copy(logged_in):
    page = logged_in.get(PAGE).get_data(as_text=True)

    calls = commands(page)[1:]  # the first block sets the variables
    assert len(calls) == 6
    base = "http://localhost/api/v2/integrations"
    assert f"curl -sS -X POST {base}/save" in calls[0]
    assert f"curl -sS -G {base}" in calls[1]
    assert f'curl -sS "{base}/$ID"' in calls[2]
    assert f'curl -sS -X PATCH "{base}/$ID"' in calls[3]
    assert "application/merge-patch+json" in calls[3]
    assert f'curl -sS -X DELETE "{base}/$ID"' in calls[4]
    assert calls[5] == "curl -sS http://localhost/api/v2/openapi.json"
    for call in calls[:5]:
        assert '-H "x-api-key: $KEY"' in call


def test_each_call_splits_into_the_intended_words(logged_in):
    page = logged_in.get(PAGE).get_data(as_text=True)

    split = [shlex.split(c.replace("\\\n", " ")) for c in commands(page)[1:]]

    for words in split[:5]:
        assert words[0] == "curl"
        assert words.count("x-api-key: $KEY") == 1
    for words in (split[0], split[3]):
        assert isinstance(json.loads(words[words.index("-d") + 1]), dict)
    assert "-H" not in split[5]


def test_the_page_follows_the_address_it_is_served_at(logged_in):
    # Same host, so the session cookie still goes along; only the prefix moves.
    page = logged_in.get(PAGE, base_url="http://localhost/team/").get_data(as_text=True)

    assert "<code>http://localhost/team/</code>" in page
    assert "http://localhost/team/api/v2/integrations/save" in page


def test_the_page_never_shows_a_real_key(logged_in, api_key):
    page = logged_in.get(PAGE).get_data(as_text=True)

    assert api_key not in page
    assert api_key[:11] not in page
    assert not re.search(r"sk-[0-9a-f]{8}", page)


@pytest.mark.parametrize(
    ("url", "quoted"),
    [
        ("http://h/api", '"http://h/api/$ID"'),
        ('http://h/a"b$c`d\\e', '"http://h/a\\"b\\$c\\`d\\\\e/$ID"'),
    ],
)
def test_urls_are_quoted_so_only_id_expands(url, quoted):
    assert with_variable(url, "/$ID") == quoted
