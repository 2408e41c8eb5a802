from __future__ import annotations

import datetime

from django.utils import timezone

from submissions.models import (
    Return,
)
from wres_portal.errors import StateConflict


def require_changeable(record: Return, today: datetime.date | None = None) -> None:
    """Figures may go in only while the return is a draft and once its round has opened (issue 13,
    L9); checked before an upload is read, so a locked return costs no parsing (H1).

    After the closing date (or the council's extension) a council may still submit, late, with a
    reason (`return_submit`): late returns are a product rule, flagged to analysts.
    """
    today = today or timezone.localdate()
    if record.pk and not record.is_editable():
        raise StateConflict(
            f"This return is {record.get_status_display().lower()}, so it cannot be changed. "
            "It must be returned for revision first."
        )
    opens_on = record.round.opens_on
    if today < opens_on:
        raise StateConflict(
            f"The {record.round.label} round opens on {opens_on:%-d %B %Y}. You can upload, enter and "
            "submit figures from then."
        )


def _lock(record: Return) -> Return:
    return Return.objects.select_for_update().select_related("authority", "round").get(pk=record.pk)
