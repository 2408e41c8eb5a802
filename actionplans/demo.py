"""Demo action plan for `make demo`: Leeds's plan for this plan year, written by its programme lead
with two objectives and four actions linked to metrics, signed off by its senior sponsor, a quarter
of progress entered, submitted and signed off, and published. Made through the services, so every
rule applies. Safe to re-run: a plan that exists is left as it is."""

from __future__ import annotations

import datetime
from io import TextIOBase

from django.db import transaction
from django.utils import timezone

from accounts.models import Authority, User

from . import services
from .models import ActionPlan, Quarter

DEMO_COUNCIL = "E08000035"  # Leeds


def _user(email: str) -> User:
    return User.objects.get(email=email)


@transaction.atomic
def load(out: TextIOBase, *, demo_councils: list[str]) -> None:
    if DEMO_COUNCIL not in demo_councils:
        return
    authority = Authority.objects.get(ons_code=DEMO_COUNCIL)
    today = timezone.localdate()
    current = Quarter.containing(today)
    if ActionPlan.objects.filter(authority=authority, year=current.year).exists():
        return
    lead, sponsor, voice = (_user(f"{role}@leeds.example") for role in ("lead", "sponsor", "voice"))
    plan = services.plan_create(authority=authority, year=current.year, user=lead)
    services.plan_update(
        plan=plan,
        user=lead,
        senior_sponsors="Director of Adults and Health\nDirector of Children and Families",
        programme_leads="Principal Social Worker (adults)\nPrincipal Social Worker (children)",
        staff_voice_leads="Chair, Black and Minority Ethnic Staff Network",
        direct_employees=2140,
        how_agreed="Agreed by the WRES project board, chaired by both directors, after two staff focus "
        "groups.\nProgress is reported every quarter to the directorate equality groups.",
    )
    services.plan_update(
        plan=plan,
        user=voice,
        staff_voice_summary="Staff told us in two focus groups that they want fair shortlisting, "
        "mentoring for aspiring managers and a clear way to report racism from people who use services.",
    )
    recruitment = services.objective_create(
        plan=plan,
        user=lead,
        text="Make an anti-racist approach a core part of social care recruitment in adults' and "
        "children's services.",
        themes=["recruitment_retention"],
        related_indicators=["m2", "m8"],
        leads="Principal Social Workers\nHR business partners",
        indicators_of_improvement="Minority ethnic candidates are as likely as white candidates to be "
        "appointed from shortlisting.\nTurnover of minority ethnic staff falls.",
        timeframe=f"March {current.year + 1}",
    )
    leadership = services.objective_create(
        plan=plan,
        user=lead,
        text="Build a leadership team that reflects our workforce and promotes anti-racist practice.",
        themes=["leadership", "learning_development"],
        related_indicators=["m1_upper", "m9", "m5"],
        leads="Directors\nLearning and development lead",
        indicators_of_improvement="A higher share of senior roles filled by minority ethnic staff.",
        timeframe=f"March {current.year + 1}",
    )
    services.target_create(
        objective=recruitment,
        user=lead,
        indicator="m2",
        service="all",
        comparison="gte",
        value=0.8,
        round_label=str(current.year + 1),
    )
    start = datetime.date(current.year, 4, 1)
    actions = [
        (recruitment, "Anonymised shortlisting for every social care post.", "HR business partners", 90),
        (recruitment, "Diverse interview panels for every social work vacancy.", "Recruiting managers", 270),
        (leadership, "Mentoring scheme for minority ethnic staff aspiring to management.", "L&D lead", 180),
        (leadership, "Equalities module in the leadership programme.", "Principal Social Workers", 330),
    ]
    created = [
        services.action_create(
            objective=o, user=lead, text=text, lead=who, due_date=start + datetime.timedelta(days=d)
        )
        for o, text, who, d in actions
    ]
    services.action_update(action=created[0], user=lead, status="complete")
    services.action_update(action=created[2], user=lead, status="in_progress")
    sponsor_name, sponsor_role = "Demo Sponsor", "Director of Adults and Health"
    services.plan_sign_off(
        plan=plan, user=sponsor, name=sponsor_name, role=sponsor_role, signed_on=today, declaration=True
    )
    quarter = current if current.number == 1 else Quarter(current.year, current.number - 1)
    progress = [
        ("complete", "Anonymised shortlisting is live for all posts since June."),
        ("amber", "Panels agreed for children's services; adults' services start next quarter."),
        ("green", "Twelve mentors and twelve mentees matched."),
        ("not_started", "Module being written with the staff network."),
    ]
    for action, (rag, narrative) in zip(created, progress, strict=True):
        who = voice if rag == "green" else lead
        services.update_save(
            plan=plan, quarter=quarter, action=action, user=who, rag=rag, narrative=narrative
        )
    report = services.report_get_or_create(plan=plan, quarter=quarter)
    services.report_submit(report=report, user=lead, summary="A good start: one action done, two under way.")
    services.report_sign_off(
        report=report, user=sponsor, name=sponsor_name, role=sponsor_role, signed_on=today, declaration=True
    )
    services.plan_publish(plan=plan, user=lead)
    out.write(
        f"Action plan {plan.year_label} for Leeds: signed off, {quarter.label} progress signed off, "
        f"published at /action-plans/{plan.public_id}/\n"
    )
