from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Authority, Membership, User


def _load(**kwargs) -> str:
    out = StringIO()
    call_command("load_authorities", stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_loads_all_153_councils_and_is_safe_to_rerun() -> None:
    assert "153 created" in _load()
    assert Authority.objects.count() == 153
    assert Authority.objects.filter(population_minority_ethnic_percent__isnull=True).count() == 25
    leicester = Authority.objects.get(ons_code="E06000016")
    assert (leicester.name, leicester.region, str(leicester.population_minority_ethnic_percent)) == (
        "Leicester",
        "East Midlands",
        "59.1",
    )
    assert "0 created, 0 updated, 153 unchanged" in _load()
    assert Authority.objects.count() == 153


@pytest.mark.django_db
def test_rerun_keeps_an_analysts_correction() -> None:
    _load()
    norfolk = Authority.objects.get(ons_code="E10000020")
    norfolk.population_minority_ethnic_percent = "3.5"
    norfolk.corrected_at = norfolk.updated_at
    norfolk.save()
    assert "1 kept as corrected" in _load()
    norfolk.refresh_from_db()
    assert str(norfolk.population_minority_ethnic_percent) == "3.5"


@pytest.mark.django_db
def test_bad_register_row_is_reported_and_nothing_is_written(tmp_path) -> None:
    bad = tmp_path / "authorities.csv"
    bad.write_text(
        "ons_code,name,region,authority_type,population_minority_ethnic_percent\n"
        "E06000001,Hartlepool,North East,unitary,3.5\n"
        "E06000002,Middlesbrough,Atlantis,unitary,17.6\n"
    )
    with pytest.raises(CommandError, match="Row 3: unknown region"):
        _load(file=bad)
    assert not Authority.objects.exists()


@pytest.mark.django_db
def test_demo_data_has_every_role_in_three_regions() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=StringIO())  # safe to re-run
    demo = Authority.objects.filter(memberships__isnull=False).distinct()
    assert demo.count() == 3
    assert len({a.region for a in demo}) == 3
    for authority in demo:
        assert set(Membership.objects.filter(authority=authority).values_list("role", flat=True)) == {
            "programme_lead",
            "staff_voice_lead",
            "senior_sponsor",
            "viewer",
        }
    assert User.objects.get(email="analyst@skillsforcare.example").is_national
    assert "demo-password-2026" in out.getvalue()
    assert "lead@leeds.example" in out.getvalue()
    assert User.objects.get(email="lead@leeds.example").check_password("demo-password-2026")

    from submissions.models import Return
    from submissions.validation import check_data

    assert Return.objects.filter(round__label="2025", status="accepted").count() == 40
    assert Return.objects.get(round__label="2026", authority__ons_code="E08000035").status == "submitted"
    assert not Return.objects.filter(round__label="2026", authority__ons_code="E10000020").exists()
    assert all(not check_data(r.current().data()) for r in Return.objects.all()[:10])
