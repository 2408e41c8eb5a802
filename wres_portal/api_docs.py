"""The API documentation page (Swagger UI from drf-spectacular's sidecar) under the strict CSP.

drf-spectacular's default Swagger view puts its start-up script inline, which `script-src 'self'`
blocks. The "split" view serves that script from the same URL (`?script=`), so every script on the
page has a src; templates/api_docs.html leaves out the default page's inline <style>. The
page therefore keeps the same strict policy as every other page (checked in a real browser: Swagger
UI itself only sets styles through the CSSOM, which style-src does not restrict).
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView

api_docs = SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html")
