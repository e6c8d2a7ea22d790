"""Every HTML form route survives hostile bodies, paths and query strings.

The walk reads the URL map, so a form route added later is covered without
touching this file; a route whose arguments it cannot fill fails the test.
Each request gets a fresh client carrying a prepared session cookie, so a
request that signs out or signs in cannot change what the next one sees.
"""

import uuid
from dataclasses import dataclass, field

import pytest
from flask import url_for
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from dashboard.auth.forms import LoginForm
from dashboard.auth.service import setup_token
from dashboard.catalog import TYPES
from dashboard.extensions import db
from dashboard.forms import SUBMIT_METHODS, HtmlForm
from dashboard.integrations.forms import form_class_for
from dashboard.models import ApiKey, Integration, User
from dashboard.request_guards import carries_nul

from . import factories
from .conftest import IsolatedClient, csrf_token_from

NUL = "a\x00b"
ODD_JSON_VALUES = [5, 1.5, True, None, [1, 2], {"a": 1}, ["x", 5]]
ODD_JSON_DOCUMENTS = ["x", 5, None, True, [1, 2], {}, [{"email": 5}]]


@dataclass
class State:
    """A signed-in or signed-out visitor: session cookie, CSRF token, values."""

    name: str
    cookie: str
    csrf_token: str
    plausible: dict
    arguments: dict
    failures: list = field(default_factory=list)


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    method: str
    arguments: tuple


def form_field_names() -> set[str]:
    """Every field name of every form class in the app, CSRF token aside."""
    for slug in TYPES:
        form_class_for(slug)  # the per-type classes are built on first use

    names, classes = set(), [FlaskForm]
    while classes:
        form_class = classes.pop()
        classes.extend(form_class.__subclasses__())
        names.update(
            name
            for name, value in vars(form_class).items()
            if isinstance(value, UnboundField)
        )
    assert {"email", "password", "token", "name"} <= names
    return names - {"csrf_token"}


def routes_taking(app, methods: set[str]) -> list[Route]:
    """Every route outside /api/ and /static answering one of ``methods``."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & methods):
            routes.append(
                Route(rule.rule, rule.endpoint, method, tuple(rule.arguments))
            )
    return routes


def form_routes(app) -> list[Route]:
    routes = routes_taking(app, SUBMIT_METHODS)
    assert any(route.endpoint == "auth.login" for route in routes)
    return routes


def row_counts() -> dict[str, int]:
    db.session.rollback()  # see what the requests committed
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (User, ApiKey, Integration)
    }


def build_url(app, route: Route, arguments: dict) -> str:
    missing = set(route.arguments) - set(arguments)
    assert not missing, f"teach this test how to fill {missing} for {route.rule}"
    with app.test_request_context():
        return url_for(route.endpoint, **{a: arguments[a] for a in route.arguments})


def prepare(app, name: str) -> State:
    """Set the database and a session up for one of the visitor states."""
    arguments = {"integration_id": uuid.uuid4(), "key_id": uuid.uuid4()}
    if name != "no-account-yet":
        user = factories.make_user()
        factories.make_api_key(user)
        arguments = {
            "integration_id": factories.make_integration(user).id,
            "key_id": user.api_keys[0].public_id,
        }

    app.test_client_class = IsolatedClient
    client = app.test_client()
    token = csrf_token_from(client, "/login")
    if name == "signed-in":
        signed_in = client.post(
            "/login",
            data={
                "email": "owner@example.com",
                "password": factories.PASSWORD,
                "csrf_token": token,
            },
        )
        assert signed_in.status_code == 302
        token = csrf_token_from(client, "/integrations")

    plausible = {field_name: "x" for field_name in form_field_names()}
    plausible.update(
        email="owner@example.com",
        password=factories.PASSWORD,
        confirm=factories.PASSWORD,
        token=setup_token(app.config["SECRET_KEY"]),
        name="Hostile",
        integration_type="sentry",
        status="active",
        next="/integrations",
    )
    return State(name, client.get_cookie("session").value, token, plausible, arguments)


def send(app, state: State, method: str, url: str, case: str, expected=None, **kw):
    """Send one request as ``state``; note a 5xx or an unexpected status.

    A failure is described by ``case`` alone: bodies carry a password.
    """
    client = app.test_client()
    client.set_cookie("session", state.cookie)
    headers = {"X-CSRFToken": state.csrf_token, **kw.pop("headers", {})}

    response = client.open(url, method=method, headers=headers, **kw)

    page = response.get_data(as_text=True)
    what = f"{state.name} {method} {url!r} with {case}"
    if response.status_code >= 500 or "Traceback" in page:
        state.failures.append(f"{response.status_code} for {what}")
    elif expected is not None and response.status_code != expected:
        state.failures.append(f"{response.status_code}, not {expected}, for {what}")


def json_bodies(plausible: dict) -> list[tuple[str, object]]:
    """Pair each JSON body with a description that leaves the password out."""
    names = sorted(plausible)
    bodies = [(f"JSON {value!r}", value) for value in ODD_JSON_DOCUMENTS]
    bodies += [
        (f"JSON every field {value!r}", {name: value for name in names})
        for value in ODD_JSON_VALUES
    ]
    bodies += [
        (f"JSON plausible but {name}={value!r}", {**plausible, name: value})
        for name in names
        for value in (5, [1, 2], None)
    ]
    return bodies


def nul_form_bodies(state: State) -> list[tuple[str, dict]]:
    """Pair each form body with NUL in it with a description of where."""
    names = sorted(state.plausible)
    plausible = state.plausible
    bodies = [
        ("NUL in every field", {name: NUL for name in names}),
        ("NUL in a field name", {NUL: "1"}),
        ("plausible and NUL in a field name", {**plausible, NUL: "1"}),
        ("NUL in the email", {**plausible, "email": "a\x00b@example.com"}),
        ("NUL after the CSRF token", {"csrf_token": state.csrf_token + "\x00"}),
    ]
    bodies += [(f"NUL in {name}", {**plausible, name: NUL}) for name in names]
    return [(case, {"csrf_token": state.csrf_token, **body}) for case, body in bodies]


def nul_urls(app, route: Route, state: State) -> list[str]:
    url = build_url(app, route, state.arguments)
    urls = [url + "?next=a%00b", url + "?a%00b=1", url + "%00", "/%00" + url[1:]]
    for argument in route.arguments:
        urls.append(build_url(app, route, {**state.arguments, argument: NUL}))
    return urls


STATES = ["no-account-yet", "signed-out", "signed-in"]


@pytest.mark.parametrize("state_name", STATES)
def test_json_bodies_to_form_routes_are_ignored_without_5xx(app, state_name):
    state = prepare(app, state_name)
    before = row_counts()

    for route in form_routes(app):
        url = build_url(app, route, state.arguments)
        for case, body in json_bodies(state.plausible):
            send(app, state, route.method, url, case, json=body)

    assert not state.failures, "\n".join(state.failures)
    # A form reads form fields only: even a plausible JSON body creates nothing.
    assert row_counts() == before


@pytest.mark.parametrize("state_name", STATES)
def test_nul_in_form_data_is_refused_with_400(app, state_name):
    state = prepare(app, state_name)

    for route in form_routes(app):
        url = build_url(app, route, state.arguments)
        for case, body in nul_form_bodies(state):
            send(app, state, route.method, url, case, expected=400, data=body)

    assert not state.failures, "\n".join(state.failures)


@pytest.mark.parametrize("state_name", STATES)
def test_nul_in_path_or_query_is_refused_with_400(app, state_name):
    state = prepare(app, state_name)

    for route in form_routes(app):
        for url in nul_urls(app, route, state):
            data = {"csrf_token": state.csrf_token}
            case = "a CSRF token"
            send(app, state, route.method, url, case, expected=400, data=data)

    assert not state.failures, "\n".join(state.failures)


@pytest.mark.parametrize("state_name", STATES)
def test_nul_in_a_page_address_never_gives_5xx(app, state_name):
    state = prepare(app, state_name)
    every_field = "&".join(f"{name}=a%00b" for name in sorted(state.plausible))

    for route in routes_taking(app, {"GET"}):
        url = build_url(app, route, state.arguments)
        urls = [*nul_urls(app, route, state), f"{url}?{every_field}"]
        for nul_url in urls:
            for headers in ({}, {"HX-Request": "true"}):
                case = f"headers {headers}"
                send(app, state, "GET", nul_url, case, headers=headers)

    assert not state.failures, "\n".join(state.failures)


# The pieces, one at a time


@pytest.mark.parametrize(
    ("path", "fields", "expected"),
    [
        ("/login", [MultiDict({"email": "a@example.com"})], False),
        ("/lo\x00gin", [], True),
        ("/login", [MultiDict({"email": "a\x00@example.com"})], True),
        ("/login", [MultiDict({"e\x00mail": "a@example.com"})], True),
        ("/login", [MultiDict([("tag", "a"), ("tag", "b\x00")])], True),
        ("/login", [MultiDict(), MultiDict({"next": "\x00"})], True),
    ],
    ids=["clean", "path", "value", "key", "second-value", "second-dict"],
)
def test_carries_nul_looks_at_path_keys_and_every_value(path, fields, expected):
    assert carries_nul(path, *fields) is expected


def test_html_form_reads_posted_fields(app):
    with app.test_request_context("/login", method="POST", data={"email": "a@b.c"}):
        assert LoginForm().email.data == "a@b.c"


@pytest.mark.parametrize("body", [{"email": "a@b.c"}, {"email": 5}, [1, 2], "x"])
def test_html_form_ignores_a_json_body(app, body):
    with app.test_request_context("/login", method="POST", json=body):
        form = LoginForm()

        assert form.email.data is None
        assert form.validate() is False


def test_html_form_ignores_the_query_string_of_a_get(app):
    with app.test_request_context("/login?email=a@b.c"):
        assert LoginForm().email.data is None


def test_html_form_still_takes_formdata_given_explicitly(app):
    with app.test_request_context("/login", method="POST", data={"email": "a@b.c"}):
        assert LoginForm(formdata=None).email.data is None
        assert LoginForm(MultiDict({"email": "x@y.z"})).email.data == "x@y.z"


def test_every_form_of_the_app_is_an_html_form():
    form_field_names()  # builds the per-type classes too

    classes, found = [FlaskForm], []
    while classes:
        form_class = classes.pop()
        classes.extend(form_class.__subclasses__())
        found.append(form_class)
    outsiders = [
        form_class.__qualname__
        for form_class in found
        if form_class.__module__.startswith("dashboard")
        and not issubclass(form_class, HtmlForm)
    ]
    assert outsiders == []
