"""What an upload (or a set of figures) would change in the current draft, for the preview page:
each count, and in words what happens to each service. A service the new figures leave out keeps
its figures unless removing it was chosen (`merge_services`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from submissions.schema import GROUP_LABELS, GROUPS, SERVICES, ReturnData, RowKey, row_keys, services_in


@dataclass(frozen=True)
class Change:
    """One count that would change; `old` or `new` is None when the row is absent on that side."""

    key: RowKey
    group: str
    old: int | None
    new: int | None

    @property
    def label(self) -> str:
        """For example "Adult social care: headcount, Minority ethnic"."""
        return f"{self.key}, {GROUP_LABELS[self.group]}"


class ReturnDiff(list[Change]):
    """The changed counts, in template order (a list), plus the services added and removed."""

    def __init__(self, changes: list[Change], services_added: list[str], services_removed: list[str]) -> None:
        super().__init__(changes)
        self.services_added = services_added
        self.services_removed = services_removed


def diff(old: ReturnData, new: ReturnData) -> ReturnDiff:
    """Each count that differs between `old` (the current draft) and `new` (the upload)."""
    changes = [
        Change(key, group, old.get(key, {}).get(group), new.get(key, {}).get(group))
        for key in sorted(set(old) | set(new), key=_template_order)
        for group in GROUPS
        if old.get(key, {}).get(group) != new.get(key, {}).get(group)
    ]
    before, after = set(services_in(old)), set(services_in(new))
    return ReturnDiff(
        changes,
        services_added=[s for s in SERVICES if s in after - before],
        services_removed=[s for s in SERVICES if s in before - after],
    )


def _template_order(key: RowKey) -> tuple[int, int, RowKey]:
    """Template order; keys outside the schema (there should be none) go last."""
    if key.service in SERVICES and key in (order := row_keys(key.service)):
        return (SERVICES.index(key.service), order.index(key), key)
    return (len(SERVICES), 0, key)


def merge_services(current: ReturnData, new: ReturnData, remove: Iterable[str] = ()) -> ReturnData:
    """The draft after saving `new` over `current`: each service in `new` is replaced whole; a
    service `new` leaves out keeps its figures from `current`, unless it is listed in `remove`."""
    sent, dropped = set(services_in(new)), set(remove)
    kept = {k: v for k, v in current.items() if k.service not in sent and k.service not in dropped}
    return {**kept, **new}


def services_effect(current: ReturnData, new: ReturnData, remove: Iterable[str] = ()) -> dict[str, list[str]]:
    """Per service, in template order: replaced (in both), added (new only), kept (left out of
    `new`, so left as it is) and removed (left out and chosen for removal)."""
    before, sent, dropped = set(services_in(current)), set(services_in(new)), set(remove)
    return {
        "replaced": [s for s in SERVICES if s in sent and s in before],
        "added": [s for s in SERVICES if s in sent and s not in before],
        "kept": [s for s in SERVICES if s in before and s not in sent and s not in dropped],
        "removed": [s for s in SERVICES if s in before and s not in sent and s in dropped],
    }
