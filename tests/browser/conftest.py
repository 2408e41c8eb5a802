"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live server.

Locally, without chromium or the built front end (`npm run build`), these tests skip with the reason;
in CI `WRES_REQUIRE_SERVICES=1` turns that into a failure, so they cannot silently stop running.
Never `playwright install`: the tests use the system chromium (ECOSYSTEM.md, "Accessibility tests").
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; without this Django refuses the ORM calls
# that build each test's data. Only the browser tests set it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BUILT_CSS = ROOT / "static_build" / "css" / "app.css"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _skip_or_fail(message: str) -> None:
    if os.environ.get("WRES_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """One headless chromium for the browser tests, stopped after the last of them.

    While Playwright's sync API is running, its event loop runs in this thread, and Django keeps
    database connections per asyncio context instead of per thread (asgiref's thread-critical
    Local). A connection opened then is not the one Django closes before dropping the test
    database. So the browser is not kept for the whole run: with a session-scoped browser, the
    first later test to open a connection left it open, and the run ended with "database ... is
    being accessed by other users". The connections opened while it ran are closed before it
    stops."""
    executable = shutil.which("chromium")
    if executable is None:
        _skip_or_fail("needs Debian's chromium on PATH (apt-get install chromium)")
    if not AXE_JS.is_file():
        _skip_or_fail(f"needs axe-core from npm ({AXE_JS.relative_to(ROOT)}): run npm ci")
    if not BUILT_CSS.is_file():
        _skip_or_fail("needs the built front end (static_build/): run npm run build")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _skip_or_fail("needs the playwright Python package (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
        from django.db import connections

        connections.close_all()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text()
