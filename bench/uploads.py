"""Hostile uploads (issue 13, H1): what the worst of a set of hostile files of at most 5 MB costs the
server, in CPU seconds, against a valid return.

Each file is posted to the upload page as a programme lead, in this process (Django's test client:
the whole request, from the multipart body to the rendered page, and nothing else), and the CPU
time of the request is measured (`time.process_time`, median of BENCH_UPLOAD_REPEATS, default 5).
The same is done for the upload service alone (read and check the file). The files are those of
`tests/submissions/hostile.py` at full size (each refused or read within the limits by the tests).

Budget: the worst hostile upload costs at most 3 times a valid return (the XLSX template filled in),
for the whole request and for reading and checking alone.

Run on its own while developing: `BENCH_DATABASE=wres_uploads python -m bench.uploads` (it creates
and drops its own database, as `make bench` does).
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

BUDGET = 3.0


@dataclass
class Measured:
    name: str
    what: str
    size: int
    outcome: str
    request_ms: float
    service_ms: float


def _median_cpu_ms(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.process_time()
        action()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def measure(repeats: int | None = None) -> list[Measured]:
    """The valid return first, then every hostile file."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from bench import steps
    from submissions import services
    from submissions.models import Return
    from tests.submissions.files import csv_bytes, valid_rows, xlsx_bytes
    from tests.submissions.hostile import HOSTILE, filename

    repeats = repeats or int(os.environ.get("BENCH_UPLOAD_REPEATS", "5"))
    steps.reset()
    world = steps.build_world(1)
    authority, collection_round = world.authorities[0], world.collection_round
    lead = world.leads[authority.pk]
    client = Client()
    client.force_login(lead)
    url = reverse("submissions:upload", args=[authority.ons_code, collection_round.label])
    record = Return(authority=authority, round=collection_round)

    files = {
        "valid_xlsx": ("return.xlsx", xlsx_bytes(valid_rows()), "a valid return (XLSX)"),
        "valid_csv": ("return.csv", csv_bytes(valid_rows()), "a valid return (CSV)"),
    }
    for name, (build, what) in HOSTILE.items():
        files[name] = (filename(name), build(1.0), what)

    results = []
    for name, (file_name, content, what) in files.items():
        outcome: list[str] = []

        def post(file_name: str = file_name, content: bytes = content, outcome: list[str] = outcome) -> None:
            response = client.post(url, {"file": SimpleUploadedFile(file_name, content)})
            if response.status_code >= 500:
                raise RuntimeError(f"{file_name}: the upload answered {response.status_code}")
            outcome[:] = ["accepted" if response.status_code == 302 else "refused"]

        def check(file_name: str = file_name, content: bytes = content) -> None:
            services.upload_check(record=record, filename=file_name, content=content)

        post()  # warm-up
        request_ms = _median_cpu_ms(post, repeats)
        service_ms = _median_cpu_ms(check, repeats)
        results.append(Measured(name, what, len(content), outcome[0], request_ms, service_ms))
    return results


def table(results: list[Measured]) -> list[str]:
    rows = [("file", "size", "outcome", "upload request, ms CPU", "read and check, ms CPU")]
    for r in results:
        size = f"{r.size / 1024 / 1024:.2f} MB" if r.size >= 100_000 else f"{r.size / 1024:.1f} KB"
        rows.append((r.what, size, r.outcome, f"{r.request_ms:.1f}", f"{r.service_ms:.2f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return lines


def budgets(results: list[Measured]) -> list[str]:
    valid = next(r for r in results if r.name == "valid_xlsx")
    hostile = [r for r in results if not r.name.startswith("valid_")]
    worst = max(hostile, key=lambda r: r.request_ms)
    ratio = worst.request_ms / valid.request_ms
    worst_read = max(hostile, key=lambda r: r.service_ms)
    read_ratio = worst_read.service_ms / valid.service_ms
    return [
        f"  [{_verdict(ratio)}] worst hostile upload <= {BUDGET:g}x a valid return: {ratio:.1f}x "
        f"({worst.what}: {worst.request_ms / 1000:.4f} s CPU against {valid.request_ms / 1000:.4f} s)",
        f"  [{_verdict(read_ratio)}] reading and checking alone <= {BUDGET:g}x: {read_ratio:.1f}x "
        f"({worst_read.what}: {worst_read.service_ms / 1000:.4f} s against {valid.service_ms / 1000:.4f} s)",
    ]


def _verdict(ratio: float) -> str:
    return "met" if ratio <= BUDGET else "NOT MET"


def report(results: list[Measured]) -> list[str]:
    return [
        "Hostile uploads (issue 13): CPU per upload of files of at most 5 MB, median of "
        f"{os.environ.get('BENCH_UPLOAD_REPEATS', '5')}, upload page as a programme lead, in-process",
        *table(results),
        "Budget (issue 13):",
        *budgets(results),
    ]


def main() -> None:
    from bench import run

    run._setup_database()
    os.environ["DJANGO_SETTINGS_MODULE"] = "wres_portal.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print("\n".join(report(measure())))


if __name__ == "__main__":
    main()
