from __future__ import annotations

from collections.abc import Iterable

from accounts.access import has_role
from accounts.models import Authority, Role, User
from submissions.models import (
    Return,
)
from wres_portal.errors import ApplicationError

LEAD = [Role.PROGRAMME_LEAD]


SPONSOR = [Role.SENIOR_SPONSOR]


def _require(user: User, authority: Authority, roles: Iterable[str], doing: str) -> None:
    if not has_role(user, authority, roles):
        labels = " or ".join(Role(r).label.lower() for r in roles)
        raise ApplicationError(f"Only the council's {labels} can {doing}.")


def _lock(record: Return) -> Return:
    return Return.objects.select_for_update().select_related("authority", "round").get(pk=record.pk)
