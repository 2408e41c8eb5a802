"""A JSON body must have the types the schema says: a number where text is expected, "12" where a
count is expected, 1 for true, are refused (400, `wrong_type`, with a pointer to each), not quietly
converted as DRF's fields would (issue 16: "numbers accepted for text fields").

The schema is the one the API publishes (drf-spectacular, built once per process: by wsgi.py in
gunicorn's master before it forks, else on first use, under a lock), so
what a client is told and what the server accepts cannot drift apart. Only types are checked here;
lengths, ranges, formats and choices are the serializers' (their messages are the same in the
schema). Called by `wres_portal.api_gate` for every JSON POST, PUT and PATCH under /api/.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from rest_framework.request import Request

from .problems import ApiProblem

_ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
_JSON_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
}


_built: dict[str, Any] | None = None
_building = threading.Lock()


def published_schema() -> dict[str, Any]:
    """The published schema, built once per process. Request threads may ask for it at the same
    moment (gthread workers): one builds it under the lock, the others wait for it, and none sees
    it before it is complete (it is published only once `get_schema` has returned). Not a
    `functools.cache`: that lets every thread that misses build its own at the same time, which
    drf-spectacular cannot do (wres_portal.api_schema.SchemaGenerator); never changed once built."""
    global _built
    built = _built
    if built is None:
        with _building:
            if _built is None:
                # Imported when first needed: DRF imports the gate (and so this module) while
                # defining its views.
                from .api_schema import SchemaGenerator

                _built = SchemaGenerator().get_schema(request=None, public=True)
            built = _built
    return built


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _fits(kind: str, expected: str) -> bool:
    return kind == expected or (expected == "number" and kind == "integer")


def type_errors(
    value: Any, schema: dict[str, Any], components: dict[str, Any], pointer: str = ""
) -> list[dict]:
    """Where `value` does not have the JSON types `schema` gives (null is left to the serializers)."""
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if value is None:
        return []
    if "allOf" in schema:
        return [e for sub in schema["allOf"] for e in type_errors(value, sub, components, pointer)]
    for combined in ("oneOf", "anyOf"):
        if schema.get(combined):
            found = [type_errors(value, sub, components, pointer) for sub in schema[combined]]
            return [] if any(not errors for errors in found) else found[0]
    expected = schema.get("type")
    kind = _kind(value)
    if expected in _JSON_TYPES and not _fits(kind, expected):
        return [
            {
                "code": "wrong_type",
                "detail": f"Send {_JSON_TYPES[expected]} here, not {_JSON_TYPES.get(kind, kind)}.",
                "pointer": pointer,
            }
        ]
    if kind == "array":
        items = schema.get("items", {})
        return [
            e for i, item in enumerate(value) for e in type_errors(item, items, components, f"{pointer}/{i}")
        ]
    if kind == "object":
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        errors = []
        for name, item in value.items():
            sub = properties.get(name, extra if isinstance(extra, dict) else None)
            if sub is not None:
                step = str(name).replace("~", "~0").replace("/", "~1")
                errors += type_errors(item, sub, components, f"{pointer}/{step}")
        return errors
    return []


def check_body_types(request: Request) -> None:
    """400 `wrong_type` if the JSON body of this request has a value of the wrong type."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.content_type.startswith(
        "application/json"
    ):
        return
    match = request._request.resolver_match
    if match is None:
        return
    path = "/" + _ROUTE_PARAMETER.sub(r"{\1}", match.route)
    schema = published_schema()
    operation = schema.get("paths", {}).get(path, {}).get(request.method.lower(), {})
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is None:
        return
    errors = type_errors(request.data, body, schema.get("components", {}).get("schemas", {}))
    if errors:
        raise ApiProblem(
            400,
            "Some values are of the wrong type: each is listed in errors, with where it is."
            if len(errors) > 1
            else f"{errors[0]['pointer'].lstrip('/') or 'The body'}: {errors[0]['detail']}",
            code="wrong_type",
            errors=errors,
        )
