"""Lists in the API: cursor pagination, filters (django-filter) and ordering, the same everywhere.

    GET /api/v1/authorities/?region=London&ordering=-name&page_size=20
    -> {"next": ".../?cursor=cD0y...", "previous": null, "results": [...]}

A list view subclasses `wres_portal.api_views.ApiListView` and names its `filterset_class`
(or `filterset_fields`), `ordering_fields` and default `ordering` (ending with a unique field, so
pages never skip or repeat an item). Ordering may follow relations (`objective__number`), and
`ordering_aliases` gives a field its public name (`{"authority": "authority__ons_code"}`: the API
calls the ONS code `authority` everywhere). This module imports nothing of DRF's views (DRF's
settings name it while defining them). Query parameters the view does not take are refused with
400 `unknown_parameter` (by `wres_portal.api_gate`), and so is an `ordering` the view does not
offer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from .problems import ApiProblem


class CursorPage(CursorPagination):
    """Pages of `page_size` items (default 50, at most 500) with opaque `next`/`previous` links."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-pk"
    invalid_cursor_message = "The cursor is not one this list gave: start again without it."

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ApiProblem(
                400,
                self.invalid_cursor_message,
                code="invalid",
                errors=[
                    {"code": "invalid_cursor", "detail": self.invalid_cursor_message, "parameter": "cursor"}
                ],
            ) from None

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            detail = f"page_size must be a whole number from 1 to {self.max_page_size}."
            raise ApiProblem(
                400,
                detail,
                code="invalid",
                errors=[{"code": "invalid", "detail": detail, "parameter": self.page_size_query_param}],
            )
        return int(raw)

    def _get_position_from_instance(self, instance: Any, ordering: Any) -> str:
        """DRF reads the position from a direct attribute only; this follows `__` as the ordering
        does (`action__number`), so a list ordered through a relation can have a second page."""
        field_name = ordering[0].lstrip("-")
        if isinstance(instance, dict):
            return str(instance[field_name])
        value = instance
        for part in field_name.split("__"):
            value = getattr(value, part)
        return str(value)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class StrictOrderingFilter(OrderingFilter):
    """DRF's ordering filter, refusing a field it does not offer instead of ignoring it, and
    translating the view's `ordering_aliases` (public name: field) into the fields to order by."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            valid = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
            wrong = [f for f in fields if f.lstrip("-") not in valid]
            if wrong:
                raise ApiProblem(
                    400,
                    f"This list cannot be ordered by {', '.join(wrong)}. Order it by one of: "
                    f"{', '.join(sorted(valid))} (add - before a field for descending order).",
                    code="invalid",
                    errors=[
                        {"code": "invalid_choice", "detail": f"Unknown field {w}.", "parameter": "ordering"}
                        for w in wrong
                    ],
                )
        ordering = super().get_ordering(request, queryset, view)
        aliases = getattr(view, "ordering_aliases", None)
        if not ordering or not aliases:
            return ordering
        terms = [ordering] if isinstance(ordering, str) else ordering
        return [
            f"{'-' if t.startswith('-') else ''}{aliases.get(t.lstrip('-'), t.lstrip('-'))}" for t in terms
        ]

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = list(getattr(view, "ordering_fields", None) or [])
        choices = [f for name in fields for f in (name, f"-{name}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Order the list by this field (with - for descending); several separated "
                "by commas.",
                "schema": {"type": "string", "enum": choices} if choices else {"type": "string"},
            }
        ]
