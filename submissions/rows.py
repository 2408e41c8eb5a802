"""A version's rows: stored with one `COPY` (wres_portal/bulk.py), and exported as a tablib dataset.

Files are read and checked by `returnfile` and `validation` first (located, plain-English errors,
formula and zip-bomb refusal), so the data reaching `version_rows_store` is known to be valid.

These rows used to go through a django-import-export resource, which bought nothing here: every row
is new (versions are never updated, so no look-ups or diffs), the resource had to override its
`bulk_create` to use COPY and its `after_import` to stop it resetting the id sequence under
concurrent uploads, and the export is one tablib dataset in the template's column order.
"""

from __future__ import annotations

import tablib
from django.db import transaction

from wres_portal.bulk import copy_insert

from .models import ReturnRow, ReturnVersion
from .schema import GROUPS, HEADER, ReturnData

ROW_FIELDS = ("authority", "version", "service", "measure", "pay_band", *GROUPS)


def to_dataset(data: ReturnData) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(HEADER))
    for key, counts in sorted(data.items()):
        dataset.append([key.service, key.measure, key.pay_band, *(counts[g] for g in GROUPS)])
    return dataset


@transaction.atomic
def version_rows_store(version: ReturnVersion, data: ReturnData) -> None:
    """Write `data` as the rows of `version`, all or nothing (one COPY on PostgreSQL; the audit
    triggers record each row as for any insert)."""
    copy_insert(
        ReturnRow,
        ROW_FIELDS,
        [
            [
                version.authority_id,
                version.pk,
                key.service,
                key.measure,
                key.pay_band,
                *(counts[g] for g in GROUPS),
            ]
            for key, counts in sorted(data.items())
        ],
    )


def version_export(version: ReturnVersion) -> tablib.Dataset:
    """The version's figures in the template's columns; the sheet is named as an upload expects, so
    an export can be uploaded again."""
    dataset = tablib.Dataset(headers=list(HEADER))
    for row in version.rows.order_by("service", "measure", "pay_band"):
        dataset.append([getattr(row, name) for name in HEADER])
    dataset.title = "Return"
    return dataset
