from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role, User
from tests.factories import UserFactory, member
from wres_portal.errors import ApplicationError


def _invite(authority, by, email="new.person@lambeth.example", role=Role.VIEWER):
    return services.invitation_create(authority=authority, email=email, role=role, invited_by=by)


def test_programme_lead_invites_and_an_email_is_sent(authority_a, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = _invite(authority_a, alice, email="  New.Person@Lambeth.example ")
    assert invitation.email == "new.person@lambeth.example"
    assert invitation.token_hash == Invitation.hash_token(token)
    assert token not in invitation.token_hash
    assert len(mail.outbox) == 1
    assert f"/invitations/{token}/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["new.person@lambeth.example"]
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)


def test_viewer_cannot_invite(authority_a, bob):
    with pytest.raises(ApplicationError):
        _invite(authority_a, bob)
    assert not Invitation.objects.exists()


def test_analyst_invites_only_programme_leads_and_senior_sponsors(authority_a, analyst):
    invitation, _ = _invite(authority_a, analyst, role=Role.PROGRAMME_LEAD)
    assert invitation.role == Role.PROGRAMME_LEAD
    sponsor, _ = _invite(authority_a, analyst, email="director@lambeth.example", role=Role.SENIOR_SPONSOR)
    assert sponsor.role == Role.SENIOR_SPONSOR
    with pytest.raises(ApplicationError):
        _invite(authority_a, analyst, email="other@lambeth.example", role=Role.VIEWER)


def test_existing_member_cannot_be_invited_again(authority_a, alice, bob):
    with pytest.raises(ApplicationError, match="already a member"):
        _invite(authority_a, alice, email=bob.email)


def test_new_invitation_replaces_a_pending_one(authority_a, alice):
    _, first_token = _invite(authority_a, alice)
    _invite(authority_a, alice)
    with pytest.raises(ApplicationError, match="withdrawn"):
        services.invitation_from_token(first_token)


def test_accept_creates_account_and_membership_once(authority_a, alice):
    _, token = _invite(authority_a, alice)
    invitation, user = services.invitation_accept(
        token=token, full_name="Nia Okafor", password="a-long-unusual-passphrase"
    )
    assert user.check_password("a-long-unusual-passphrase")
    assert Membership.objects.get(user=user, authority=authority_a).role == Role.VIEWER
    assert invitation.accepted_by == user
    with pytest.raises(ApplicationError, match="already been used"):
        services.invitation_accept(token=token, full_name="Someone Else", password="another-long-passphrase")
    assert User.objects.filter(email=user.email).count() == 1


def test_expired_invitation_is_refused(authority_a, alice):
    _, token = _invite(authority_a, alice)
    with (
        time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)),
        pytest.raises(ApplicationError, match="expired"),
    ):
        services.invitation_accept(token=token, full_name="Late Person", password="a-long-unusual-passphrase")
    assert (
        not Membership.objects.filter(authority=authority_a, role=Role.VIEWER)
        .exclude(user__email__startswith="bob")
        .exists()
    )


def test_unknown_token_is_refused(db):
    with pytest.raises(ApplicationError, match="not valid"):
        services.invitation_accept(token="nonsense", full_name="X", password="a-long-unusual-passphrase")


def test_weak_password_creates_nothing(authority_a, alice):
    from django.core.exceptions import ValidationError

    _, token = _invite(authority_a, alice)
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token, full_name="Nia", password="password")
    assert not User.objects.filter(email="new.person@lambeth.example").exists()
    assert services.invitation_from_token(token).accepted_at is None


def test_signed_in_user_accepts_only_their_own_invitation(authority_a, authority_b, alice, charlie):
    _, token = _invite(authority_a, alice, email=charlie.email)
    services.invitation_accept(token=token, user=charlie)
    assert Membership.objects.filter(user=charlie, authority=authority_a).exists()
    _, other = _invite(authority_a, alice, email="someone@lambeth.example")
    with pytest.raises(ApplicationError, match="signed in as"):
        services.invitation_accept(token=other, user=charlie)


def test_existing_account_must_sign_in_to_accept(authority_a, alice, charlie):
    _, token = _invite(authority_a, alice, email=charlie.email)
    with pytest.raises(ApplicationError, match="already have an account"):
        services.invitation_accept(token=token, full_name="Charlie", password="a-long-unusual-passphrase")


def test_withdrawn_invitation_stops_working(authority_a, alice):
    invitation, token = _invite(authority_a, alice)
    services.invitation_withdraw(invitation=invitation, withdrawn_by=alice)
    with pytest.raises(ApplicationError, match="withdrawn"):
        services.invitation_from_token(token)


def test_lead_changes_roles_but_one_lead_must_remain(authority_a, alice, bob):
    bob_m = Membership.objects.get(user=bob)
    services.membership_change_role(membership=bob_m, role=Role.STAFF_VOICE_LEAD, changed_by=alice)
    bob_m.refresh_from_db()
    assert bob_m.role == Role.STAFF_VOICE_LEAD
    alice_m = Membership.objects.get(user=alice)
    analyst = UserFactory.create(email="analyst@skillsforcare.example", national_role="analyst")
    with pytest.raises(ApplicationError, match="at least one programme lead"):
        services.membership_change_role(membership=alice_m, role=Role.SENIOR_SPONSOR, changed_by=analyst)
    with pytest.raises(ApplicationError, match="at least one programme lead"):
        services.membership_remove(membership=alice_m, removed_by=alice)


def test_lead_may_step_down_once_another_lead_exists(authority_a, alice):
    second = member(authority_a, Role.PROGRAMME_LEAD, "second.lead@lambeth.example")
    alice_m = Membership.objects.get(user=alice)
    services.membership_change_role(membership=alice_m, role=Role.VIEWER, changed_by=second)
    assert Membership.objects.get(user=alice).role == Role.VIEWER


def test_only_leads_change_the_team(authority_a, alice, bob):
    alice_m = Membership.objects.get(user=alice)
    with pytest.raises(ApplicationError):
        services.membership_change_role(membership=alice_m, role=Role.VIEWER, changed_by=bob)
    with pytest.raises(ApplicationError):
        services.membership_remove(membership=alice_m, removed_by=bob)


def test_lead_removes_a_member(authority_a, alice, bob):
    services.membership_remove(membership=Membership.objects.get(user=bob), removed_by=alice)
    assert not Membership.objects.filter(user=bob).exists()
    assert User.objects.filter(pk=bob.pk).exists()


def test_only_analysts_correct_authorities(authority_a, alice, analyst):
    with pytest.raises(ApplicationError):
        services.authority_update(authority=authority_a, data={"name": "X"}, updated_by=alice)
    services.authority_update(
        authority=authority_a, data={"population_minority_ethnic_percent": "40.1"}, updated_by=analyst
    )
    authority_a.refresh_from_db()
    assert str(authority_a.population_minority_ethnic_percent) == "40.1"
    assert authority_a.corrected_by == analyst
