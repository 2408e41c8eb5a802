"""Shared fixtures. The tenancy trio (STYLE.md section 10): alice edits authority A, bob only views
A, charlie edits authority B; plus a Skills for Care analyst."""

from __future__ import annotations

import pytest

from tests.factories import AuthorityFactory, UserFactory, member
from wres_portal.accounts.models import Authority, Role, User


@pytest.fixture(autouse=True)
def _fast_and_plain(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests do not need collected, hashed static files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def authority_a(db) -> Authority:  # type: ignore[no-untyped-def]
    return AuthorityFactory(ons_code="E09000022", name="Lambeth")


@pytest.fixture
def authority_b(db) -> Authority:  # type: ignore[no-untyped-def]
    return AuthorityFactory(ons_code="E08000035", name="Leeds", region="Yorkshire and The Humber")


@pytest.fixture
def alice(authority_a: Authority) -> User:
    return member(authority_a, Role.PROGRAMME_LEAD, "alice@lambeth.example")


@pytest.fixture
def bob(authority_a: Authority) -> User:
    return member(authority_a, Role.VIEWER, "bob@lambeth.example")


@pytest.fixture
def sponsor_a(authority_a: Authority) -> User:
    return member(authority_a, Role.SENIOR_SPONSOR, "sponsor@lambeth.example")


@pytest.fixture
def charlie(authority_b: Authority) -> User:
    return member(authority_b, Role.PROGRAMME_LEAD, "charlie@leeds.example")


@pytest.fixture
def analyst(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(email="analyst@skillsforcare.example", national_role=User.NationalRole.ANALYST)
