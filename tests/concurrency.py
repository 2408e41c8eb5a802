"""Real concurrent requests for the integrity tests (issue 12): each call runs in its own thread,
with its own database connection (Django's connections are per thread), and all are released at
once by a `threading.Barrier`, so they reach the database together. Used with
`@pytest.mark.django_db(transaction=True)` on PostgreSQL, so each request commits for real."""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.workers import require_postgresql


def together(*calls: Callable[[], Any], timeout: float = 120) -> list[Any]:
    """Run every call at the same moment, one thread each; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except BaseException as error:  # re-raised in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request never finished"
    if errors:
        raise errors[0]
    return results


def shortly(call: Callable[[], Any], seconds: float = 0.15) -> Callable[[], Any]:
    """`call`, a moment after the barrier opens: for races whose point is the other request landing
    first (a sponsor pressing "sign off" just as someone else's change commits). The test's
    assertions hold whichever lands first; this makes the dangerous order the likely one."""

    def run() -> Any:
        time.sleep(seconds)
        return call()

    return run


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hidden(page: str, name: str) -> str:
    """The value of a hidden input on a rendered page ("" when the page has none, as pages had before
    they named the state they were built on: the tests then show what that lost)."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page) or re.search(
        rf'name="{name}" value="([^"]*)"[^>]*type="hidden"', page
    )
    return html.unescape(match.group(1)) if match else ""


@pytest.fixture
def postgres() -> None:
    """Skip locally (fail in CI) unless the database is PostgreSQL."""
    require_postgresql()
