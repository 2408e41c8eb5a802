"""Compute the results document (spec section 3) for a return file, without the web application.

Exit codes: 0 with the JSON document on standard output; 1 when the file has errors (each printed
with its place); 2 when the file cannot be read at all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.models import Authority
from metrics.calculations import results_document
from submissions.returnfile import UnreadableFile, read_return_file
from submissions.validation import check_table


class Command(BaseCommand):
    help = "Print the results document for a return file (CSV or XLSX), checked like an upload."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--authority", help="ONS code the file must be for (and whose population share m9 uses)"
        )
        parser.add_argument("--round", dest="round_label", help="Round label the file must be for")
        parser.add_argument(
            "--population-share", type=float, help="Minority ethnic share of the local population, in percent"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = read_return_file(path.name, path.read_bytes())
        except OSError as error:
            self.stderr.write(f"{path}: cannot open the file ({error.strerror}).")
            sys.exit(2)
        except UnreadableFile as error:
            self.stderr.write(f"{path}: {error.message}")
            sys.exit(2)
        about = table.about or {}
        code = options["authority"] or next((v for k, v in about.items() if "code" in k), "")
        round_label = options["round_label"] or next((v for k, v in about.items() if "round" in k), "")
        checked = check_table(table, authority_code=str(code), round_label=str(round_label))
        if checked.errors:
            self.stdout.write(f"{path}: {len(checked.errors)} problem(s); nothing was computed.")
            for problem in checked.errors:
                place = problem.place.describe() if problem.place else "Whole file"
                self.stdout.write(f"{place}: {problem.message} {problem.fix}")
            sys.exit(1)
        share = options["population_share"]
        if share is None and options["authority"]:
            authority = Authority.objects.filter(ons_code=options["authority"]).first()
            if authority and authority.population_minority_ethnic_percent is not None:
                share = float(authority.population_minority_ethnic_percent)
        document = results_document(checked.data, population_share=None if share is None else share / 100)
        self.stdout.write(json.dumps(document, indent=2, allow_nan=False))
