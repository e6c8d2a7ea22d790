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


def invalid_request(details: list[dict]):
    """Answer 422 with one ``{"loc", "msg", "type"}`` entry per problem."""
    count = len(details)
    problems = "1 problem" if count == 1 else f"{count} problems"
    return error_response(
        422,
        f"The request body is invalid ({problems}); detail lists each one.",
        detail=details,
    )
