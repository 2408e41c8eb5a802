"""Upload previews: a checked file waits in the database for its uploader's confirmation."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.utils import timezone

from accounts.models import Authority, User
from submissions.models import CollectionRound, UploadPreview

#: An upload waits an hour for confirmation; its problems stay downloadable as long.
UPLOAD_TTL = datetime.timedelta(hours=1)


def upload_preview_store(
    *,
    user: User,
    authority: Authority,
    collection_round: CollectionRound,
    filename: str,
    data: list[Any] | None = None,
    errors: list[Any] | None = None,
    flow: str = UploadPreview.Flow.UPLOAD,
) -> UploadPreview:
    now = timezone.now()
    return UploadPreview.objects.create(
        token=secrets.token_urlsafe(16),
        flow=flow,
        user=user,
        authority=authority,
        round=collection_round,
        filename=filename[:255],
        data=data,
        errors=errors,
        created_at=now,
        expires_at=now + UPLOAD_TTL,
    )


def upload_preview_get(
    *,
    user: User,
    authority: Authority,
    collection_round: CollectionRound,
    token: str,
    flow: str = UploadPreview.Flow.UPLOAD,
) -> UploadPreview | None:
    """The uploader's own live preview for this council and round, made by `flow`, or None."""
    return (
        UploadPreview.objects.live()
        .filter(token=token, user=user, authority=authority, round=collection_round, flow=flow)
        .first()
    )


def upload_preview_delete(preview: UploadPreview) -> None:
    UploadPreview.objects.filter(pk=preview.pk).delete()


def upload_previews_delete_expired() -> int:
    deleted, _ = UploadPreview.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
