"""One permissions module (accounts/permissions.py): every role list once, plain predicates."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from accounts import permissions
from accounts.models import Role
from tests.factories import member
from wres_portal.errors import ApplicationError

ROOT = Path(__file__).resolve().parents[2]
APPS = ("wres_portal", "accounts", "submissions", "metrics", "actionplans", "audit", "portal")


def _role_lists_and_requires(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.List | ast.Tuple | ast.Set)
            and node.elts
            and all(
                isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "Role"
                for e in node.elts
            )
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} a role list")
        if isinstance(node, ast.FunctionDef) and node.name in ("_require", "require"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} def {node.name}")
    return found


def test_role_lists_and_the_role_guard_are_defined_only_in_the_permissions_module() -> None:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.relative_to(ROOT).as_posix() in (
                "accounts/permissions.py",
                "portal/management/commands/load_demo.py",
            ):
                continue
            found += _role_lists_and_requires(path)
    assert found == []


@pytest.mark.django_db
def test_the_predicates(authority_a, authority_b, alice, analyst) -> None:
    sponsor = member(authority_a, Role.SENIOR_SPONSOR, "sponsor@a.example")
    voice = member(authority_a, Role.STAFF_VOICE_LEAD, "voice@a.example")
    viewer = member(authority_a, Role.VIEWER, "viewer@a.example")
    a, b = authority_a, authority_b
    assert [permissions.can_change_return(u, a) for u in (alice, sponsor, voice, viewer, analyst)] == [
        True,
        False,
        False,
        False,
        False,
    ]
    assert not permissions.can_change_return(alice, b)  # another council
    assert permissions.can_sign_off_return(sponsor, a) and not permissions.can_sign_off_return(alice, a)
    assert permissions.can_accept_return(analyst) and not permissions.can_accept_return(sponsor)
    assert permissions.can_send_back_return(sponsor, a, submitted=True)
    assert not permissions.can_send_back_return(sponsor, a, submitted=False)
    assert permissions.can_send_back_return(analyst, a, submitted=False)
    assert not permissions.can_send_back_return(alice, a, submitted=True)
    assert permissions.can_write_progress(voice, a) and not permissions.can_write_progress(sponsor, a)
    assert permissions.can_publish_plan(sponsor, a) and not permissions.can_publish_plan(voice, a)
    assert permissions.can_invite(analyst, a, Role.PROGRAMME_LEAD)
    assert not permissions.can_invite(analyst, a, Role.VIEWER)
    assert permissions.can_invite(alice, a, Role.VIEWER) and not permissions.can_invite(voice, a, Role.VIEWER)


@pytest.mark.django_db
def test_require_names_who_may(authority_a, alice) -> None:
    permissions.require(alice, authority_a, permissions.PROGRAMME_LEADS, "submit the return")
    with pytest.raises(
        ApplicationError, match=r"^Only the council's programme lead or senior sponsor can publish"
    ):
        permissions.require(
            member(authority_a, Role.VIEWER, "v@a.example"),
            authority_a,
            permissions.PLAN_PUBLISHERS,
            "publish",
        )
