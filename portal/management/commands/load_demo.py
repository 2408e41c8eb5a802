"""Demo data for `make demo`: three councils in different regions, a user for every role in each,
an analyst and an administrator, all with one printed password, then every app's demo data (hence in
portal, the top layer). Safe to re-run."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import Authority, Membership, Role, User
from actionplans import demo as actionplans_demo
from metrics import demo as metrics_demo
from submissions import demo as submissions_demo

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo on purpose

DEMO_COUNCILS = [
    ("E06000043", "brighton"),  # Brighton and Hove, South East
    ("E08000035", "leeds"),  # Leeds, Yorkshire and The Humber
    ("E10000020", "norfolk"),  # Norfolk, East of England
]

ROLE_SLUGS = {
    Role.PROGRAMME_LEAD: "lead",
    Role.STAFF_VOICE_LEAD: "voice",
    Role.SENIOR_SPONSOR: "sponsor",
    Role.VIEWER: "viewer",
}


def _user(email: str, full_name: str, **extra: object) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"full_name": full_name, **extra})
    for key, value in extra.items():
        setattr(user, key, value)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


class Command(BaseCommand):
    help = "Load demo councils' users, an analyst and an administrator (safe to re-run)."

    # The demo's own lifecycle emails would bury the sign-in list: keep them out of the console.
    @override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        if not Authority.objects.exists():
            call_command("load_authorities", stdout=self.stdout)
        lines = []
        for ons_code, slug in DEMO_COUNCILS:
            authority = Authority.objects.get(ons_code=ons_code)
            for role, role_slug in ROLE_SLUGS.items():
                email = f"{role_slug}@{slug}.example"
                user = _user(email, f"{Role(role).label} ({authority.name})")
                Membership.objects.update_or_create(user=user, authority=authority, defaults={"role": role})
                lines.append((email, f"{Role(role).label}, {authority.name}"))
        _user("analyst@skillsforcare.example", "Demo Analyst", national_role=User.NationalRole.ANALYST)
        lines.append(("analyst@skillsforcare.example", "Skills for Care analyst"))
        _user(
            "admin@wres-portal.example",
            "Demo Administrator",
            national_role=User.NationalRole.ADMIN,
            is_staff=True,
            is_superuser=True,
        )
        lines.append(("admin@wres-portal.example", "Administrator"))
        councils = [code for code, _ in DEMO_COUNCILS]
        submissions_demo.load(self.stdout, demo_councils=councils)
        metrics_demo.load(self.stdout)
        actionplans_demo.load(self.stdout, demo_councils=councils)
        width = max(len(email) for email, _ in lines)
        self.stdout.write(f"\nDemo sign-ins (every password is: {DEMO_PASSWORD})")
        for email, what in lines:
            self.stdout.write(f"  {email.ljust(width)}  {what}")
        if settings.MFA_REQUIRED_ROLES_ENFORCED:
            self.stdout.write(
                "\nMulti-factor sign-in is required for senior sponsors, the analyst and the administrator:"
                "\nthey set up an authenticator app at their first sign-in. To try the demo without one,"
                "\nrun the server with MFA_REQUIRED_ROLES_ENFORCED=false (make demo does)."
            )
        else:
            self.stdout.write(
                "\nMulti-factor sign-in is not enforced (MFA_REQUIRED_ROLES_ENFORCED=false, for the demo"
                "\nonly): nobody is asked to set up an authenticator app unless they choose to."
            )
