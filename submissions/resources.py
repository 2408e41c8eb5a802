"""django-import-export resources for a version's rows: the confirmed upload is written through
`ReturnRowResource.import_data`, and a version's figures are exported through `export`.

Files are read and checked by `returnfile` and `validation` first (located, plain-English errors,
formula and zip-bomb refusal), so by the time a dataset reaches the resource it is known to be
valid; the resource still runs in one transaction and rolls back on any error.
"""

from __future__ import annotations

import tablib
from django.db import transaction
from import_export import resources

from wres_portal.bulk import copy_insert

from .models import ReturnRow, ReturnVersion
from .schema import GROUPS, HEADER, ReturnData

ROW_FIELDS = ("authority", "version", "service", "measure", "pay_band", *GROUPS)
ROW_ATTRIBUTES = ("authority_id", "version_id", "service", "measure", "pay_band", *GROUPS)


class ReturnRowResource(resources.ModelResource):
    """Rows of one version. Every row is new (versions are never updated), so no look-ups."""

    class Meta:
        model = ReturnRow
        fields = HEADER
        export_order = HEADER
        import_id_fields = ("service", "measure", "pay_band")
        force_init_instance = True
        skip_diff = True
        use_bulk = True
        batch_size = 500

    def __init__(self, version: ReturnVersion | None = None) -> None:
        super().__init__()
        self.version = version

    def get_queryset(self):
        """Scoped to the version: rows are never looked up across versions or authorities."""
        return ReturnRow.objects.filter(version=self.version)

    def after_import(self, dataset, result, **kwargs):
        """Leave the id sequence alone. import-export resets it to max(id) after every import (for
        imports that carry their own ids, as loaddata does); ours never do, and with two uploads at
        once the reset can move the sequence back under ids another transaction has taken but not
        yet committed, so a third upload would collide with them."""

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """As import-export's own, but stored with one `COPY` on PostgreSQL: Django's bulk_create
        builds arrays whose text quoting cost more than the rest of saving an upload (issue 7)."""
        if self.create_instances and (using_transactions or not dry_run):
            try:
                copy_insert(
                    ReturnRow,
                    ROW_FIELDS,
                    [[getattr(row, name) for name in ROW_ATTRIBUTES] for row in self.create_instances],
                )
            except Exception as error:  # handed to import-export, as its own bulk_create does
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def init_instance(self, row: object = None) -> ReturnRow:
        assert self.version is not None  # noqa: S101 - imports always name their version
        return ReturnRow(version=self.version, authority_id=self.version.authority_id)


def to_dataset(data: ReturnData) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(HEADER))
    for key, counts in sorted(data.items()):
        dataset.append([key.service, key.measure, key.pay_band, *(counts[g] for g in GROUPS)])
    return dataset


def version_rows_import(version: ReturnVersion, data: ReturnData) -> None:
    """Write `data` as the rows of `version`, all or nothing: inside the caller's transaction when
    there is one (the services always open one, so import-export's own savepoints would only add
    round trips to every upload), in a transaction of its own otherwise."""
    result = ReturnRowResource(version).import_data(
        to_dataset(data),
        dry_run=False,
        raise_errors=True,
        use_transactions=not transaction.get_connection().in_atomic_block,
        rollback_on_validation_errors=True,
    )
    if result.has_errors() or result.has_validation_errors():  # pragma: no cover - raise_errors raises first
        raise RuntimeError("The rows could not be written.")


def version_export(version: ReturnVersion) -> tablib.Dataset:
    dataset = ReturnRowResource(version).export(
        queryset=version.rows.order_by("service", "measure", "pay_band")
    )
    dataset.title = "Return"  # the sheet name an upload expects, so an export can be uploaded again
    return dataset
