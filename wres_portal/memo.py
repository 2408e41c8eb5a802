"""Values kept for the life of a process by everything they are made from (issue 18): the page's
header and footer (`{% page_header %}`), a filter field's markup (`stored_field_group`). A value is a
pure function of its key, so an entry is never stale; the store is emptied when it is full, so a
process keeps at most `limit` of them."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ProcessStore(Generic[V]):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: dict[Hashable, V] = {}

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value stored under `key`, made by `make()` and stored the first time."""
        found = self._values.get(key)
        if found is None:
            if len(self._values) >= self.limit:
                self._values.clear()
            found = self._values[key] = make()
        return found

    def __len__(self) -> int:
        return len(self._values)
