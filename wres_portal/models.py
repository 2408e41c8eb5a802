"""Abstract base models shared by every app."""

from __future__ import annotations

import uuid

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
