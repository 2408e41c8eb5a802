from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Authority, User
from accounts.permissions import PROGRAMME_LEADS, require
from submissions.models import (
    CollectionRound,
    Return,
    ReturnEvent,
    ReturnVersion,
)
from submissions.returnfile import UnreadableFile, read_return_file
from submissions.rows import version_rows_store
from submissions.schema import SERVICES, ReturnData, row_keys
from submissions.validation import check_data, check_table, diff, merge_services
from wres_portal.errors import ApplicationError

from . import integrity
from .common import _lock, require_changeable


@transaction.atomic
def return_get_or_create(*, authority: Authority, collection_round: CollectionRound) -> Return:
    record, _ = Return.objects.get_or_create(authority=authority, round=collection_round)
    return record


def _write_version(
    record: Return,
    data: ReturnData,
    *,
    source: str,
    user: User,
    filename: str = "",
    note: str = "",
    explanations: dict[str, str] | None = None,
) -> ReturnVersion:
    """Write `data` as the return's next version and make it current. The explanations of its
    warnings come with it (integrity.carry_explanations): `explanations` given now, else the latest
    earlier text of each warning that still stands."""
    last = record.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = ReturnVersion.objects.create(
        authority=record.authority,
        return_record=record,
        number=last + 1,
        source=source,
        filename=filename[:255],
        created_by=user,
        note=note,
    )
    version_rows_store(version, data)
    record.current_version = version
    record.save(update_fields=["current_version", "updated_at"])
    integrity.carry_explanations(record, version, user=user, given=explanations)
    return version


def current_data(record: Return) -> ReturnData:
    return record.current_version.data() if record.current_version else {}


@transaction.atomic
def draft_save(
    *,
    record: Return,
    data: ReturnData,
    user: User,
    source: str,
    filename: str = "",
    note: str = "",
    remove_services: Iterable[str] = (),
    expected_version: int | None = None,
    expected_status: str | None = None,
    expected_explanations: str | None = None,
    explanations: dict[str, str] | None = None,
) -> ReturnVersion:
    """Save figures as a new draft version, after checking them with the same rules as an upload.

    Only the council's programme leads may; only a draft can change (a submitted return must be
    returned for revision first). Nothing is written when a rule fails.

    - `expected_version`: the version number the figures were built on (the page's or client's);
      if the return has moved on, nothing is written and StaleWrite says who changed what and when.
      None checks nothing (callers that build on the current version themselves). Checked under the
      return's row lock, in this transaction.
    - Each service in `data` is replaced whole; a service `data` leaves out keeps its figures,
      unless it is in `remove_services` (removing one is always an explicit choice).
    - `explanations`: warning key -> text, kept or written on the page before saving (see
      integrity.explanations_affected); other explanations are carried while their warnings stand.
    """
    record = _lock(record)
    require(user, record.authority, PROGRAMME_LEADS, "change the return")
    integrity.check_version(
        record,
        expected_version,
        expected_status=expected_status,
        expected_explanations=expected_explanations,
        refused="Your figures have not been saved yet: they are kept below, beside the changes. "
        "Check them and save again.",
    )
    require_changeable(record)
    data = merge_services(current_data(record), data, remove_services)
    problems = check_data(data)
    if problems:
        raise ReturnDataInvalid(problems)
    version = _write_version(
        record, data, source=source, user=user, filename=filename, note=note, explanations=explanations
    )
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=version,
        action=ReturnEvent.Action.SAVED,
        actor=user,
    )
    return version


class ReturnDataInvalid(ApplicationError):
    """The figures break the return's rules; `problems` lists every one with its place."""

    def __init__(self, problems: list) -> None:
        super().__init__(f"The return has {len(problems)} problem{'s' if len(problems) != 1 else ''}.")
        self.problems = problems


def draft_save_service(
    *,
    record: Return,
    service: str,
    counts: ReturnData | None,
    user: User,
    expected_version: int | None = None,
    explanations: dict[str, str] | None = None,
) -> ReturnVersion:
    """Web entry: replace one service's rows (None removes the service) and save a new draft. The
    other service is taken from the draft as it stands under the lock, never from an older read;
    `expected_version` and `explanations` as for draft_save."""
    if service not in SERVICES:
        raise ApplicationError("Unknown service.")
    if counts is not None:
        missing = [key for key in row_keys(service) if key not in counts]
        if missing:
            raise ApplicationError(f"Enter every figure for {service}: {missing[0]} is missing.")
    return draft_save(
        record=record,
        data={k: v for k, v in (counts or {}).items() if k.service == service},
        user=user,
        source=ReturnVersion.Source.WEB,
        note=f"{service} page",
        remove_services=[service] if counts is None else [],
        expected_version=expected_version,
        explanations=explanations,
    )


@dataclass
class UploadCheck:
    """What an upload would do: either problems (nothing stored) or the figures and the changes."""

    problems: list = field(default_factory=list)
    data: ReturnData = field(default_factory=dict)
    changes: list = field(default_factory=list)
    unreadable: str | None = None
    #: Problems found beyond those in `problems` (at most `validation.MAX_PROBLEMS` are kept).
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return self.unreadable is None and not self.problems


def upload_check(*, record: Return, filename: str, content: bytes) -> UploadCheck:
    """Read and check an uploaded file completely, writing nothing. Raises `ApplicationError`,
    having read nothing, if the return cannot be changed (`require_changeable`)."""
    require_changeable(record)
    try:
        table = read_return_file(filename, content)
    except UnreadableFile as error:
        return UploadCheck(unreadable=error.message)
    checked = check_table(table, authority_code=record.authority.ons_code, round_label=record.round.label)
    if checked.errors:
        return UploadCheck(problems=checked.errors, more_problems=checked.omitted)
    return UploadCheck(data=checked.data, changes=diff(current_data(record), checked.data))
