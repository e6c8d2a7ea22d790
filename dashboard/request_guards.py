"""Checks a browser submission passes before any view sees it."""

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict

from .forms import SUBMIT_METHODS

NUL = "\x00"
NUL_REFUSED = (
    "The request contains a NUL character, which no page or form of this "
    "dashboard accepts."
)


def is_api_request(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def carries_nul(path: str, *fields: MultiDict) -> bool:
    """True when the path or any key or value of ``fields`` contains NUL."""
    return NUL in path or any(_has_nul(multidict) for multidict in fields)


def _has_nul(fields: MultiDict) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values)
        for key, values in fields.lists()
    )


def refuse_nul_characters() -> None:
    """Answer 400 when a browser submission carries NUL anywhere it can be read.

    PostgreSQL cannot store NUL in text, and no page or form needs it; the JSON
    API refuses it itself, with its own error format.

    :raise BadRequest: the path, query string or form fields contain NUL.
    """
    # Pages that only read already cope with NUL: an id converter answers
    # 404, the list search drops it and ``next`` refuses it.
    if request.method not in SUBMIT_METHODS or is_api_request(request.path):
        return

    if carries_nul(request.path, request.args, request.form):
        abort(400, description=NUL_REFUSED)


def register(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
