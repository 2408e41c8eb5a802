"""Reads of action plans shared by views, APIs and the pages above this app; no writes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.models import Authority, User

from .models import ActionPlan


def latest_plan(user: User | AnonymousUser, authority: Authority) -> ActionPlan | None:
    """The authority's plan shown on its home page (the latest year first), if `user` may see it."""
    return ActionPlan.objects.for_user(user).filter(authority=authority).first()
