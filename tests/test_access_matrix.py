"""Every URL pattern and every OpenAPI route, checked for tenant isolation.

New routes are covered without anyone remembering: a route whose URL needs a parameter this module
does not know how to fill fails `test_every_route_is_classified`, and every other route runs through
the checks below (anonymous, outsider, viewer, and a positive control for the rightful user).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Authority, Invitation, Membership, Role, User
from actionplans import services as plan_services
from actionplans.models import Action, ActionPlan, Objective, Quarter, Target
from submissions import services
from submissions.models import Return
from submissions.schema import RowKey
from tests.factories import InvitationFactory, open_round, valid_data

#: Routes anyone may open (signing in, resetting a password, accepting an invitation, public plans).
PUBLIC = {
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:invitation_accept",
    "portal:accessibility",
    "healthz",
    "actionplans:public",
    "actionplans:public_pdf",
}
#: Pages for Skills for Care staff only: council staff are outsiders there.
NATIONAL = {
    "portal:authority_list",
    "submissions:round_list",
    "submissions:round_new",
    "submissions:monitor",
    "submissions:monitor_csv",
    "submissions:worklist",
    "submissions:worklist_action",
    "metrics:dashboard",
    "metrics:indicator",
    "metrics:national_report",
    "metrics:national_csv",
    "metrics:national_xlsx",
    "metrics:releases",
    "metrics:release",
    "metrics:release_report",
    "metrics:release_csv",
    "metrics:release_xlsx",
    "metrics-api:releases",
    "metrics-api:release",
    "metrics-api:release_table",
    "metrics-api:release_table_csv",
    "metrics-api:release_xlsx",
    "metrics-api:round_results",
    "metrics-api:round_results_csv",
    "metrics-api:benchmarks",
    "metrics-api:national_table",
    "metrics-api:national_table_csv",
    "metrics-api:national_xlsx",
    "metrics-api:changes",
    "actionplans:national",
    "actionplans:overdue",
    "audit:national_history",
}
#: Who may use a route that is not for the programme lead (members without the role get 403).
RIGHTFUL = {
    "accounts:authority_edit": "analyst",
    "submissions:accept": "analyst",
    "submissions:extend": "analyst",
    "submissions:send_back": "analyst",
    "submissions:sign_off": "sponsor",
    "submissions-api:accept": "analyst",
    "submissions-api:send_back": "analyst",
    "submissions-api:sign_off": "sponsor",
    "actionplans:sign_off": "sponsor",
    "actionplans:report_sign_off": "sponsor",
    "actionplans:report_send_back": "sponsor",
    "actionplans-api:sign_off": "sponsor",
    "actionplans-api:report_sign_off": "sponsor",
    "actionplans-api:report_send_back": "sponsor",
    **{name: "analyst" for name in NATIONAL},
}
#: Django's admin has its own staff-only guard, tested in test_admin_is_for_administrators_only.
EXCLUDED_NAMESPACES = {"admin"}


@dataclass
class World:
    authority_a: Authority
    alice: User
    bob: User
    charlie: User
    analyst: User
    sponsor: User
    bob_membership: Membership
    invitation: Invitation
    record: Return
    upload_token: str
    plan: ActionPlan
    objective: Objective
    action: Action
    target: Target


#: How to fill each URL parameter with an object of authority A.
PARAMETERS: dict[str, Callable[[World], str]] = {
    "ons_code": lambda w: w.authority_a.ons_code,
    "member": lambda w: str(w.bob_membership.uuid),
    "invitation": lambda w: str(w.invitation.uuid),
    "round_label": lambda w: w.record.round.label,
    "upload_token": lambda w: w.upload_token,
    "service": lambda w: "adults",
    "extract": lambda w: "staff",
    "key": lambda w: WARNING_KEY,
    "number": lambda w: "1",
    "code": lambda w: "m2",
    "table": lambda w: "pooled",
    "plan_year": lambda w: str(w.plan.year),
    "objective": lambda w: str(w.objective.uuid),
    "action": lambda w: str(w.action.uuid),
    "target": lambda w: str(w.target.uuid),
    "quarter": lambda w: f"{w.plan.year}-q1",
    "public_id": lambda w: str(w.plan.public_id),
}
WARNING_KEY = "unknown_share:adults:headcount"
PUBLIC_PARAMETERS = {"token": "not-a-real-token", "uidb64": "MQ"}


@dataclass(frozen=True)
class Route:
    name: str
    parameters: tuple[str, ...]

    def __str__(self) -> str:
        return self.name

    def url(self, world: World) -> str:
        kwargs = {
            p: (PARAMETERS[p](world) if p in PARAMETERS else PUBLIC_PARAMETERS[p]) for p in self.parameters
        }
        return reverse(self.name, kwargs=kwargs)

    @property
    def is_api(self) -> bool:
        return self.name.split(":")[0].endswith("-api") or self.name == "api-schema"

    @property
    def is_tenant_object(self) -> bool:
        return "ons_code" in self.parameters


def _walk(patterns: list, namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            outer = tuple(entry.pattern.converters)
            for route in _walk(entry.url_patterns, inner):
                yield Route(route.name, outer + route.parameters)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                continue
            yield Route(f"{namespace}{entry.name}", tuple(entry.pattern.converters))


ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=str)
PROTECTED = [r for r in ROUTES if r.name not in PUBLIC]


def _figures_with_a_warning():
    data = valid_data()
    data[RowKey("adults", "headcount")]["unknown"] = 300
    for band in ("lower", "middle", "upper"):
        data[RowKey("adults", "headcount_band", band)]["unknown"] = 100
    return data


@pytest.fixture
def world(authority_a, alice, bob, charlie, analyst, sponsor_a) -> World:
    collection_round = open_round(created_by=analyst)
    record = services.return_get_or_create(authority=authority_a, collection_round=collection_round)
    services.draft_save(record=record, data=_figures_with_a_warning(), user=alice, source="web")
    token = services.upload_preview_store(
        user=alice,
        authority=authority_a,
        collection_round=collection_round,
        filename="r.csv",
        data=[],
        errors=[],
    ).token
    plan, objective, action, target = _plan_of_a(authority_a, alice, sponsor_a)
    _published_release(collection_round, analyst)
    return World(
        authority_a=authority_a,
        alice=alice,
        bob=bob,
        charlie=charlie,
        analyst=analyst,
        sponsor=sponsor_a,
        bob_membership=Membership.objects.get(user=bob),
        invitation=InvitationFactory.create(authority=authority_a, invited_by=alice, role=Role.VIEWER),
        record=record,
        upload_token=token,
        plan=plan,
        objective=objective,
        action=action,
        target=target,
    )


def _published_release(collection_round, analyst):
    """Release 1 of the round, published (empty tables): the release pages and downloads open."""
    from metrics.models import Release

    empty = {"title": "T", "headers": ["Item"], "rows": []}
    return Release.objects.create(
        round=collection_round, number=1, created_by=analyst, note="First.", changes={"added": []},
        tables={name: empty for name in ("about", "pooled", "distribution")},
        basis={"members": {}, "bases": []}, audit={"ok": True, "leaks": []}, suppression={},
        published=True, published_by=analyst, published_at=timezone.now(),
    )  # fmt: skip


def _plan_of_a(authority_a, alice, sponsor):
    """A's signed-off 2026 action plan: one objective, action and target, version 1, and a quarter 1
    report with one update."""
    plan = plan_services.plan_create(authority=authority_a, year=2026, user=alice)
    objective = plan_services.objective_create(
        plan=plan, user=alice, text="Objective", related_indicators=["m2"]
    )
    action = plan_services.action_create(objective=objective, user=alice, text="Action")
    target = plan_services.target_create(
        objective=objective,
        user=alice,
        indicator="m2",
        service="all",
        comparison="gte",
        value=0.8,
        round_label="2027",
    )
    plan_services.plan_sign_off(
        plan=plan, user=sponsor, name="S", role="R", signed_on=timezone.localdate(), declaration=True
    )
    plan_services.update_save(
        plan=plan, quarter=Quarter(2026, 1), action=action, user=alice, rag="green", narrative="Going well."
    )
    return plan, objective, action, target


def _as(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _secrets_of_a(world: World) -> list[str]:
    return [world.authority_a.name, world.authority_a.ons_code, world.alice.email, world.bob.email]


def test_every_route_is_classified() -> None:
    known = set(PARAMETERS) | set(PUBLIC_PARAMETERS)
    for route in ROUTES:
        unknown = set(route.parameters) - known
        assert not unknown, f"{route}: add how to fill {unknown} to PARAMETERS in {__name__}"
        if set(route.parameters) & set(PUBLIC_PARAMETERS):
            assert route.name in PUBLIC, f"{route} takes a public token but is not listed in PUBLIC"
    assert len(PROTECTED) >= 10


@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_anonymous_is_sent_to_sign_in(route: Route, world: World) -> None:
    for method in ("get", "post"):
        response = getattr(_as(None), method)(route.url(world))
        if route.is_api:
            assert response.status_code == 401, (method, response.status_code)
        else:
            assert response.status_code == 302, (method, response.status_code)
            assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_rightful_user_can_open(route: Route, world: World) -> None:
    """Positive control: the URLs built here are real, so the 404s below mean something."""
    user = getattr(world, RIGHTFUL.get(route.name, "alice"))
    response = _as(user).get(route.url(world))
    assert response.status_code in (200, 302, 405), response.status_code
    if response.status_code == 405:
        # 415: the route is real but wants JSON or a file, which an empty form post is not; 428: it
        # is a step that must name the state it acts on (If-Match), which an empty post does not;
        # 409: a step the object's state does not allow now (withdrawing a plan not published).
        assert _as(user).post(route.url(world)).status_code in (200, 201, 302, 400, 409, 415, 428)


@pytest.mark.parametrize("route", PROTECTED, ids=str)
def test_outsider_gets_404_or_sees_nothing_of_a(route: Route, world: World) -> None:
    client = _as(world.charlie)
    if route.is_tenant_object or route.name in NATIONAL:
        # 405 (a method the route never takes) says nothing about the object; every other is 404.
        statuses = {
            method: getattr(client, method)(route.url(world)).status_code for method in ("get", "post")
        }
        assert set(statuses.values()) <= {404, 405}, statuses
        assert 404 in statuses.values(), statuses
        return
    response = client.get(route.url(world), follow=True)
    assert response.status_code in (200, 405)
    body = response.content.decode()
    for secret in _secrets_of_a(world):
        assert secret not in body


@pytest.mark.parametrize("route", [r for r in PROTECTED if r.is_tenant_object], ids=str)
def test_viewer_cannot_change(route: Route, world: World) -> None:
    response = _as(world.bob).post(route.url(world), {"role": Role.PROGRAMME_LEAD, "email": "x@y.example"})
    assert response.status_code in (403, 405), response.status_code


def test_viewer_is_refused_with_403_on_every_write_route(world: World) -> None:
    """The 405s above are read-only routes; the routes that change things answer 403."""
    refused = {
        r.name
        for r in PROTECTED
        if r.is_tenant_object and _as(world.bob).post(r.url(world), {"role": "viewer"}).status_code == 403
    }
    assert {
        "accounts:team_invite",
        "accounts:member_role",
        "accounts:member_remove",
        "accounts:invitation_withdraw",
        "accounts:authority_edit",
        "accounts-api:invitation_create",
        "submissions:upload",
        "submissions:hrdata_check",
        "submissions:hrdata_confirm",
        "submissions:enter",
        "submissions:submit",
        "submissions:sign_off",
        "submissions:accept",
        "submissions:send_back",
        "submissions:extend",
        "submissions-api:upload",
        "submissions-api:data",
        "submissions-api:submit",
        "submissions-api:sign_off",
        "submissions-api:accept",
        "submissions-api:send_back",
        "actionplans:create",
        "actionplans:header",
        "actionplans:what_we_know",
        "actionplans:objective_create",
        "actionplans:objective_edit",
        "actionplans:action_create",
        "actionplans:action_edit",
        "actionplans:target_create",
        "actionplans:target_delete",
        "actionplans:sign_off",
        "actionplans:send_for_sign_off",
        "actionplans:publish",
        "actionplans:withdraw",
        "actionplans:roll_forward",
        "actionplans:update",
        "actionplans:report_submit",
        "actionplans:report_sign_off",
        "actionplans-api:plans",
        "actionplans-api:objectives",
        "actionplans-api:actions",
        "actionplans-api:updates",
    } <= refused


# OpenAPI ------------------------------------------------------------------------------------------


def _schema_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted((path, method) for path, item in schema["paths"].items() for method in item)


OPERATIONS = _schema_operations()


def _national_api(path: str) -> bool:
    """API paths for Skills for Care staff only (a round's national data, the change feed): everyone
    else gets 404."""
    return path.startswith("/api/v1/rounds/{round_label}/") or path == "/api/v1/changes/"


def _fill(path: str, world: World) -> str:
    for name, value in PARAMETERS.items():
        path = path.replace("{" + name + "}", value(world))
    assert "{" not in path, f"{path}: add how to fill its parameter to PARAMETERS"
    return path


def test_schema_describes_the_api() -> None:
    assert ("/api/v1/authorities/{ons_code}/", "get") in OPERATIONS
    assert all(path.startswith("/api/v1/") for path, _ in OPERATIONS)


@pytest.mark.parametrize(("path", "method"), [op for op in OPERATIONS if op[1] == "get"])
def test_api_rightful_user_can_read(path: str, method: str, world: World) -> None:
    """Positive control for the API: the filled-in paths are real (read by an analyst where the
    operation is for Skills for Care staff only, as releases are)."""
    user = world.analyst if _national_api(path) else world.alice
    assert _as(user).get(_fill(path, world)).status_code == 200


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_api_operation_isolation(path: str, method: str, world: World) -> None:
    url = _fill(path, world)
    assert getattr(_as(None), method)(url).status_code == 401
    outsider = getattr(_as(world.charlie), method)(url, content_type="application/json")
    if "{ons_code}" in path or _national_api(path):
        assert outsider.status_code == 404, outsider.status_code
    else:
        assert all(secret not in outsider.content.decode() for secret in _secrets_of_a(world))
    if method != "get" and "{ons_code}" in path:
        viewer = getattr(_as(world.bob), method)(
            url, {"email": "x@y.example", "role": "viewer"}, content_type="application/json"
        )
        assert viewer.status_code == 403


def test_admin_is_for_administrators_only(world: World) -> None:
    for user in (None, world.alice, world.analyst):
        response = _as(user).get("/admin/accounts/authority/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
