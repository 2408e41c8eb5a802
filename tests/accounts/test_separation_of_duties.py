"""Separation of duties (issue 13, M3 and L7): national roles never hold council roles; nobody grants
themselves a role; a council's senior sponsor is appointed only by an analyst or another senior
sponsor of that council; whoever saved or submitted a version of a return cannot sign it off."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Membership, Role, User
from submissions import services as submission_services
from tests.factories import InvitationFactory, member
from wres_portal.errors import ApplicationError

SIGNING: dict[str, Any] = {"name": "S", "role": "Director", "declaration": True}


def _accept(invitation_email: str, token: str, user: User | None = None):
    return services.invitation_accept(
        token=token, user=user, full_name="Someone", password="a-long-unusual-passphrase"
    )


def test_the_m3_scenario_an_analyst_cannot_make_themselves_programme_lead(
    client, authority_a, analyst
) -> None:
    """The review's finding: an analyst invited their own address as programme lead and accepted."""
    client.force_login(analyst)
    response = client.post(
        reverse("accounts:team_invite", args=[authority_a.ons_code]),
        {"email": analyst.email.upper(), "role": Role.PROGRAMME_LEAD},
    )
    assert response.status_code == 200
    assert "You cannot invite yourself" in response.content.decode()
    alias = analyst.email.replace("@", "+lambeth@")
    with pytest.raises(ApplicationError, match="yourself"):
        services.invitation_create(
            authority=authority_a, email=alias, role=Role.PROGRAMME_LEAD, invited_by=analyst
        )
    assert not Membership.objects.filter(user=analyst).exists()


def test_an_invitation_cannot_be_accepted_by_whoever_sent_it(authority_a, analyst) -> None:
    """Even an invitation made before these rules (or by any other path) is refused."""
    from accounts.models import Invitation

    token = "an-old-invitation-token"
    InvitationFactory.create(
        authority=authority_a,
        email=analyst.email,
        role=Role.PROGRAMME_LEAD,
        invited_by=analyst,
        token_hash=Invitation.hash_token(token),
    )
    with pytest.raises(ApplicationError, match="person who sent it"):
        _accept(analyst.email, token, user=analyst)
    alias_token = "an-alias-invitation-token"
    InvitationFactory.create(
        authority=authority_a,
        email="analyst+alias@skillsforcare.example",
        role=Role.PROGRAMME_LEAD,
        invited_by=analyst,
        token_hash=Invitation.hash_token(alias_token),
    )
    with pytest.raises(ApplicationError, match="person who sent it"):
        _accept("analyst+alias@skillsforcare.example", alias_token)
    assert not Membership.objects.filter(authority=authority_a, role=Role.PROGRAMME_LEAD).exists()


def test_national_staff_never_hold_council_roles(authority_a, alice, analyst) -> None:
    with pytest.raises(ApplicationError, match="Skills for Care account"):
        services.invitation_create(
            authority=authority_a, email=analyst.email, role=Role.VIEWER, invited_by=alice
        )
    with pytest.raises(ValidationError):
        Membership(user=analyst, authority=authority_a, role=Role.VIEWER).full_clean()
    promoted = User.objects.get(pk=alice.pk)
    promoted.national_role = User.NationalRole.ANALYST
    with pytest.raises(ValidationError):
        promoted.full_clean()


def test_nobody_changes_their_own_role(authority_a, alice, sponsor_a) -> None:
    member(authority_a, Role.PROGRAMME_LEAD, "second.lead@lambeth.example")
    for user, role in ((alice, Role.SENIOR_SPONSOR), (alice, Role.VIEWER), (sponsor_a, Role.PROGRAMME_LEAD)):
        with pytest.raises(ApplicationError, match="your own role"):
            services.membership_change_role(
                membership=Membership.objects.get(user=user), role=role, changed_by=user
            )


def test_the_l7_scenario_a_lead_cannot_appoint_a_senior_sponsor(client, authority_a, alice, bob) -> None:
    """The review's finding: a programme lead made themselves, or an alias they invited, senior
    sponsor, so one person prepared and signed off a return."""
    with pytest.raises(ApplicationError, match="appoint a senior sponsor"):
        services.invitation_create(
            authority=authority_a,
            email="alice+director@lambeth.example",
            role=Role.SENIOR_SPONSOR,
            invited_by=alice,
        )
    with pytest.raises(ApplicationError, match="appoint a senior sponsor"):
        services.invitation_create(
            authority=authority_a,
            email="director@lambeth.example",
            role=Role.SENIOR_SPONSOR,
            invited_by=alice,
        )
    with pytest.raises(ApplicationError, match="appoint a senior sponsor"):
        services.membership_change_role(
            membership=Membership.objects.get(user=bob), role=Role.SENIOR_SPONSOR, changed_by=alice
        )
    # The pages offer a lead no senior sponsor choice.
    client.force_login(alice)
    invite = client.get(reverse("accounts:team_invite", args=[authority_a.ons_code])).content.decode()
    assert 'value="senior_sponsor"' not in invite and 'value="viewer"' in invite
    bob_m = Membership.objects.get(user=bob)
    role_page = client.get(
        reverse("accounts:member_role", args=[authority_a.ons_code, bob_m.uuid])
    ).content.decode()
    assert 'value="senior_sponsor"' not in role_page
    refused = client.post(
        reverse("accounts:member_role", args=[authority_a.ons_code, bob_m.uuid]),
        {"role": Role.SENIOR_SPONSOR},
    )
    assert refused.status_code == 200 and Membership.objects.get(user=bob).role == Role.VIEWER


def test_analysts_and_the_councils_senior_sponsors_appoint_senior_sponsors(
    client, authority_a, authority_b, alice, bob, sponsor_a, analyst, charlie
) -> None:
    invitation, _ = services.invitation_create(
        authority=authority_a,
        email="director@lambeth.example",
        role=Role.SENIOR_SPONSOR,
        invited_by=sponsor_a,
    )
    assert invitation.role == Role.SENIOR_SPONSOR
    services.membership_change_role(
        membership=Membership.objects.get(user=bob), role=Role.SENIOR_SPONSOR, changed_by=analyst
    )
    assert Membership.objects.get(user=bob).role == Role.SENIOR_SPONSOR
    # A sponsor of another council cannot.
    leeds_sponsor = member(authority_b, Role.SENIOR_SPONSOR, "sponsor@leeds.example")
    with pytest.raises(ApplicationError):
        services.invitation_create(
            authority=authority_a,
            email="x@lambeth.example",
            role=Role.SENIOR_SPONSOR,
            invited_by=leeds_sponsor,
        )
    # The sponsor's team page: invite (senior sponsors only) and change roles, but not remove.
    client.force_login(sponsor_a)
    team = client.get(reverse("accounts:team", args=[authority_a.ons_code])).content.decode()
    assert "Invite someone" in team and "Change role" in team and ">Remove<" not in team
    invite = client.get(reverse("accounts:team_invite", args=[authority_a.ons_code])).content.decode()
    assert 'value="senior_sponsor"' in invite and 'value="viewer"' not in invite


def _submitted_by(draft, alice):
    record = submission_services.return_submit(record=draft, user=alice)
    return record


def test_whoever_saved_or_submitted_a_version_cannot_sign_it_off(authority_a, alice, analyst, draft) -> None:
    """alice saved and submitted the return; an analyst then makes her senior sponsor (another lead
    takes over): she still cannot sign off what she prepared."""
    record = _submitted_by(draft, alice)
    member(authority_a, Role.PROGRAMME_LEAD, "second.lead@lambeth.example")
    services.membership_change_role(
        membership=Membership.objects.get(user=alice), role=Role.SENIOR_SPONSOR, changed_by=analyst
    )
    user = User.objects.get(pk=alice.pk)
    with pytest.raises(ApplicationError, match="saved or submitted figures in this return"):
        submission_services.return_sign_off(
            record=record, user=user, signed_on=timezone.localdate(), **SIGNING
        )
    record.refresh_from_db()
    assert record.status == "submitted"


def test_another_senior_sponsor_signs_off(alice, sponsor_a, draft) -> None:
    record = _submitted_by(draft, alice)
    signed = submission_services.return_sign_off(
        record=record, user=sponsor_a, signed_on=timezone.localdate(), **SIGNING
    )
    assert signed.status == "signed_off"
