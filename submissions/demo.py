"""Demo rounds and returns for `make demo`: a closed 2025 round with accepted returns from 40
councils, and an open 2026 round in which the three demo councils stand at different steps.
Figures are synthetic. Safe to re-run: a round that exists is left as it is."""

from __future__ import annotations

import datetime
from io import TextIOBase

from django.db import transaction
from django.utils import timezone

from accounts.models import Authority, User

from .models import CollectionRound, Return, ReturnEvent
from .services import _write_version
from .synthetic import synthetic_return

PARTICIPANTS = 40


def _share(authority: Authority) -> float:
    percent = authority.population_minority_ethnic_percent
    return float(percent) / 100 * 0.9 if percent is not None else 0.08


def _add_return(
    authority: Authority, collection_round: CollectionRound, status: str, analyst: User, seed: str
) -> None:
    record = Return.objects.create(authority=authority, round=collection_round)
    data = synthetic_return(seed, minority_share=_share(authority))
    version = _write_version(record, data, source="upload", user=analyst, filename="demo.csv")
    steps = [ReturnEvent.Action.SAVED]
    if status != Return.Status.DRAFT:
        steps.append(ReturnEvent.Action.SUBMITTED)
    if status in (Return.Status.SIGNED_OFF, Return.Status.ACCEPTED):
        steps.append(ReturnEvent.Action.SIGNED_OFF)
    if status == Return.Status.ACCEPTED:
        steps.append(ReturnEvent.Action.ACCEPTED)
    for action in steps:
        signed = action == ReturnEvent.Action.SIGNED_OFF
        ReturnEvent.objects.create(
            authority=authority,
            return_record=record,
            version=version,
            action=action,
            actor=analyst,
            signatory_name="Demo Sponsor" if signed else "",
            signatory_role="Director of Adult Social Services" if signed else "",
            signed_on=timezone.localdate() if signed else None,
        )
    record.status = status
    record.submitted_at = timezone.now() if status != Return.Status.DRAFT else None
    record.save()


@transaction.atomic
def load(out: TextIOBase, *, demo_councils: list[str]) -> None:
    analyst = User.objects.get(email="analyst@skillsforcare.example")
    today = timezone.localdate()
    others = list(
        Authority.objects.exclude(ons_code__in=demo_councils).order_by("ons_code")[: PARTICIPANTS - 3]
    )
    demo = list(Authority.objects.filter(ons_code__in=demo_councils).order_by("ons_code"))

    previous, created = CollectionRound.objects.get_or_create(
        label="2025",
        defaults={
            "period_start": datetime.date(2024, 4, 1),
            "period_end": datetime.date(2025, 3, 31),
            "snapshot_date": datetime.date(2025, 3, 31),
            "opens_on": datetime.date(2025, 6, 2),
            "closes_on": datetime.date(2025, 8, 29),
            "created_by": analyst,
        },
    )
    if created:
        for authority in demo + others:
            _add_return(authority, previous, Return.Status.ACCEPTED, analyst, f"2025-{authority.ons_code}")
        out.write(f"Round 2025 (closed): {len(demo + others)} accepted returns.\n")

    current, created = CollectionRound.objects.get_or_create(
        label="2026",
        defaults={
            "period_start": datetime.date(2025, 4, 1),
            "period_end": datetime.date(2026, 3, 31),
            "snapshot_date": datetime.date(2026, 3, 31),
            "opens_on": today - datetime.timedelta(days=20),
            "closes_on": today + datetime.timedelta(days=40),
            "created_by": analyst,
        },
    )
    if created:
        for index, authority in enumerate(others[:30]):
            status = Return.Status.ACCEPTED if index < 25 else Return.Status.SIGNED_OFF
            _add_return(authority, current, status, analyst, f"2026-{authority.ons_code}")
        steps = {"E06000043": Return.Status.DRAFT, "E08000035": Return.Status.SUBMITTED}
        for authority in demo:
            if authority.ons_code in steps:
                _add_return(
                    authority, current, steps[authority.ons_code], analyst, f"2026-{authority.ons_code}"
                )
        out.write(
            "Round 2026 (open): 25 accepted, 5 signed off; Brighton and Hove has a draft, Leeds has "
            "submitted (waiting for its sponsor), Norfolk has not started.\n"
        )
