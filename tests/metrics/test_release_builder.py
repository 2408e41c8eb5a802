"""The release builder's un-hiding pass: it has its own time budget, counted from when it starts, so
it runs however long building took, and the release says how much it had no time to try."""

from __future__ import annotations

import itertools

import pytest

from metrics.calculations import compute_results
from metrics.releases import builder as builder_module
from metrics.releases.builder import Builder, Member
from metrics.services import headline
from submissions.synthetic import synthetic_return


def _world() -> dict[str, Member]:
    members = {}
    places = [("North East", "unitary")] * 5 + [("South West", "county")] * 6
    for i, (region, kind) in enumerate(places):
        data = synthetic_return(f"unhide-{i}", size=300, minority_share=0.05 + i / 100)
        values = {
            (e["service"], e["indicator"]): (headline(e), e.get("four_fifths") or "")
            for e in compute_results(data, population_share=None)
        }
        members[f"U{i:04d}:{i}"] = Member(
            f"U{i:04d}:{i}", i, f"U{i:04d}", f"Council {i}", i, region, kind, data, values
        )
    return members


class _Clock:
    """A clock that moves on a minute each time the auditor runs while the release is built."""

    def __init__(self) -> None:
        self.now = 0.0
        self.building = True

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(builder_module.time, "monotonic", fake.monotonic)
    original = Builder.audit

    def slow_audit(self, view, only=None):
        if fake.building:
            fake.now += 60.0  # building takes minutes at national scale
        return original(self, view, only=only)

    def unhide(self, hidden, view, tables, started):
        fake.building = False
        return original_unhide(self, hidden, view, tables, started)

    original_unhide = Builder._unhide
    monkeypatch.setattr(Builder, "audit", slow_audit)
    monkeypatch.setattr(Builder, "_unhide", unhide)
    return fake


def test_the_unhiding_pass_runs_however_long_building_took(clock) -> None:
    members = _world()
    built = Builder("release 1", list(members.values()), [], members, budget_seconds=30).build()
    assert built.audit.ok, built.audit.leaks
    figures = built.suppression()
    assert figures["candidates"] > 0  # the world has counts hidden only for protection
    assert built.tried > 0, "the un-hiding pass never ran: the build's own time used up its budget"
    assert figures["not_tried"] == figures["candidates"] - built.tried
    assert figures["unhide_budget"] == 30
    # the page lists only the protection's reasons under "hidden for protection"
    assert sum(figures["protection_by_reason"].values()) == figures["protection"]
    assert not {"small count", "small area"} & set(figures["protection_by_reason"])


def test_what_the_unhiding_pass_had_no_time_for_is_reported(monkeypatch) -> None:
    members = _world()
    ticks = itertools.count()
    monkeypatch.setattr(builder_module.time, "monotonic", lambda: float(next(ticks)) * 1000)
    built = Builder("release 1", list(members.values()), [], members, unhide_seconds=0).build()
    figures = built.suppression()
    assert built.tried == 0 and figures["unhidden"] == 0
    assert figures["not_tried"] == figures["candidates"] > 0
