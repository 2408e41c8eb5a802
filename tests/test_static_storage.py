"""Static file URLs worked out once per process (issue 18, wres_portal.storage.StaticStorage): the
same URL the manifest gives, for DEBUG on and off, and worked out again after collectstatic."""

from __future__ import annotations

from pathlib import Path

from django.test import override_settings

from wres_portal.storage import StaticStorage


def _storage(tmp_path: Path) -> StaticStorage:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("body { color: black }")
    storage = StaticStorage(location=str(tmp_path), base_url="/static/")
    storage.hashed_files = {"css/app.css": "css/app.0123456789ab.css"}
    return storage


@override_settings(DEBUG=False)
def test_a_url_is_the_manifests_and_is_kept(tmp_path: Path) -> None:
    storage = _storage(tmp_path)
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
    storage.hashed_files = {"css/app.css": "css/app.ffffffffffff.css"}
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"  # kept for the process
    with override_settings(DEBUG=True):
        assert storage.url("css/app.css") == "/static/css/app.css"  # DEBUG: the plain name
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"


@override_settings(DEBUG=False)
def test_collectstatic_forgets_the_urls(tmp_path: Path) -> None:
    storage = _storage(tmp_path)
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
    list(storage.post_process({}))  # a collectstatic run in this process: a new manifest
    rebuilt = storage.url("css/app.css")
    assert rebuilt != "/static/css/app.0123456789ab.css"
    assert rebuilt.startswith("/static/css/app.") and rebuilt.endswith(".css")


@override_settings(DEBUG=False)
def test_the_store_is_bounded(tmp_path: Path) -> None:
    storage = _storage(tmp_path)
    storage.hashed_files = {f"f{i}.css": f"f{i}.0.css" for i in range(StaticStorage.URLS_KEPT + 10)}
    for i in range(StaticStorage.URLS_KEPT + 10):
        assert storage.url(f"f{i}.css") == f"/static/f{i}.0.css"
    assert len(storage._urls) <= StaticStorage.URLS_KEPT
