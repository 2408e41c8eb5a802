"""The data the browser tests look at: two councils, their people, and three rounds that between
them put every page in a state worth checking (a draft with warnings, a submitted return, results
with charts and national benchmarks)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Authority, Invitation, Membership, Role, User
from metrics.services import benchmarks_recompute
from submissions import services as submission_services
from submissions.demo import _add_return
from submissions.models import CollectionRound, Return, ReturnVersion
from tests.factories import AuthorityFactory, InvitationFactory, MembershipFactory, valid_data

INVITATION_TOKEN = "browser-test-invitation-token"


@dataclass
class World:
    a: Authority  # Lambeth: alice (programme lead), bob (viewer), sponsor
    b: Authority  # Leeds: charlie (programme lead), also a viewer in Lambeth
    alice: User
    bob: User
    sponsor: User
    charlie: User
    analyst: User
    past: CollectionRound  # closed, every return accepted: results, charts, benchmarks
    previous: CollectionRound  # A's return submitted (sign-off), B's signed off (accept)
    current: CollectionRound  # A's draft by alice, two versions, with a warning to explain
    warning_key: str
    bob_membership: Membership
    invitation: Invitation
    plan_keys: dict[str, str]

    def keys(self) -> dict[str, str]:
        """Values for the "{name}" placeholders of the page list's URLs."""
        return {
            "a": self.a.ons_code,
            "b": self.b.ons_code,
            "past": self.past.label,
            "previous": self.previous.label,
            "current": self.current.label,
            "warning": self.warning_key,
            "bob": str(self.bob_membership.uuid),
            "token": INVITATION_TOKEN,
            **self.plan_keys,
        }


def _round(label: str, analyst: User, opened_days_ago: int, closes_in_days: int) -> CollectionRound:
    today = timezone.localdate()
    year = today.year - (int(label) < today.year)
    return CollectionRound.objects.create(
        label=label,
        period_start=datetime.date(year - 1, 4, 1),
        period_end=datetime.date(year, 3, 31),
        snapshot_date=datetime.date(year, 3, 31),
        opens_on=today - datetime.timedelta(days=opened_days_ago),
        closes_on=today + datetime.timedelta(days=closes_in_days),
        created_by=analyst,
    )


def draft_with_warning(authority: Authority, collection_round: CollectionRound, lead: User) -> Return:
    """A valid draft saved twice (so versions can be compared), with a warning: its headcounts differ
    from the previous round's synthetic return by more than 30%."""
    record = submission_services.return_get_or_create(authority=authority, collection_round=collection_round)
    data = valid_data()
    for version in (1, 2):
        if version == 2:
            data = {**data}
            key = next(k for k in data if k.service == "adults" and k.measure == "disciplinary")
            data[key] = {**data[key], "white": data[key]["white"] + 1}
        submission_services.draft_save(record=record, data=data, user=lead, source=ReturnVersion.Source.WEB)
    return Return.objects.get(pk=record.pk)


def action_plan(authority: Authority, lead: User, sponsor: User) -> dict[str, str]:
    """A's 2026 action plan: written, signed off, published, then changed again (so it has a
    version to compare); with its URL placeholders. Empty while the action plans app has no services."""
    try:
        from actionplans import services as plan_services
        from actionplans.models import Quarter
    except ImportError:
        return {}
    plan = plan_services.plan_create(authority=authority, year=2026, user=lead)
    plan_services.plan_update(
        plan=plan,
        user=lead,
        senior_sponsors="Sam Sponsor, Director of Adult Social Services",
        programme_leads="Alice Lead, Principal Social Worker",
        direct_employees=1930,
        how_agreed="Agreed at the WRES project board.",
    )
    objective = plan_services.objective_create(
        plan=plan,
        user=lead,
        text="An anti-racist approach to recruitment.",
        themes=["recruitment_retention"],
        related_indicators=["m2", "m8"],
        leads="Head of HR",
        indicators_of_improvement="More minority ethnic candidates appointed from shortlisting.",
        timeframe="March 2027",
    )
    action = plan_services.action_create(
        objective=objective, user=lead, text="Anonymised shortlisting.", due_date=datetime.date(2026, 5, 1)
    )
    plan_services.plan_sign_off(
        plan=plan,
        user=sponsor,
        name="Sam Sponsor",
        role="Director of Adult Social Services",
        signed_on=timezone.localdate(),
        declaration=True,
    )
    plan_services.plan_publish(plan=plan, user=lead)
    plan_services.action_create(objective=objective, user=lead, text="Diverse interview panels.")
    plan_services.update_save(
        plan=plan, quarter=Quarter(2026, 1), action=action, user=lead, rag="green", narrative="Started."
    )
    plan.refresh_from_db()
    return {
        "plan_year": str(plan.year),
        "objective": str(objective.uuid),
        "action": str(action.uuid),
        "quarter": "2026-q1",
        "public_plan": str(plan.public_id),
    }


def build_world(*, alice: User, bob: User, sponsor: User, charlie: User, analyst: User) -> World:
    a = alice.memberships.get().authority
    b = charlie.memberships.get().authority
    MembershipFactory.create(user=charlie, authority=a, role=Role.VIEWER)  # two councils: the choice page
    past = _round("2024", analyst, opened_days_ago=420, closes_in_days=-330)
    previous = _round("2025", analyst, opened_days_ago=60, closes_in_days=30)
    current = _round("2026", analyst, opened_days_ago=30, closes_in_days=30)
    regions = ["London", "North West", "South East"]
    others = [AuthorityFactory.create(region=regions[n % 3], name=f"Borough {n}") for n in range(6)]
    for n, authority in enumerate([a, b, *others]):
        _add_return(authority, past, Return.Status.ACCEPTED, analyst, f"past-{n}")
    benchmarks_recompute(collection_round=past)
    _add_return(a, previous, Return.Status.SUBMITTED, analyst, "previous-a")
    _add_return(b, previous, Return.Status.SIGNED_OFF, analyst, "previous-b")
    draft = draft_with_warning(a, current, alice)
    warnings = submission_services.version_warnings(draft.current())
    assert warnings, "the current draft should have a warning to explain"
    invitation = InvitationFactory.create(
        authority=a,
        email="new.person@lambeth.example",
        role=Role.VIEWER,
        token_hash=Invitation.hash_token(INVITATION_TOKEN),
        invited_by=alice,
    )
    return World(
        a=a,
        b=b,
        alice=alice,
        bob=bob,
        sponsor=sponsor,
        charlie=charlie,
        analyst=analyst,
        past=past,
        previous=previous,
        current=current,
        warning_key=warnings[0].key,
        bob_membership=bob.memberships.get(),
        invitation=invitation,
        plan_keys=action_plan(a, alice, sponsor),
    )
