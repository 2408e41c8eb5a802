"""Abstract base models shared by every app."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

#: Length limits on free text (issue 13, L11): every text a person types has one, in the model (so
#: model forms and serializers inherit it) and in every form and serializer that takes it. A plan's
#: paragraphs are at most TEXT_MAX characters; reasons, notes, messages and names at most NOTE_MAX.
TEXT_MAX = 5000
NOTE_MAX = 2000


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PublicIdModel(TimeStampedModel):
    """Adds the UUID used in URLs and the API, so integer ids are never exposed across tenants."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """A POST made with an `Idempotency-Key` and the response it got (wres_portal/idempotency.py).

    One per user and key: the unique constraint is what makes concurrent retries wait for the first
    and then see its response. Stored with the write itself, in the same transaction, so a record
    exists exactly when the write happened. Deleted after `expires_at` by a periodic task."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    #: SHA-256 of the method, path and body, so the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_per_user_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
