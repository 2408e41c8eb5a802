"""Static files storage: WhiteNoise's compressed manifest storage, also rewriting JavaScript module
imports so app.mjs can import the hashed govuk-frontend bundle."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    manifest_strict = False
    # Django rewrites module imports only in *.js; app.mjs is a module too.
    patterns = (
        *CompressedManifestStaticFilesStorage.patterns,
        ("*.mjs", CompressedManifestStaticFilesStorage._js_module_import_aggregation_patterns[1]),
    )
