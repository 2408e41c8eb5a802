"""The OpenAPI schema (drf-spectacular): what every operation shares is added here, once, so each view
declares only what is its own.

In a view:

    @extend_schema(
        summary="Submit the draft (programme lead)",
        request=InputSerializer,
        responses={200: ReturnSerializer, **errors(400, 409)},
        parameters=[if_match_parameter(required=True)],
    )

`errors(400, 409)` documents those statuses as problem documents (`Problem`) with an example each;
pass `examples={400: [...]}` to show the operation's own. `postprocess` (a SPECTACULAR_SETTINGS
hook) then adds to every operation what can happen to any of them: 400 (an unknown query
parameter), 401, 403, 406, 429 and 500; 404 where the path names an object; 413 and 415 where
there is a body; `Idempotency-Key` with 409 and 422 on every POST; 412 (and 428 if required) where
If-Match is taken; `Location` on every 201; and an example for every success that has none.
Operation descriptions come only from `extend_schema(description=...)`, never from code docstrings.
"""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

from drf_spectacular.generators import SchemaGenerator as SpectacularSchemaGenerator
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from .problems import CODES, CONTENT_TYPE, TYPE_PREFIX, problem


class ProblemErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable name of this problem.")
    detail = serializers.CharField(help_text="What is wrong, in plain English.")
    pointer = serializers.CharField(
        required=False, help_text="Where in the request body: a JSON Pointer (RFC 6901), empty for all of it."
    )
    parameter = serializers.CharField(required=False, help_text="The query parameter at fault.")
    fix = serializers.CharField(required=False, help_text="How to put it right.")
    sheet = serializers.CharField(required=False, help_text="File problems: the sheet (XLSX).")
    row = serializers.IntegerField(required=False, help_text="File problems: the row number.")
    column = serializers.CharField(required=False, help_text="File problems: the column heading.")
    service = serializers.CharField(required=False, help_text="Figures: the service (adults, children).")
    measure = serializers.CharField(required=False, help_text="Figures: the measure.")
    pay_band = serializers.CharField(required=False, help_text="Figures: the pay band (empty if none).")
    group = serializers.CharField(
        required=False, help_text="Figures: the ethnic group (white, minority_ethnic, unknown)."
    )

    class Meta:
        ref_name = "ProblemError"


class ProblemChangeSerializer(serializers.Serializer):
    # DRF's serializer metaclass takes declared fields off the class, so these names may be a
    # Field attribute's; the stubs cannot see that.
    label = serializers.CharField()  # type: ignore[assignment]
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)

    class Meta:
        ref_name = "ProblemChange"


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=f"A URI naming the problem type: {TYPE_PREFIX}<code>.")
    title = serializers.CharField(help_text="The HTTP status, in words.")
    status = serializers.IntegerField()
    code = serializers.CharField(
        help_text="Stable, machine-readable: " + "; ".join(f"`{c}`: {m}" for c, m in CODES.items())
    )
    detail = serializers.CharField(help_text="What happened and what to do, in plain English.")
    instance = serializers.CharField(required=False, help_text="The path the request was made to.")
    errors = ProblemErrorSerializer(  # type: ignore[assignment]  # a declared field (see label above)
        many=True, required=False, help_text="Each problem, with where it is."
    )
    more_errors = serializers.IntegerField(
        required=False, help_text="How many further problems there are beyond those listed."
    )
    current_etag = serializers.CharField(required=False, help_text="412: the ETag to send next time.")
    changed_by = serializers.CharField(required=False, help_text="412: who made the newest change.")
    changed_at = serializers.DateTimeField(required=False, allow_null=True, help_text="412: when.")
    changes = ProblemChangeSerializer(many=True, required=False, help_text="412: what changed since.")

    class Meta:
        ref_name = "Problem"


#: One example for each status (an operation may give its own with `errors(examples=...)`).
EXAMPLES: dict[int, dict[str, Any]] = {
    400: problem(
        400,
        "text: This field is required.",
        code="invalid",
        errors=[{"code": "required", "detail": "This field is required.", "pointer": "/text"}],
    ),
    401: problem(401, "Authentication credentials were not provided.", code="not_authenticated"),
    403: problem(403, "You do not have permission to perform this action.", code="permission_denied"),
    404: problem(404, "Not found.", code="not_found"),
    406: problem(406, "Could not satisfy the request Accept header.", code="not_acceptable"),
    409: problem(409, "This return is already submitted.", code="state_conflict"),
    412: problem(
        412,
        "The return was changed by Ann Lead at 2:05pm on 30 November 2026, after you opened this page.",
        code="precondition_failed",
        current_etag='"13-draft"',
        changed_by="Ann Lead",
        changed_at="2026-11-30T14:05:00Z",
        changes=[{"label": "Adults, staff in post, white", "before": 120, "after": 121}],
    ),
    413: problem(413, "The request is larger than the service accepts.", code="too_large"),
    415: problem(415, 'Unsupported media type "text/plain" in request.', code="unsupported_media_type"),
    422: problem(
        422, "This Idempotency-Key was already used for a different request.", code="idempotency_key_reused"
    ),
    428: problem(
        428, "Send If-Match with the ETag of the resource as you read it.", code="precondition_required"
    ),
    429: problem(429, "Request was throttled. Expected available in 12 seconds.", code="throttled"),
    500: problem(500, "Something went wrong on our side and nothing was saved.", code="server_error"),
}

DESCRIPTIONS: dict[int, str] = {
    400: "The request is not valid: `errors` lists each problem and where it is.",
    401: "No valid credentials: send `Authorization: Token <key>`.",
    403: "Not allowed: your role, or the token's scope, does not cover this.",
    404: "Not found, or not yours to see.",
    406: "The Accept header asks for a type the API does not answer in.",
    409: "Not allowed in the current state (or a request with this Idempotency-Key is still running).",
    412: "If-Match names a state that is no longer current: nothing was written.",
    413: "The body is too large.",
    415: "The body is not in the media type this operation takes.",
    422: "The Idempotency-Key was used for a different request.",
    428: "This step needs If-Match.",
    429: "Too many requests: wait Retry-After seconds.",
    500: "Server error: nothing was written.",
}


def errors(
    *statuses: int, examples: dict[int, list[OpenApiExample]] | None = None
) -> dict[Any, OpenApiResponse]:
    """Problem-document responses for `extend_schema(responses={...})`, one line per operation."""
    examples = examples or {}
    return {
        (status, CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer,
            description=DESCRIPTIONS.get(status, ""),
            examples=examples.get(status) or [OpenApiExample(f"{status}", value=EXAMPLES[status])],
        )
        for status in statuses
    }


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, with operation descriptions taken only from `extend_schema`: docstrings
    are written for the people maintaining the code, not for API clients."""

    def get_description(self) -> str:  # type: ignore[override]  # drf-spectacular's own signature
        return ""


#: Held while any schema is built in this process (SchemaGenerator below).
_GENERATING = threading.RLock()


class SchemaGenerator(SpectacularSchemaGenerator):
    """drf-spectacular's, building one schema at a time in a process (SPECTACULAR_SETTINGS
    "DEFAULT_GENERATOR_CLASS": the schema endpoint, `manage.py spectacular` and
    `wres_portal.api_types`). drf-spectacular is not thread-safe: `extend_schema` puts one schema
    inspector on each view class, shared by every instance, and `get_operation` points it at the
    calling generator's component registry (and path and method) while it describes an operation.
    Two generators running at once in gthread workers therefore wrote components into each other's
    registries, and one failed with `KeyError: 'PaginatedAuthorityList'` (or built a schema with
    dangling references)."""

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        with _GENERATING:
            return super().get_schema(request=request, public=public)


# Postprocessing -----------------------------------------------------------------------------------

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_BODY_METHODS = {"post", "put", "patch"}
_BY_EXTENSION = {
    ".csv": "text/csv",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_EXAMPLE_STRINGS = {
    "date-time": "2026-11-30T14:05:00Z",
    "date": "2026-11-30",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "lead@council.example",
    "uri": "https://wres.example/api/v1/",
    "binary": "",
}


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS[status],
        "content": {
            CONTENT_TYPE: {"schema": _PROBLEM_REF, "examples": {str(status): {"value": EXAMPLES[status]}}}
        },
    }


def example_for(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A value that fits `schema`, for operations that show no example of their own."""
    if depth > 8:
        return None
    if "$ref" in schema:
        return example_for(components[schema["$ref"].rsplit("/", 1)[-1]], components, depth + 1)
    for combined in ("allOf", "oneOf", "anyOf"):
        if schema.get(combined):
            return example_for(schema[combined][0], components, depth + 1)
    if "enum" in schema:
        return next((value for value in schema["enum"] if value is not None), None)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        if not properties and isinstance(schema.get("additionalProperties"), dict):
            return {"key": example_for(schema["additionalProperties"], components, depth + 1)}
        return {
            name: example_for(sub, components, depth + 1)
            for name, sub in properties.items()
            if not sub.get("writeOnly")
        }
    if kind == "array":
        return [example_for(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1.5, schema.get("minimum", 1.5))
    if kind == "boolean":
        return True
    if kind == "string":
        value = _EXAMPLE_STRINGS.get(schema.get("format", ""), "text")
        return value[: schema["maxLength"]] if "maxLength" in schema else value
    return None


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: what every operation shares (module docstring)."""
    components = result.get("components", {}).get("schemas", {})
    headers = result.setdefault("components", {}).setdefault("headers", {})
    headers["Retry-After"] = {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    }
    parameters = result["components"].setdefault("parameters", {})
    parameters["IdempotencyKey"] = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Any unique string (a UUID): send the same key to retry this request safely. The "
        "retry gets the first response and writes nothing; the same key with a different request is "
        "refused (422). Kept for 24 hours.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~][ -~]*$"},
    }
    seen: set[str] = set()
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            _complete(path, method, operation, components)
            operation["operationId"] = _identifier(operation.get("operationId", ""), seen)
    return result


def _identifier(name: str, seen: set[str]) -> str:
    """An operationId every generator can use as a function name: `rounds_national_.csv_retrieve`
    (drf-spectacular's, for a path ending .csv) becomes `rounds_national_csv_retrieve`."""
    clean = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", name)).strip("_")
    unique, n = clean, 2
    while unique in seen:
        unique, n = f"{clean}_{n}", n + 1
    seen.add(unique)
    return unique


def _complete(path: str, method: str, operation: dict[str, Any], components: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    params = operation.get("parameters", [])
    statuses = {400, 401, 403, 406, 429, 500}
    if "{" in path:
        statuses.add(404)
    if method in _BODY_METHODS and "requestBody" in operation:
        statuses |= {413, 415}
    if method == "post":
        statuses |= {409, 422}
        params.append({"$ref": "#/components/parameters/IdempotencyKey"})
        operation["parameters"] = params
    if_match = [p for p in params if isinstance(p, dict) and p.get("name") == "If-Match"]
    if if_match:
        statuses.add(412)
        if if_match[0].get("required"):
            statuses.add(428)
    for status in sorted(statuses):
        responses.setdefault(str(status), _problem_response(status))
    responses["429"].setdefault("headers", {})["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    for status, response in responses.items():
        content = response.get("content", {})
        if status.startswith("2") and len(content) > 1:
            # A view serving several formats at several addresses: each address has its own.
            wanted = next((t for ext, t in _BY_EXTENSION.items() if path.rstrip("/").endswith(ext)), None)
            wanted = wanted or "application/json"
            if wanted in content:
                response["content"] = {wanted: content[wanted]}
        if status == "201":
            response.setdefault("headers", {})["Location"] = {
                "description": "The address of what was created.",
                "required": True,
                "schema": {"type": "string"},
            }
        if status.startswith("2"):
            for media in response.get("content", {}).values():
                if "example" not in media and "examples" not in media and "schema" in media:
                    media["example"] = copy.deepcopy(example_for(media["schema"], components))
