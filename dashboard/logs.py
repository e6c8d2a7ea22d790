"""Logging: one line per request, tagged with the request id, never a secret."""

import logging
import re
import time
import uuid
from urllib.parse import quote

from flask import Flask, g, request

logger = logging.getLogger("dashboard.requests")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def configure_logging(app: Flask) -> None:
    """Send the app's logs to stderr unless the host already set up handlers."""
    root = logging.getLogger("dashboard")
    if not root.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        )
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if app.debug else logging.INFO)

    # The development server logs whole request lines, query strings included.
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, QueryStringRedactor) for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(QueryStringRedactor())

    app.before_request(_start_request)
    app.after_request(_finish_request)


class QueryStringRedactor(logging.Filter):
    """Blank out query-string values, which may carry the setup token."""

    _QUERY_VALUE = re.compile(r"([?&][^=\s&]+=)[^&\s\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._QUERY_VALUE.sub(r"\1…", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def loggable_path() -> str:
    """The request path, percent-encoded again so it cannot forge log lines."""
    return quote(request.path, safe="/:@!$&'()*+,;=-._~")


def current_request_id() -> str:
    return g.get("request_id") or "-"


def _start_request() -> None:
    # A client's own id is kept only when it is harmless to echo and to log.
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response):
    response.headers["X-Request-ID"] = current_request_id()
    started = g.get("request_started")
    duration_ms = (time.perf_counter() - started) * 1000 if started else 0.0

    # The path only: query strings may carry a setup token.
    logger.info(
        "%s %s %s %.1fms request_id=%s",
        request.method,
        loggable_path(),
        response.status_code,
        duration_ms,
        current_request_id(),
    )
    return response
