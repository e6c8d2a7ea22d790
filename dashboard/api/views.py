"""The JSON API of CONTRACT.md: save, list, read, patch and delete integrations.

The checks run in the contract's order: routing answers 405 (and 404 for an
id that is not a UUID), ``require_api_key`` 401, then an unknown or another
owner's integration 404, content type 415, size 413, validation 422 and
duplicates 409. A failed request commits nothing, not even the key's use.
"""

from uuid import UUID

from flask import jsonify, request
from pydantic import BaseModel

from ..extensions import db
from ..integrations import service
from ..integrations.contract import (
    InvalidRequest,
    parse_json_body,
    validate_input,
    validate_patch,
)
from ..models import Integration
from ..timeutil import utcnow
from . import bp, listing, present
from .auth import api_actor, api_user, require_api_key
from .body import read_json_body
from .errors import duplicate_identifier, invalid_request, not_found
from .openapi import openapi_document
from .schemas import DeleteResponse, DetailResponse, ListResponse, SaveResponse

ONE = "/v2/integrations/<uuid:integration_id>"


def respond(body: BaseModel):
    return jsonify(body.model_dump(mode="json"))


def owned_integration(integration_id: UUID) -> Integration | None:
    return service.get_owned(db.session, api_user(), str(integration_id))


@bp.post("/v2/integrations/save", provide_automatic_options=False)
@bp.post(
    "/v1/integrations/save",
    endpoint="save_integration_v1",
    provide_automatic_options=False,
)
@require_api_key
def save_integration():
    """Validate a JSON body and save it as an integration of the key's owner."""
    raw = read_json_body()

    try:
        payload = validate_input(parse_json_body(raw))
    except InvalidRequest as problem:
        return invalid_request(problem.details)

    try:
        outcome = service.save_integration(
            db.session, api_user(), payload, via="api", actor=api_actor()
        )
    except service.DuplicateIdentifier as duplicate:
        return duplicate_identifier(duplicate.existing_id)

    data = present.integration_out(outcome.integration)
    return respond(SaveResponse(data=data, warnings=outcome.warnings))


@bp.get("/v2/integrations", provide_automatic_options=False)
@require_api_key
def list_integrations():
    """List the key owner's integrations that pass the filters, one page."""
    try:
        query = listing.parse_list_query(request.args)
    except InvalidRequest as problem:
        return invalid_request(problem.details, part="query string")

    now = utcnow()
    page = listing.find_page(db.session, api_user(), query, now)
    body = ListResponse(data=present.integration_page(page, now))

    db.session.commit()  # only now is the key's use worth recording
    return respond(body)


@bp.get(ONE, provide_automatic_options=False)
@require_api_key
def get_integration(integration_id: UUID):
    """Show one of the key owner's integrations with its health checks."""
    integration = owned_integration(integration_id)
    if integration is None:
        return not_found(str(integration_id))

    body = DetailResponse(data=present.integration_detail(integration, utcnow()))

    db.session.commit()  # only now is the key's use worth recording
    return respond(body)


@bp.patch(ONE, provide_automatic_options=False)
@require_api_key
def patch_integration(integration_id: UUID):
    """Apply a JSON merge patch, validated as a whole save would be."""
    integration = owned_integration(integration_id)
    if integration is None:
        return not_found(str(integration_id))

    raw = read_json_body()
    try:
        current = service.contract_document(integration)
        payload, secret_updates = validate_patch(current, parse_json_body(raw))
    except InvalidRequest as problem:
        return invalid_request(problem.details)

    try:
        outcome = service.update_integration(
            db.session,
            integration,
            payload,
            secret_updates,
            via="api",
            actor=api_actor(),
        )
    except service.DuplicateIdentifier as duplicate:
        return duplicate_identifier(duplicate.existing_id)

    data = present.integration_detail(outcome.integration, utcnow())
    return respond(DetailResponse(data=data, warnings=outcome.warnings))


@bp.delete(ONE, provide_automatic_options=False)
@require_api_key
def delete_integration(integration_id: UUID):
    """Delete one of the key owner's integrations; its history stays."""
    integration = owned_integration(integration_id)
    if integration is None:
        return not_found(str(integration_id))

    deleted_id = integration.id
    service.delete_integration(db.session, integration, via="api", actor=api_actor())
    return respond(DeleteResponse(data=present.deleted(deleted_id)))


@bp.get("/v2/openapi.json", provide_automatic_options=False)
def openapi():
    """Describe every API route; public, so tools can read it without a key."""
    return jsonify(openapi_document(server_url=request.url_root.rstrip("/")))
