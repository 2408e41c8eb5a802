"""Signing in, running axe-core and reporting what it finds."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.test import Client

# WCAG 2.0, 2.1 and 2.2 A and AA (axe-core has no wcag22a tag: 2.2's new A criteria are tagged
# wcag22aa or are not automatable).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


def mark_second_factor_verified(client: Client, user: Any) -> None:
    """Mark the session as past multi-factor sign-in, as `django_otp.login` does after a code: the
    user's authenticator app's id in the session under DEVICE_ID_SESSION_KEY. Only for users who
    must use one or have one (accounts/mfa.py); others are left without a device."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts import mfa

    if not (mfa.is_required(user) or mfa.has_authenticator(user)):
        return
    device = mfa.authenticator(user) or mfa.TOTPDevice.objects.create(
        user=user, name="Browser tests", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def session_cookie(user: Any, base_url: str) -> dict[str, str]:
    """A signed-in session for `user`, as a cookie for a browser context (faster than the form)."""
    client = Client()
    client.force_login(user)
    mark_second_factor_verified(client, user)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": base_url}


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (axe is injected by the context's init
    script, so the context must bypass the Content Security Policy)."""
    page.wait_for_load_state("load")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], f"axe-core checked nothing on {page.url}"
    return result["violations"]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
