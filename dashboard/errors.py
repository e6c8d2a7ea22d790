"""Error pages: JSON under /api/, HTML elsewhere, and no exception text in either."""

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from .api.errors import error_response
from .extensions import db
from .logs import current_request_id, loggable_path

logger = logging.getLogger("dashboard.errors")

_API_MESSAGES = {
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is larger than 1 MiB.",
    415: "The request body must be JSON (Content-Type: application/json).",
    429: "Too many requests; wait and try again.",
}


def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def handle_http_error(error: HTTPException):
    if _wants_json():
        message = _API_MESSAGES.get(error.code, error.name + ".")
        response = error_response(error.code, message)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    template = "errors/404.html" if error.code == 404 else "errors/error.html"
    return render_template(template, error=error), error.code


def handle_unexpected_error(error: Exception):
    # The traceback goes to the log; the client gets a sentence and an id.
    original = getattr(error, "original_exception", None) or error
    logger.error(
        "unhandled error on %s %s request_id=%s",
        request.method,
        loggable_path(),
        current_request_id(),
        exc_info=original,
    )
    try:
        db.session.rollback()
    except Exception:  # the database may be the thing that failed
        logger.warning("rollback after an error failed too", exc_info=True)

    message = (
        "Something went wrong on the server. "
        f"Quote request id {current_request_id()} when reporting it."
    )
    if _wants_json():
        return error_response(500, message)
    return render_template("errors/500.html", message=message), 500


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected_error)
    app.register_error_handler(Exception, handle_unexpected_error)
