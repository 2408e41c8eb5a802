"""wres_portal.memo.ProcessStore: a value made once per key, and never more than `limit` kept."""

from __future__ import annotations

from wres_portal.memo import ProcessStore


def test_a_value_is_made_once_per_key_and_the_store_is_emptied_when_full() -> None:
    made: list[str] = []
    store: ProcessStore[str] = ProcessStore(limit=2)

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert store.get("a", lambda: make("a")) == "A"
    assert store.get("a", lambda: make("a")) == "A"
    assert store.get("b", lambda: make("b")) == "B"
    assert made == ["a", "b"] and len(store) == 2
    assert store.get("c", lambda: make("c")) == "C"  # full: emptied, then "c" kept
    assert len(store) == 1
    assert store.get("a", lambda: make("a")) == "A"
    assert made == ["a", "b", "c", "a"]
