"""Authorities (the tenants), users, memberships and invitations.

The rule for who sees what lives in one place per model: the `for_user()` QuerySet method.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from wres_portal.models import PublicIdModel, TimeStampedModel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.base import SessionBase


class Region(models.TextChoices):
    NORTH_EAST = "North East", "North East"
    NORTH_WEST = "North West", "North West"
    YORKSHIRE = "Yorkshire and The Humber", "Yorkshire and The Humber"
    EAST_MIDLANDS = "East Midlands", "East Midlands"
    WEST_MIDLANDS = "West Midlands", "West Midlands"
    EAST = "East of England", "East of England"
    LONDON = "London", "London"
    SOUTH_EAST = "South East", "South East"
    SOUTH_WEST = "South West", "South West"


class AuthorityType(models.TextChoices):
    COUNTY = "county", "County council"
    UNITARY = "unitary", "Unitary authority"
    METROPOLITAN_DISTRICT = "metropolitan_district", "Metropolitan district"
    LONDON_BOROUGH = "london_borough", "London borough"
    CITY_OF_LONDON = "city_of_london", "City of London"
    ISLES_OF_SCILLY = "isles_of_scilly", "Isles of Scilly"


class AuthorityQuerySet(models.QuerySet["Authority"]):
    def for_user(self, user: User | AnonymousUser) -> AuthorityQuerySet:
        """Authorities `user` may see: all for national staff, their memberships' for council staff."""
        if not user.is_authenticated:
            return self.none()
        if user.is_national:
            return self.all()
        # A semi-join on the user's memberships: no DISTINCT over the authorities (issue 7).
        return self.filter(pk__in=Membership.objects.filter(user=user).values("authority_id"))


class Authority(TimeStampedModel):
    """An English council with social services responsibilities: the tenant."""

    ons_code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=30, choices=Region.choices)
    authority_type = models.CharField(max_length=30, choices=AuthorityType.choices)
    population_minority_ethnic_percent = models.DecimalField(
        "minority ethnic share of the local population (%)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Census 2021: residents not in the high-level White group. Used by metric 9.",
    )
    population_source = models.CharField(max_length=200, blank=True)
    # Set when an analyst corrects the record; the register loader then leaves it alone.
    corrected_at = models.DateTimeField(null=True, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(population_minority_ethnic_percent__gte=0)
                & models.Q(population_minority_ethnic_percent__lte=100)
                | models.Q(population_minority_ethnic_percent__isnull=True),
                name="authority_population_share_0_100",
            ),
        ]
        # The analysts' lists open sorted by name (ORDER BY name, id LIMIT 50): read from this index
        # they cost the same at any number of councils, where a sort of every council grew with it.
        # By last change: the newest change of any council's details in one index read, part of
        # what the national indicator page's summary is built from (`metrics.selectors.IndicatorStamp`).
        indexes = [
            models.Index(fields=["name", "id"], name="authority_by_name"),
            models.Index(fields=["updated_at"], name="authority_updated_at"),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True, national_role=User.NationalRole.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their email address.

    National roles sit on the user; roles within a council are `Membership` rows.
    """

    class NationalRole(models.TextChoices):
        NONE = "", "None"
        ANALYST = "analyst", "Skills for Care analyst"
        ADMIN = "admin", "Administrator"

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    national_role = models.CharField(max_length=10, choices=NationalRole.choices, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Set on request.user by django_otp's OTPMiddleware: has this session entered a second factor?
    is_verified: Callable[[], bool]
    # Set by accounts.access: the user's memberships, read once per request.
    _membership_cache: list[Membership]

    # AbstractUser declares a UserManager with usernames; this one signs people in by email.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.lower()
        # set_password() was called (a change, a reset, the admin): accounts.signals revokes the
        # user's API tokens. A hash upgraded at sign-in does not set this. django-stubs leaves out
        # AbstractBaseUser._password, which set_password() sets and save() clears.
        self._wres_password_changed = self._password is not None  # type: ignore[attr-defined]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.national_role and self.pk and Membership.objects.filter(user_id=self.pk).exists():
            raise ValidationError(
                {
                    "national_role": "Skills for Care staff cannot hold a council role: remove their council "
                    "memberships first."
                }
            )

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def is_national(self) -> bool:
        """Skills for Care analysts and administrators read every authority."""
        return self.national_role in (self.NationalRole.ANALYST, self.NationalRole.ADMIN)

    @property
    def is_analyst(self) -> bool:
        return self.is_national


class Role(models.TextChoices):
    PROGRAMME_LEAD = "programme_lead", "Programme lead"
    STAFF_VOICE_LEAD = "staff_voice_lead", "Staff voice lead"
    SENIOR_SPONSOR = "senior_sponsor", "Senior sponsor"
    VIEWER = "viewer", "Viewer"


ROLE_DESCRIPTIONS = {
    Role.PROGRAMME_LEAD: "Prepares and submits the return and action plan, and manages the team.",
    Role.STAFF_VOICE_LEAD: "Brings staff networks' views into the action plan and its progress updates.",
    Role.SENIOR_SPONSOR: "Signs off the return and the action plan for the council.",
    Role.VIEWER: "Reads the return, results and action plan; cannot change anything.",
}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_user(self, user: User | AnonymousUser) -> MembershipQuerySet:
        """Memberships of the authorities `user` may see."""
        return self.filter(authority__in=Authority.objects.for_user(user)).select_related("user", "authority")


class Membership(PublicIdModel):
    """A user's role within one authority."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["authority__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "authority"], name="membership_unique_user_authority")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.authority})"

    def clean(self) -> None:
        super().clean()
        if self.user_id and User.objects.filter(pk=self.user_id).exclude(national_role="").exists():
            raise ValidationError("Skills for Care staff cannot hold a council role.")


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def for_user(self, user: User | AnonymousUser) -> InvitationQuerySet:
        """Invitations to the authorities `user` may see."""
        return self.filter(authority__in=Authority.objects.for_user(user)).select_related(
            "authority", "invited_by"
        )

    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(PublicIdModel):
    """An emailed, single-use link to join an authority with a role; it expires after 7 days.

    Only a hash of the token is stored, so a database reader cannot accept invitations.
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.authority}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(token: str) -> str:
        return _hash_token(token)

    @staticmethod
    def default_expiry() -> datetime:
        return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "withdrawn"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


# API tokens ---------------------------------------------------------------------------------------


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(PublicIdModel):
    """A named, scoped, expiring key for a system to use the API as its owner.

    The key is shown once, when it is made; only its SHA-256 is stored (the key holds 256 random
    bits, so a fast hash is enough: nothing can be guessed from it). The short `prefix` at the start
    of the key names the token on the owner's page without revealing it. A token is revoked when its
    owner's password changes or is reset and when their roles change (`roles_fingerprint` records
    the roles it was made under, so a change made by any path is caught at the next request too).
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        SUBMIT = "submit", "Read and change (upload, enter figures, submit)"
        ATTEST = "attest", "Read, change, sign off and accept"

    class RevokedReason(models.TextChoices):
        BY_OWNER = "by_owner", "revoked by its owner"
        PASSWORD_CHANGED = "password_changed", "its owner's password was changed or reset"
        ROLES_CHANGED = "roles_changed", "its owner's roles changed"
        REPLACED_AT_UPGRADE = "replaced", "it was made before tokens had scopes"

    #: Days a new token may last.
    EXPIRY_CHOICES = (7, 30, 90, 180, 365)
    KEY_PREFIX = "wres_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField("key starts with", max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    expires_at = models.DateTimeField()
    created_verified = models.BooleanField(
        "created after multi-factor sign-in",
        default=False,
        help_text="Made from a session verified with an authenticator app: needed to sign off or accept.",
    )
    roles_fingerprint = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, choices=RevokedReason.choices, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def new_key(cls) -> tuple[str, str]:
        """A new (prefix, key): `wres_<8 hex>_<43 url-safe characters>`."""
        prefix = f"{cls.KEY_PREFIX}{secrets.token_hex(4)}"
        return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"

    @staticmethod
    def hash_key(key: str) -> str:
        return _hash_token(key)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    SCOPE_RANK: ClassVar[dict[str, int]] = {Scope.READ: 1, Scope.SUBMIT: 2, Scope.ATTEST: 3}

    def allows(self, scope: str) -> bool:
        """Whether this token's scope covers `scope` (attest needs a token made after multi-factor)."""
        if scope == self.Scope.ATTEST and not self.created_verified:
            return False
        return self.SCOPE_RANK.get(self.scope, 0) >= self.SCOPE_RANK[scope]


# Security events ----------------------------------------------------------------------------------


class SecurityEvent(models.Model):
    """Something that happened to an account's security that is not a change of a row: signing in,
    a wrong password or code, a password change, an authenticator set up or removed, a token made or
    revoked. Rows are only ever added: PostgreSQL refuses updates and deletes (trigger below), and
    the audit trail records each insert with who and where (audit.models.SecurityEventHistory)."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in refused: wrong email address or password"
        SIGN_IN_THROTTLED = "sign_in_throttled", "Sign-in refused: too many wrong passwords"
        SIGN_OUT = "sign_out", "Signed out"
        MFA_VERIFIED = "mfa_verified", "Security code accepted"
        MFA_FAILED = "mfa_failed", "Security code refused"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        MFA_SET_UP = "mfa_set_up", "Authenticator app set up"
        MFA_REMOVED = "mfa_removed", "Authenticator app removed"
        RECOVERY_CODES_REGENERATED = "recovery_codes_new", "New recovery codes made"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset by email link"
        PASSWORD_RESET_REQUESTED = "password_reset_asked", "Password reset link asked for"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # events outlive the account they are about
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.CharField("email address given", max_length=254, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField("client address", null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="securityevent_user_at")]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.email or self.user_id}"


class SignInThrottle(models.Model):
    """Wrong passwords counted for sign-in throttling (accounts/signin_throttle.py): one row per
    email address and client address ("account"), and one per client address across accounts
    ("address")."""

    class Scope(models.TextChoices):
        ACCOUNT = "account", "Email address from one client address"
        ADDRESS = "address", "Client address, any email address"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=320)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="signinthrottle_unique_scope_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.failures}"


class Session(AbstractBaseSession):
    """A browser's session (Django's database session), with the signed-in user's id beside its
    data: the one query a signed-in request makes reads the session and the user together
    (accounts.sessions, issue 18). `user` is kept in step by every save of the session; it has no
    database constraint, so a session saved while its user is being deleted cannot fail a request
    (the join then finds no user, and the request is anonymous), and deleting a user still deletes
    their sessions (Django's cascade)."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls) -> type[SessionBase]:
        from .sessions import SessionStore

        return SessionStore
