"""The OpenAPI 3.1 document, generated from the models the API validates with.

Request bodies come from the contract's model, the list's parameters from
``ListQuery`` and every answer from the response models in ``schemas``; only
the routes, statuses and sentences are written here.
"""

import copy
from functools import cache

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from ..integrations.contract import SECRET_FIELDS, IntegrationInput
from . import schemas

REF = "#/components/schemas/{model}"
JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"

RESPONSE_MODELS = (
    schemas.SaveResponse,
    schemas.DetailResponse,
    schemas.ListResponse,
    schemas.DeleteResponse,
    schemas.ErrorResponse,
    schemas.UnauthorizedResponse,
    schemas.ValidationErrorResponse,
)


class ContractJsonSchema(GenerateJsonSchema):
    """Say that null is accepted where a validator turns it into a default."""

    def function_before_schema(self, schema):
        generated = super().function_before_schema(schema)
        if self.mode == "validation" and _replaces_null(schema["function"]):
            return _nullable(generated)
        return generated


def _replaces_null(function: dict) -> bool:
    # Asking the validator itself keeps this true when the contract changes.
    return function["type"] == "no-info" and function["function"](None) is not None


def _allows_null(schema: dict) -> bool:
    return schema.get("type") == "null" or any(
        _allows_null(option) for option in schema.get("anyOf", [])
    )


def _nullable(schema: dict) -> dict:
    if _allows_null(schema):
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _without_null(schema: dict) -> dict:
    options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
    if len(options) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**options[0], **rest}


@cache
def component_schemas() -> dict:
    """Every named schema of the document, keyed by model name."""
    models = [(IntegrationInput, "validation")]
    models += [(model, "serialization") for model in RESPONSE_MODELS]
    _, top = models_json_schema(
        models, ref_template=REF, schema_generator=ContractJsonSchema
    )
    found = top["$defs"]

    for field in SECRET_FIELDS:
        found["AuthData"]["properties"][field]["writeOnly"] = True
    found["IntegrationPatch"] = _patch_schema(found["IntegrationInput"])
    return found


def _patch_schema(save_schema: dict) -> dict:
    """A merge patch of a save body: every key optional, absent keeps its value."""
    patch = copy.deepcopy(save_schema)
    patch.pop("required", None)
    for field in patch["properties"].values():
        field.pop("default", None)
    patch["title"] = "IntegrationPatch"
    patch["description"] = (
        "A JSON merge patch (RFC 7396) of a save body. An absent key keeps its "
        "value; null resets a field to its default or clears a secret. The "
        "result is validated as a whole save would be."
    )
    return patch


def list_parameters() -> list[dict]:
    """The list's query parameters, read from ``ListQuery``."""
    generated = schemas.ListQuery.model_json_schema(
        mode="validation", ref_template=REF, schema_generator=ContractJsonSchema
    )
    parameters = []
    for name, schema in generated["properties"].items():
        schema = _without_null(dict(schema))
        schema.pop("title", None)
        if schema.get("default", "") is None:
            schema.pop("default")  # absent, not null: a query has no null
        description = schema.pop("description", "")
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": schema,
            }
        )
    return parameters


def _schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema_name: str) -> dict:
    return {JSON: {"schema": _schema(schema_name)}}


def _error(description: str, schema_name: str = "ErrorResponse", **headers) -> dict:
    return {
        "description": description,
        "headers": {
            "X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"},
            **headers,
        },
        "content": _json(schema_name),
    }


def _responses(success: str, description: str, *errors: str) -> dict:
    answers = {
        "200": {
            "description": description,
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}},
            "content": _json(success),
        }
    }
    for status in errors:
        answers[status] = {"$ref": f"#/components/responses/{ERROR_NAMES[status]}"}
    return answers


ERROR_NAMES = {
    "401": "Unauthorized",
    "404": "NotFound",
    "405": "MethodNotAllowed",
    "409": "Conflict",
    "413": "PayloadTooLarge",
    "415": "UnsupportedMediaType",
    "422": "ValidationFailed",
    "429": "TooManyRequests",
    "500": "ServerError",
}

ERROR_RESPONSES = {
    "Unauthorized": _error(
        "The x-api-key header is missing, blank, unknown or revoked.",
        "UnauthorizedResponse",
        **{
            "WWW-Authenticate": {
                "description": "Always ApiKey.",
                "schema": {"type": "string", "const": "ApiKey"},
            }
        },
    ),
    "NotFound": _error(
        "No such integration among the key owner's: unknown, another owner's, "
        "or deleted. A path segment that is not a UUID is not found either."
    ),
    "MethodNotAllowed": _error(
        "This path does not take that method (OPTIONS included).",
        Allow={
            "description": "The methods the path takes.",
            "schema": {"type": "string"},
        },
    ),
    "Conflict": _error(
        "unique_identifier is already used by another of the owner's "
        "integrations; the sentence names its integration_id."
    ),
    "PayloadTooLarge": _error("The body is larger than 1 MiB."),
    "UnsupportedMediaType": _error(
        "The body is not declared as JSON: application/json or "
        "application/<something>+json."
    ),
    "ValidationFailed": _error(
        "The body (or query string) breaks a rule; detail lists every problem, "
        "never repeating the offending value.",
        "ValidationErrorResponse",
    ),
    "TooManyRequests": _error(
        "Too many calls with this key (or, without one, from this address) "
        "in a short time.",
        **{
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer"},
            }
        },
    ),
    "ServerError": _error(
        "A fault on the server; nothing was changed. The sentence carries the "
        "request id to quote."
    ),
}

BODY_ERRORS = ("401", "405", "413", "415", "422", "429", "500")
INTEGRATION_ID = {
    "name": "integration_id",
    "in": "path",
    "required": True,
    "description": "The integration's id, a UUID.",
    "schema": {"type": "string", "format": "uuid"},
}


def _save_operation(operation_id: str, summary: str) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": (
            "Validate the body against the contract and save it as a new "
            "integration of the key's owner. Strings are trimmed; an empty "
            "optional string counts as absent; unknown keys are ignored and "
            "named in warnings."
        ),
        "tags": ["integrations"],
        "requestBody": {"required": True, "content": _json("IntegrationInput")},
        "responses": _responses(
            "SaveResponse", "Saved; data is the new integration.", *BODY_ERRORS, "409"
        ),
    }


def _paths() -> dict:
    return {
        "/api/v2/integrations/save": {
            "post": _save_operation("saveIntegration", "Save a new integration")
        },
        "/api/v1/integrations/save": {
            "post": _save_operation(
                "saveIntegrationV1", "Save a new integration (v1 alias of v2)"
            )
        },
        "/api/v2/integrations": {
            "get": {
                "operationId": "listIntegrations",
                "summary": "List the key owner's integrations",
                "description": (
                    "Ordered by name. Filters combine; an empty parameter counts "
                    "as absent; an unknown or repeated parameter is a 422."
                ),
                "tags": ["integrations"],
                "parameters": list_parameters(),
                "responses": _responses(
                    "ListResponse",
                    "One page of integrations.",
                    "401",
                    "405",
                    "422",
                    "429",
                    "500",
                ),
            }
        },
        "/api/v2/integrations/{integration_id}": {
            "parameters": [INTEGRATION_ID],
            "get": {
                "operationId": "getIntegration",
                "summary": "Show one integration with its health checks",
                "tags": ["integrations"],
                "responses": _responses(
                    "DetailResponse",
                    "The integration, its health checks and which secrets are set.",
                    "401",
                    "404",
                    "405",
                    "429",
                    "500",
                ),
            },
            "patch": {
                "operationId": "patchIntegration",
                "summary": "Change an integration with a JSON merge patch",
                "description": (
                    "Absent keys keep their values; null resets a field to its "
                    "default or clears a secret; a blank secret keeps the stored "
                    "one. The result is validated like a save. The answer is the "
                    "integration as GET shows it, with warnings."
                ),
                "tags": ["integrations"],
                "requestBody": {
                    "required": True,
                    "content": {
                        MERGE_PATCH: {"schema": _schema("IntegrationPatch")},
                        JSON: {"schema": _schema("IntegrationPatch")},
                    },
                },
                "responses": _responses(
                    "DetailResponse",
                    "Changed; data is the integration as it is now.",
                    "401",
                    "404",
                    *BODY_ERRORS[1:],
                    "409",
                ),
            },
            "delete": {
                "operationId": "deleteIntegration",
                "summary": "Delete an integration and its secrets",
                "description": "Its history stays on the dashboard.",
                "tags": ["integrations"],
                "responses": _responses(
                    "DeleteResponse",
                    "Deleted.",
                    "401",
                    "404",
                    "405",
                    "429",
                    "500",
                ),
            },
        },
        "/api/v2/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document",
                "description": "Needs no API key.",
                "tags": ["meta"],
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    },
                    "405": {"$ref": "#/components/responses/MethodNotAllowed"},
                    "429": {"$ref": "#/components/responses/TooManyRequests"},
                    "500": {"$ref": "#/components/responses/ServerError"},
                },
            }
        },
    }


@cache
def _static_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Integrations dashboard API",
            "version": "2",
            "description": (
                "Save and look after your integrations from scripts. Every "
                "answer is JSON in one envelope: success, data, error, and "
                "warnings on success. No answer ever carries a secret. A failed "
                "request changes nothing."
            ),
        },
        "security": [{"ApiKey": []}],
        "tags": [
            {"name": "integrations", "description": "Your integrations."},
            {"name": "meta", "description": "About the API itself."},
        ],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "ApiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "x-api-key",
                    "description": "A key from the dashboard's API keys page.",
                }
            },
            "headers": {
                "X-Request-ID": {
                    "description": "The request's id: yours if you sent a plain "
                    "one, else a new one.",
                    "schema": {"type": "string"},
                }
            },
            "responses": ERROR_RESPONSES,
            "schemas": component_schemas(),
        },
    }


def openapi_document(server_url: str) -> dict:
    """The document, with the server as the caller reached it."""
    document = copy.deepcopy(_static_document())
    document["servers"] = [{"url": server_url or "/"}]
    return document
