"""Static files storage: WhiteNoise's compressed manifest storage, also rewriting JavaScript module
imports so app.mjs can import the hashed govuk-frontend bundle."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
    manifest_strict = False
    # Django rewrites module imports only in *.js; app.mjs is a module too.
    patterns = (
        *CompressedManifestStaticFilesStorage.patterns,
        ("*.mjs", CompressedManifestStaticFilesStorage._js_module_import_aggregation_patterns[1]),
    )
    #: At most this many URLs kept (a page names a few files; the store is emptied when full).
    URLS_KEPT = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        """A file's URL, worked out once per process (issue 18): every page names the same few files
        (`{% static %}`), and each lookup in the manifest cost about 30 microseconds. It depends only
        on the name, DEBUG and the manifest, which changes only when collectstatic rebuilds it in this
        process (`post_process` forgets every URL)."""
        if name is None:
            return str(super().url(name, force))
        key = (name, force, bool(settings.DEBUG))
        found = self._urls.get(key)
        if found is None:
            if len(self._urls) >= self.URLS_KEPT:
                self._urls.clear()
            found = self._urls[key] = str(super().url(name, force))
        return found

    def post_process(self, *args: Any, **kwargs: Any) -> Any:
        self._urls.clear()
        try:
            yield from super().post_process(*args, **kwargs)
        finally:
            self._urls.clear()
