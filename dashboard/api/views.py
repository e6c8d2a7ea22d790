"""The save endpoint of CONTRACT.md, under /api/v2 and its /api/v1 alias.

The checks run in the contract's order: routing answers 405, ``require_api_key``
401, then content type (415), size (413), validation (422) and duplicates (409).
"""

from flask import current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from ..extensions import db
from ..integrations import service
from ..integrations.contract import InvalidRequest, parse_json_body, validate_input
from . import bp
from .auth import api_user, require_api_key
from .errors import error_response, invalid_request


def is_json_media_type(mimetype: str) -> bool:
    """Accept application/json and application/<something>+json."""
    if mimetype == "application/json":
        return True
    kind, _, subtype = mimetype.partition("/")
    return kind == "application" and subtype.endswith("+json") and subtype != "+json"


def ensure_json_content_type() -> None:
    """Refuse a body that is not declared as JSON.

    :raise UnsupportedMediaType: the Content-Type is missing or not JSON.
    """
    if not is_json_media_type(request.mimetype):
        raise UnsupportedMediaType()


def read_limited_body() -> bytes:
    """Return the raw body, refusing one larger than MAX_CONTENT_LENGTH.

    :raise RequestEntityTooLarge: the body is over the limit.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()

    # A chunked body has no Content-Length, and Werkzeug (3.1) stops reading
    # it at the limit without complaint, handing over a truncated body. Allowing
    # one byte more tells a body of exactly the limit from a longer one. The
    # chunked 413 test shows when a Werkzeug release makes this unnecessary.
    request.max_content_length = limit + 1
    body = request.get_data(cache=False)
    if len(body) > limit:
        raise RequestEntityTooLarge()
    return body


@bp.post("/v2/integrations/save", provide_automatic_options=False)
@bp.post(
    "/v1/integrations/save",
    endpoint="save_integration_v1",
    provide_automatic_options=False,
)
@require_api_key
def save_integration():
    """Validate a JSON body and save it as an integration of the key's owner."""
    ensure_json_content_type()
    raw = read_limited_body()

    try:
        payload = validate_input(parse_json_body(raw))
    except InvalidRequest as problem:
        return invalid_request(problem.details)

    try:
        outcome = service.save_integration(db.session, api_user(), payload, via="api")
    except service.DuplicateIdentifier as duplicate:
        return error_response(
            409,
            "unique_identifier is already used by your integration "
            f"{duplicate.existing_id}.",
        )

    return jsonify(
        success=True,
        data=service.to_public_dict(outcome.integration),
        error=None,
        warnings=outcome.warnings,
    )
