"""The one hook every API view goes through between its checks and its work.

DRF runs a view's throttles last in `APIView.initial()`, after authentication and permissions and
immediately before the handler (`get`, `post`, ...). `ApiGate` is listed last among the
DEFAULT_THROTTLE_CLASSES; it limits nothing. It wraps the handler this request will run, so that
for every API view, with nothing to declare:

1. query parameters the operation does not take are refused (400 `unknown_parameter`;
   `wres_portal.api_params.allowed_query_parameters` says which it takes);
2. a JSON body's values must have the types the schema gives (`wres_portal.api_types`);
3. a POST's `Idempotency-Key` is honoured (`wres_portal.idempotency`).

Wrapping the handler, rather than acting in `allow_request`, keeps both out of a request that is
throttled (DRF asks every throttle before refusing) and inside the request's transaction.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from . import idempotency
from .api_params import allowed_query_parameters
from .api_types import check_body_types
from .problems import ApiProblem

#: Views that are not operations of the API (the schema itself takes ?format= and ?lang=).
EXEMPT_MODULES = ("drf_spectacular.",)


def check_query_parameters(request: Request, view: Any) -> None:
    if type(view).__module__.startswith(EXEMPT_MODULES):
        return
    allowed = allowed_query_parameters(view)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        takes = ", ".join(sorted(allowed)) or "none"
        raise ApiProblem(
            400,
            f"This operation does not take the query parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown)}. It takes: {takes}.",
            code="unknown_parameter",
            errors=[
                {"code": "unknown_parameter", "detail": f"Unknown query parameter {name}.", "parameter": name}
                for name in unknown
            ],
        )


class ApiGate(BaseThrottle):
    """Never throttles: wraps this request's handler with the checks above (see module docstring)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        name = (request.method or "").lower()
        handler = getattr(view, name, None)
        if handler is None or getattr(handler, "gated", False):
            return True

        def gated(request: Request, *args: Any, **kwargs: Any) -> Any:
            check_query_parameters(request, view)
            if not type(view).__module__.startswith(EXEMPT_MODULES):
                check_body_types(request)
            if request.method == "POST" and not type(view).__module__.startswith(EXEMPT_MODULES):
                return idempotency.run(view, handler, request, *args, **kwargs)
            return handler(request, *args, **kwargs)

        gated.gated = True  # type: ignore[attr-defined]
        setattr(view, name, gated)
        return True

    def wait(self) -> float | None:
        return None
