"""The JSON error envelope every /api/ route answers with."""

from flask import jsonify


def error_response(
    status: int,
    message: str,
    detail=None,
    headers: dict | None = None,
):
    body = {"success": False, "data": None, "error": message}
    if detail is not None:
        body["detail"] = detail
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response
