"""The API's schema built by several request threads at once (gunicorn's gthread workers): the
first JSON POST of a worker's threads used to fail now and then with `KeyError: 'PaginatedAuthorityList'`
(tests/actionplans/test_api_concurrency.py). drf-spectacular keeps one schema inspector per view
class (`extend_schema` puts an instance on the class) and points it at the current generator's
component registry while it describes an operation, so two generators running at once put
components into each other's registries. Each request thread must get the one complete schema
(built once, under a lock: wres_portal.api_types.published_schema, and only one generator at a time
in a process: wres_portal.api_schema.SchemaGenerator)."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from drf_spectacular.settings import spectacular_settings

from wres_portal import api_types

THREADS = 6
ROUNDS = 15


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _all_at_once(call) -> list[Any]:
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(index: int) -> None:
        barrier.wait(timeout=60)
        try:
            results[index] = call()
        except Exception as error:  # asserted on in the main thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    return results


def _complete(schema: dict[str, Any]) -> None:
    components = schema["components"].items()
    defined = {f"#/components/{kind}/{name}" for kind, names in components for name in names}
    assert _refs(schema["paths"]) - defined == set(), "references to missing components"


def test_threads_building_the_schema_at_once_all_get_the_same_complete_schema(monkeypatch):
    for _ in range(ROUNDS):
        monkeypatch.setattr(api_types, "_built", None)  # as in a new worker: nobody has built it yet
        results = _all_at_once(api_types.published_schema)
        assert [r for r in results if isinstance(r, Exception)] == []
        first = results[0]
        assert all(r is first for r in results), "each thread built its own schema"
        _complete(first)


def test_the_schema_endpoint_building_it_meanwhile_breaks_neither(monkeypatch):
    """GET /api/schema/ builds its own, with SPECTACULAR_SETTINGS["DEFAULT_GENERATOR_CLASS"]."""
    turns = itertools.count()  # even turns: a request thread's gate; odd: the schema endpoint
    lock = threading.Lock()

    def one_or_the_other() -> dict[str, Any]:
        with lock:
            mine = next(turns)
        if mine % 2:
            return spectacular_settings.DEFAULT_GENERATOR_CLASS().get_schema(request=None, public=True)
        return api_types.published_schema()

    for _ in range(ROUNDS // 3):
        monkeypatch.setattr(api_types, "_built", None)
        results = _all_at_once(one_or_the_other)
        assert [r for r in results if isinstance(r, Exception)] == []
        for result in results:
            _complete(result)
