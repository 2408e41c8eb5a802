"""Load the register of 153 councils from data/authorities.csv. Safe to re-run: it creates missing
authorities, updates changed ones, and leaves alone any an analyst has corrected."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Authority, AuthorityType, Region

DEFAULT_FILE = Path(settings.BASE_DIR) / "data" / "authorities.csv"
CENSUS_SOURCE = "ONS Census 2021 TS021 (data/README.md)"


def read_register(path: Path) -> list[dict[str, object]]:
    """Read and check every row before anything is written; raise CommandError naming the row."""
    rows: list[dict[str, object]] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            share = (row.get("population_minority_ethnic_percent") or "").strip()
            if row.get("region") not in Region.values:
                raise CommandError(f"Row {number}: unknown region {row.get('region')!r}.")
            if row.get("authority_type") not in AuthorityType.values:
                raise CommandError(f"Row {number}: unknown authority type {row.get('authority_type')!r}.")
            rows.append(
                {
                    "ons_code": row["ons_code"].strip(),
                    "name": row["name"].strip(),
                    "region": row["region"],
                    "authority_type": row["authority_type"],
                    "population_minority_ethnic_percent": Decimal(share) if share else None,
                    "population_source": CENSUS_SOURCE if share else "",
                }
            )
    return rows


class Command(BaseCommand):
    help = "Create or update the councils register from data/authorities.csv (safe to re-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE)

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        rows = read_register(options["file"])  # type: ignore[arg-type]
        existing = {a.ons_code: a for a in Authority.objects.all()}
        created = updated = unchanged = kept = 0
        for row in rows:
            authority = existing.get(str(row["ons_code"]))
            if authority is None:
                Authority.objects.create(**row)
                created += 1
            elif authority.corrected_at is not None:
                kept += 1
            elif any(getattr(authority, k) != v for k, v in row.items()):
                for key, value in row.items():
                    setattr(authority, key, value)
                authority.save()
                updated += 1
            else:
                unchanged += 1
        self.stdout.write(
            f"Authorities: {created} created, {updated} updated, {unchanged} unchanged, "
            f"{kept} kept as corrected by an analyst ({len(rows)} in the register)."
        )
