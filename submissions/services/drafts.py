from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import Authority, User
from submissions.models import (
    CollectionRound,
    Return,
    ReturnEvent,
    ReturnVersion,
)
from submissions.resources import version_rows_import
from submissions.returnfile import UnreadableFile, read_return_file
from submissions.schema import SERVICES, ReturnData, row_keys
from submissions.validation import check_data, check_table, diff
from wres_portal.errors import ApplicationError

from .common import LEAD, _lock, _require, require_changeable


@transaction.atomic
def return_get_or_create(*, authority: Authority, collection_round: CollectionRound) -> Return:
    record, _ = Return.objects.get_or_create(authority=authority, round=collection_round)
    return record


def _write_version(
    record: Return, data: ReturnData, *, source: str, user: User, filename: str = "", note: str = ""
) -> ReturnVersion:
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
    version_rows_import(version, data)
    record.current_version = version
    record.save(update_fields=["current_version", "updated_at"])
    return version


def current_data(record: Return) -> ReturnData:
    return record.current_version.data() if record.current_version else {}


@transaction.atomic
def draft_save(
    *, record: Return, data: ReturnData, user: User, source: str, filename: str = "", note: str = ""
) -> ReturnVersion:
    """Save figures as a new draft version, after checking them with the same rules as an upload.

    Only the council's programme leads may; only a draft can change (a submitted return must be
    returned for revision first). Nothing is written when a rule fails.
    """
    record = _lock(record)
    _require(user, record.authority, LEAD, "change the return")
    require_changeable(record)
    problems = check_data(data)
    if problems:
        raise ReturnDataInvalid(problems)
    version = _write_version(record, data, source=source, user=user, filename=filename, note=note)
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

    def __init__(self, problems: list) -> None:  # type: ignore[type-arg]
        super().__init__(f"The return has {len(problems)} problem{'s' if len(problems) != 1 else ''}.")
        self.problems = problems


def draft_save_service(
    *, record: Return, service: str, counts: ReturnData | None, user: User
) -> ReturnVersion:
    """Web entry: replace one service's rows (None removes the service) and save a new draft."""
    if service not in SERVICES:
        raise ApplicationError("Unknown service.")
    data = {k: v for k, v in current_data(record).items() if k.service != service}
    if counts is not None:
        missing = [key for key in row_keys(service) if key not in counts]
        if missing:
            raise ApplicationError(f"Enter every figure for {service}: {missing[0]} is missing.")
        data.update(counts)
    return draft_save(
        record=record, data=data, user=user, source=ReturnVersion.Source.WEB, note=f"{service} page"
    )


@dataclass
class UploadCheck:
    """What an upload would do: either problems (nothing stored) or the figures and the changes."""

    problems: list = field(default_factory=list)  # type: ignore[type-arg]
    data: ReturnData = field(default_factory=dict)
    changes: list = field(default_factory=list)  # type: ignore[type-arg]
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
