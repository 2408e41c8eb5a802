"""Base classes and helpers for API views (see wres_portal/api_lists.py for lists)."""

from __future__ import annotations

from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from .api_lists import CursorPage, StrictOrderingFilter


class ApiListView(generics.ListAPIView):
    """A list of the API: cursor pages, django-filter filters and strict ordering. Subclasses set
    `filterset_class` (or `filterset_fields`), `ordering_fields` and `ordering`."""

    pagination_class = CursorPage
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]


def located(response: Response, request: Request, view_name: str, *args: object) -> Response:
    """Give a 201 its `Location`: the address of what was created (`view_name` reversed with `args`)."""
    response["Location"] = request.build_absolute_uri(reverse(view_name, args=args))
    return response
