"""Writes to rounds and returns, and every lifecycle transition. The rules live here, so the web
pages, the API and the tasks behave alike:

draft --submit (programme lead)--> submitted --sign off (senior sponsor)--> signed_off
  --accept (analyst)--> accepted; a sponsor (submitted) or an analyst (any state after draft) can
  return it for revision, which starts a new draft version."""

from __future__ import annotations

from .bulk import BULK_MAX, BulkOutcome, returns_accept_many, returns_remind
from .common import require_changeable
from .drafts import (
    ReturnDataInvalid,
    UploadCheck,
    _write_version,
    current_data,
    draft_save,
    draft_save_service,
    return_get_or_create,
    upload_check,
)
from .feed import feed_record
from .integrity import check_version, explanations_affected, figure_changes
from .lifecycle import return_accept, return_send_back, return_sign_off, return_submit
from .notifications import REMINDER_DAYS, SUBJECTS, reminders_send
from .previews import (
    UPLOAD_TTL,
    upload_preview_delete,
    upload_preview_get,
    upload_preview_store,
    upload_previews_delete_expired,
)
from .rounds import round_extend, round_open
from .warnings import (
    data_warnings,
    earlier_explanation,
    is_late,
    submission_blockers,
    unexplained_warnings,
    version_warnings,
    warning_explain,
)

__all__ = [
    "BULK_MAX",
    "REMINDER_DAYS",
    "SUBJECTS",
    "UPLOAD_TTL",
    "BulkOutcome",
    "ReturnDataInvalid",
    "UploadCheck",
    "_write_version",
    "check_version",
    "current_data",
    "data_warnings",
    "draft_save",
    "draft_save_service",
    "earlier_explanation",
    "explanations_affected",
    "feed_record",
    "figure_changes",
    "is_late",
    "reminders_send",
    "require_changeable",
    "return_accept",
    "return_get_or_create",
    "return_send_back",
    "return_sign_off",
    "return_submit",
    "returns_accept_many",
    "returns_remind",
    "round_extend",
    "round_open",
    "submission_blockers",
    "unexplained_warnings",
    "upload_check",
    "upload_preview_delete",
    "upload_preview_get",
    "upload_preview_store",
    "upload_previews_delete_expired",
    "version_warnings",
    "warning_explain",
]
