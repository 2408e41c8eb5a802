"""factory_boy factories for the tenancy models."""

from __future__ import annotations

import factory

from accounts.models import Authority, AuthorityType, Invitation, Membership, Region, Role, User

TEST_PASSWORD = "correct-horse-battery-staple"


class AuthorityFactory(factory.django.DjangoModelFactory[Authority]):
    class Meta:
        model = Authority
        django_get_or_create = ("ons_code",)

    ons_code = factory.Sequence(lambda n: f"E06{n:06d}")
    name = factory.Sequence(lambda n: f"Council {n}")
    region = Region.LONDON
    authority_type = AuthorityType.LONDON_BOROUGH
    population_minority_ethnic_percent = factory.Faker(
        "pydecimal", left_digits=2, right_digits=1, positive=True
    )


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    full_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    authority = factory.SubFactory(AuthorityFactory)
    role = Role.PROGRAMME_LEAD


def member(authority: Authority, role: str, email: str | None = None) -> User:
    """A user holding `role` in `authority`."""
    user = UserFactory.create(**({"email": email} if email else {}))
    MembershipFactory.create(user=user, authority=authority, role=role)
    return user


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    authority = factory.SubFactory(AuthorityFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@council.example")
    role = Role.VIEWER
    token_hash = factory.Sequence(lambda n: Invitation.hash_token(f"token-{n}"))
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(Invitation.default_expiry)


# Returns ------------------------------------------------------------------------------------------

# A complete, valid set of figures for one service (spec section 2's example for adults), as
# (white, minority_ethnic, unknown) per measure (and pay band).
VALID_SERVICE = {
    ("headcount", ""): (812, 143, 21),
    ("headcount_band", "lower"): (402, 88, 10),
    ("headcount_band", "middle"): (371, 51, 9),
    ("headcount_band", "upper"): (39, 4, 2),
    ("shortlisted", ""): (310, 164, 7),
    ("appointed", ""): (96, 31, 1),
    ("disciplinary", ""): (12, 6, 0),
    ("regulated_headcount", ""): (301, 61, 5),
    ("ftp_referrals", ""): (3, 2, 0),
    ("cpd", ""): (220, 30, 4),
    ("survey_respondents", ""): (400, 80, 12),
    ("harassed_by_public", ""): (90, 25, 3),
    ("harassed_by_colleagues", ""): (40, 15, 1),
    ("harassed_by_managers", ""): (20, 9, 1),
    ("leavers", ""): (95, 22, 4),
    ("senior_managers", ""): (30, 3, 1),
}


def valid_data(services: tuple[str, ...] = ("adults", "children")):
    from submissions.schema import RowKey

    return {
        RowKey(service, measure, band): dict(
            zip(("white", "minority_ethnic", "unknown"), counts, strict=True)
        )
        for service in services
        for (measure, band), counts in VALID_SERVICE.items()
    }


def open_round(label: str = "2025", created_by=None, **dates):
    import datetime

    from django.utils import timezone

    from submissions.models import CollectionRound

    today = timezone.localdate()
    fields = {
        "period_start": datetime.date(today.year - 1, 4, 1),
        "period_end": datetime.date(today.year, 3, 31),
        "snapshot_date": datetime.date(today.year, 3, 31),
        "opens_on": today - datetime.timedelta(days=30),
        "closes_on": today + datetime.timedelta(days=30),
        **dates,
    }
    return CollectionRound.objects.create(
        label=label,
        created_by=created_by or UserFactory.create(national_role=User.NationalRole.ANALYST),
        **fields,
    )


def api_key(user: User, scope: str = "submit", *, verified: bool | None = None, days: int = 30) -> str:
    """A new API token of `user`, made as from a session verified with multi-factor sign-in when
    `verified` (by default: when the user's role requires it); returns its key."""
    from accounts import mfa
    from accounts.tokens import api_token_create

    if verified is None:
        verified = mfa.is_enforced(user)
    _, key = api_token_create(
        user=user, name=f"Test token {scope}", scope=scope, expires_in_days=days, verified=verified
    )
    return key
