"""The API's JSON renderer: DRF's, except that a document already stored as JSON text is sent as it
is, not parsed into Python and encoded again (issue 18)."""

from __future__ import annotations

from typing import Any

from rest_framework import renderers


class JSONText(str):
    """JSON text read from the database (a jsonb column as PostgreSQL prints it): a view that
    returns `Response(JSONText(...))` has it sent byte for byte."""


class JSONRenderer(renderers.JSONRenderer):
    """`rest_framework.renderers.JSONRenderer`, with `JSONText` passed through. The results API's
    stored document is 16 kB: parsing it and encoding it again cost about 0.3 ms a request, a tenth
    of the request."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, JSONText):
            return data.encode()
        return super().render(data, accepted_media_type, renderer_context)
