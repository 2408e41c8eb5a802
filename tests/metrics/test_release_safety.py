"""Property: whatever the world, what the portal publishes gives nothing away to the auditor.

Hypothesis builds adversarial worlds (regions of 5 and 6 councils, the one-council types, a single
minority ethnic case in England, every council of a region with a case, councils accepted between
two releases, councils whose public action plan prints their figures), the release builder makes
release 1 and then release 2 against it as published, and the auditor, run afresh over both
releases' printed tables and the public pages, finds no count a reader could narrow."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from metrics.auditor import audit
from metrics.calculations import compute_results
from metrics.disclosure import is_small
from metrics.publication import PublicStatement, public_view, published_type
from metrics.releases.builder import Builder, Earlier, Member
from metrics.services import headline
from submissions.schema import RowKey
from submissions.synthetic import synthetic_return

REGIONS = ["North East", "South West", "London"]


def _member(i: int, region: str, kind: str, data: dict) -> Member:
    values = {
        (e["service"], e["indicator"]): (headline(e), e.get("four_fifths") or "")
        for e in compute_results(data, population_share=None)
    }
    code = f"H{i:05d}"
    return Member(f"{code}:{i}", i, code, f"Council {i}", i, region, published_type(kind), data, values)


@st.composite
def worlds(draw):
    """Councils as (region, type, figures), and which of them are accepted only before release 2."""
    places = []
    for region in REGIONS[: draw(st.integers(2, 3))]:
        kind = "london_borough" if region == "London" else draw(st.sampled_from(["unitary", "county"]))
        places += [(region, kind)] * draw(st.sampled_from([5, 6]))
    if draw(st.booleans()):
        places.append(("London", "city_of_london"))
    if draw(st.booleans()):
        places.append(("South West", "isles_of_scilly"))
    single_case = draw(st.booleans())  # one minority ethnic disciplinary case in all England
    cases_region = draw(st.sampled_from([None, *REGIONS]))  # every council there has one or two
    councils = []
    for i, (region, kind) in enumerate(places):
        seed = draw(st.integers(0, 10_000))
        data = synthetic_return(f"h{seed}", size=draw(st.integers(150, 1500)))
        me = 0
        if region == cases_region:
            me = 1 + i % 2
        elif single_case and i == 0:
            me = 1
        if single_case or region == cases_region:
            row = data[RowKey("adults", "disciplinary", "")]
            data[RowKey("adults", "disciplinary", "")] = {**row, "minority_ethnic": me}
        councils.append(_member(i, region, kind, data))
    later = draw(st.sets(st.sampled_from(range(len(councils))), max_size=3))
    # councils whose published action plan prints their headline figures (a public page)
    pages = draw(st.sets(st.sampled_from(range(len(councils))), max_size=4))
    return councils, later, pages


@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each example takes seconds: no shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds())
def test_the_auditor_finds_nothing_in_what_the_portal_publishes(world) -> None:
    councils, later, pages = world
    members = {m.id: m for m in councils}
    statements = [
        PublicStatement(councils[i].ons_code, "2025", indicator, value)
        for i in sorted(pages)
        for (service, indicator), (value, _) in councils[i].values.items()
        if service == "all" and value is not None
    ]
    public = public_view(statements, ((m.id, m.ons_code, m.values) for m in councils))
    first = [m for i, m in enumerate(councils) if i not in later]
    one = Builder("release 1", first, [], members, budget_seconds=1, public=public).build()
    builder = Builder(
        "release 2",
        councils,
        [Earlier(1, one.bases, one.view, frozenset(one.withheld))],
        members,
        budget_seconds=1,
        public=public,
    )
    two = builder.build()
    for built in (one, two):
        # the primary rules hold in what is printed: no count from 1 to 9 is shown
        assert not [cell for cell, shown in built.view.shown.items() if is_small(shown)]
    # the auditor, run afresh over both releases' printed tables and the public pages, finds nothing
    views = [one.view, two.view, *([public] if public is not None else [])]
    result = audit(views, builder.counts, names=builder.names)
    assert result.ok, [str(leak) for leak in result.leaks[:10]]
    assert result.targets > 0
