"""The JSON error envelope every /api/ route answers with."""

from flask import jsonify

from .schemas import ErrorResponse, UnauthorizedResponse, ValidationErrorResponse


def error_response(
    status: int,
    message: str,
    detail=None,
    headers: dict | None = None,
):
    if detail is None:
        body = ErrorResponse(error=message)
    elif isinstance(detail, str):
        body = UnauthorizedResponse(error=message, detail=detail)
    else:
        body = ValidationErrorResponse(error=message, detail=detail)

    response = jsonify(body.model_dump(mode="json"))
    response.status_code = status
    response.headers.update(headers or {})
    return response


def invalid_request(details: list[dict], part: str = "request body"):
    """Answer 422 with one ``{"loc", "msg", "type"}`` entry per problem."""
    count = len(details)
    problems = "1 problem" if count == 1 else f"{count} problems"
    return error_response(
        422,
        f"The {part} is invalid ({problems}); detail lists each one.",
        detail=details,
    )


def not_found(integration_id: str):
    return error_response(404, f"There is no integration {integration_id} of yours.")


def duplicate_identifier(existing_id: str):
    return error_response(
        409,
        f"unique_identifier is already used by your integration {existing_id}.",
    )
