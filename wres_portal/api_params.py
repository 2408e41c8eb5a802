"""Which query parameters an API view takes (the rest are refused by `wres_portal.api_gate`).

Duck-typed on purpose: DRF imports the gate while it is still defining APIView, so this module
imports nothing of DRF's views, generics or filters.
"""

from __future__ import annotations

from typing import Any


def allowed_query_parameters(view: Any) -> set[str]:
    """The query parameters `view` takes: its `query_parameters`, and for lists their filters,
    ordering and pagination (`wres_portal/api_lists.py`)."""
    names = set(getattr(view, "query_parameters", ()))
    for backend in getattr(view, "filter_backends", None) or ():
        if hasattr(backend, "ordering_param") and getattr(view, "ordering_fields", None):
            names.add(backend.ordering_param)
        if hasattr(backend, "get_filterset_class"):
            filterset = getattr(view, "filterset_class", None)
            if filterset is not None:
                names.update(filterset.base_filters)
            names.update(getattr(view, "filterset_fields", None) or ())
    if hasattr(view, "list") and getattr(view, "pagination_class", None) is not None:
        paginator = view.paginator
        if hasattr(paginator, "cursor_query_param"):
            names.add(paginator.cursor_query_param)
        if getattr(paginator, "page_size_query_param", None):
            names.add(paginator.page_size_query_param)
    return names
