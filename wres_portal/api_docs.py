"""The API documentation page (Swagger UI from drf-spectacular's sidecar) under the strict CSP.

drf-spectacular's default Swagger view puts its start-up script inline, which `script-src 'self'`
blocks. The "split" view serves that script from the same URL (`?script=`), so every script on the
page has a src; templates/api_docs.html leaves out the default page's inline <style>. The
page therefore keeps the same strict policy as every other page (checked in a real browser: Swagger
UI itself only sets styles through the CSSOM, which style-src does not restrict).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularSwaggerSplitView

#: Signed-in users only: anonymous visitors are sent to sign in (the schema itself answers 401 or 403
#: without a session or token, through SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]).
api_docs = login_required(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html")
)
