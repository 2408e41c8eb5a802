"""factory_boy factories for the tenancy models."""

from __future__ import annotations

import factory

from wres_portal.accounts.models import Authority, AuthorityType, Invitation, Membership, Region, Role, User

TEST_PASSWORD = "correct-horse-battery-staple"


class AuthorityFactory(factory.django.DjangoModelFactory):
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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    full_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    authority = factory.SubFactory(AuthorityFactory)
    role = Role.PROGRAMME_LEAD


def member(authority: Authority, role: str, email: str | None = None) -> User:
    """A user holding `role` in `authority`."""
    user = UserFactory(**({"email": email} if email else {}))
    MembershipFactory(user=user, authority=authority, role=role)
    return user


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    authority = factory.SubFactory(AuthorityFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@council.example")
    role = Role.VIEWER
    token_hash = factory.Sequence(lambda n: Invitation.hash_token(f"token-{n}"))
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(Invitation.default_expiry)
