"""Keep API tokens in step with their owner: revoke them when the password is changed or reset and
when the owner's roles change, whichever code path makes the change (services, the admin, a
password reset). Connected in AccountsConfig.ready."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import security_events
from .models import ApiToken, Membership, SecurityEvent, User
from .tokens import api_tokens_revoke_all, api_tokens_revoke_if_roles_changed


@receiver(post_save, sender=User, dispatch_uid="accounts.user_tokens")
def _user_saved(
    sender: type[User], instance: User, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return  # a new account has no tokens; signing in changes no role
    if getattr(instance, "_wres_password_changed", False):
        instance._wres_password_changed = False
        # The password views say how and from where (accounts.views); the admin and commands do not.
        kind = getattr(instance, "_wres_password_event", SecurityEvent.Kind.PASSWORD_CHANGED)
        security_events.record(kind, user=instance, request=getattr(instance, "_wres_request", None))
        api_tokens_revoke_all(user=instance, reason=ApiToken.RevokedReason.PASSWORD_CHANGED)
    api_tokens_revoke_if_roles_changed(user=instance)


@receiver(post_save, sender=Membership, dispatch_uid="accounts.membership_saved_tokens")
@receiver(post_delete, sender=Membership, dispatch_uid="accounts.membership_deleted_tokens")
def _membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None:
        api_tokens_revoke_if_roles_changed(user=user)
