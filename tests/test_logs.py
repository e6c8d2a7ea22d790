"""Request logging: one line per request with its id, and nothing secret."""

import logging

import pytest

from dashboard.logs import QueryStringRedactor


def _record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, message, args, None)


def test_query_string_values_are_blanked_in_server_lines():
    record = _record('"%s" %s %s', "GET /setup?token=abc123&x=1 HTTP/1.1", "200", "-")

    QueryStringRedactor().filter(record)

    assert "abc123" not in record.getMessage()
    assert '"GET /setup?token=… HTTP/1.1" 200 -' not in record.getMessage()
    assert "/setup?token=…&x=… HTTP/1.1" in record.getMessage()


def test_lines_without_a_query_string_are_left_alone():
    record = _record('"%s" %s', "GET /integrations HTTP/1.1", "200")

    QueryStringRedactor().filter(record)

    assert record.getMessage() == '"GET /integrations HTTP/1.1" 200'


def test_the_development_server_logger_is_filtered(app):
    filters = logging.getLogger("werkzeug").filters

    assert any(isinstance(f, QueryStringRedactor) for f in filters)


def test_each_request_logs_one_line_with_method_path_status_and_id(client, caplog):
    caplog.set_level(logging.INFO, logger="dashboard.requests")

    response = client.get("/login?next=/secret-path", headers={"X-Request-ID": "abc-1"})

    lines = [r.getMessage() for r in caplog.records if r.name == "dashboard.requests"]
    assert response.headers["X-Request-ID"] == "abc-1"
    assert len(lines) == 1
    assert lines[0].startswith("GET /login 200 ")
    assert "request_id=abc-1" in lines[0]
    assert "secret-path" not in lines[0]


@pytest.mark.parametrize("given", ["", "x" * 65, "bad id", "a;b", "<script>"])
def test_an_unusable_request_id_is_replaced(client, given):
    response = client.get("/login", headers={"X-Request-ID": given})

    assert response.headers["X-Request-ID"] != given
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_path_cannot_forge_a_log_line(client, caplog):
    caplog.set_level(logging.INFO, logger="dashboard.requests")

    client.get("/x%0A2026-12-04 ERROR dashboard.errors forged%00line")

    lines = [r.getMessage() for r in caplog.records if r.name == "dashboard.requests"]
    assert len(lines) == 1
    assert "\n" not in lines[0] and "\x00" not in lines[0]
    assert "/x%0A2026-12-04%20ERROR" in lines[0]


def test_a_request_refused_before_the_view_still_gets_an_id(client, caplog):
    caplog.set_level(logging.INFO, logger="dashboard.requests")

    response = client.post("/logout")

    lines = [r.getMessage() for r in caplog.records if r.name == "dashboard.requests"]
    assert response.status_code == 400
    assert len(response.headers["X-Request-ID"]) == 32
    assert lines and "request_id=-" not in lines[-1]
