"""Comparing a council with similar councils (issue 15; pure: no database).

**Nearest neighbours.** Each council is described by its region, its authority type, its workforce
size (headcount, on a log scale, so 500 and 1,000 are as far apart as 2,000 and 4,000) and the
minority ethnic share of its local population (Census 2021). The distance between two councils adds:
1 for a different region, 1 for a different type, 1 for each doubling of workforce, and 1 for each
10 percentage points of population share (1 where a share is unknown). Fixed scales, not each
attribute's spread among the councils, so a council's neighbours do not move when an unrelated
council joins. A council's group is the `GROUP_SIZE` councils nearest to it among those in the round's
latest published release (accepted returns), itself left out; ties go to the lower ONS code.

**Publication rule for groups** (the same floor as the national tables, spec section 5):
- a group's statistic is shown only when at least `MIN_GROUP` councils other than the council looking
  have a value, and only the median of their values (never a minimum, maximum, sum or count of
  people: a sum of a chosen group minus another would give back counts);
- **differencing**: two groups whose councils differ by 1 to 4 would let a council compare the two
  medians and learn about the councils between them. The portal remembers every group whose figures
  it has shown a council in a round (its neighbours and each basket it chose) and refuses a basket
  that differs from any of them by fewer than `MIN_GROUP` councils (it may repeat one exactly). The
  neighbours group is held to the same rule against the baskets.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

GROUP_SIZE = 7
MIN_GROUP = 5
METHOD = (
    "Nearest neighbours: the 7 councils most like yours among those in the published national figures, "
    "by region, authority type, workforce size and the minority ethnic share of the local population "
    "(Census 2021). A different region or type, each doubling of headcount and each 10 percentage "
    "points of population share count the same."
)


@dataclass(frozen=True)
class Profile:
    code: str
    name: str
    region: str
    authority_type: str
    workforce: int
    population_share: float | None


#: A doubling of workforce counts as much as a different region; so do 10 points of population share.
WORKFORCE_SCALE = math.log(2)
SHARE_SCALE = 10.0


def distances(target: Profile, candidates: Sequence[Profile]) -> dict[str, float]:
    """The distance from `target` to each candidate (by code), as the module docstring defines it."""
    found: dict[str, float] = {}
    for candidate in candidates:
        d = float((candidate.region != target.region) + (candidate.authority_type != target.authority_type))
        d += abs(math.log(max(candidate.workforce, 1)) - math.log(max(target.workforce, 1))) / WORKFORCE_SCALE
        if candidate.population_share is not None and target.population_share is not None:
            d += abs(candidate.population_share - target.population_share) / SHARE_SCALE
        else:
            d += 1  # unknown: as far as a different region
        found[candidate.code] = d
    return found


def nearest(target: Profile, candidates: Sequence[Profile], k: int = GROUP_SIZE) -> list[str]:
    """The codes of the `k` candidates nearest to `target` (never `target` itself), nearest first."""
    others = [c for c in candidates if c.code != target.code]
    found = distances(target, others)
    return sorted(found, key=lambda code: (found[code], code))[:k]


def group_median(values: Iterable[float | None]) -> float | None:
    """The median of a group's values, or None when fewer than MIN_GROUP have one."""
    known = sorted(v for v in values if v is not None)
    return statistics.median(known) if len(known) >= MIN_GROUP else None


def basket_refusal(basket: frozenset[str], shown: Iterable[frozenset[str]], *, own: str) -> str | None:
    """Why a chosen basket cannot be shown, in plain English, or None when it can."""
    if own in basket:
        return "Leave your own council out of the basket: it is compared with the basket."
    if len(basket) < MIN_GROUP:
        return f"Choose at least {MIN_GROUP} councils, so that no council's figures can be worked out."
    for group in shown:
        differ = len(basket ^ group)
        if 0 < differ < MIN_GROUP:
            return (
                f"This basket differs by only {differ} council{'s' if differ > 1 else ''} from a group you "
                f"have already seen. Comparing the two could reveal those councils' figures, so change at "
                f"least {MIN_GROUP} councils, or use the earlier group."
            )
    return None


def values_by_group(
    members: Iterable[str], values: Mapping[str, Mapping[tuple[str, str], float | None]], key: tuple[str, str]
) -> list[float | None]:
    return [values.get(code, {}).get(key) for code in members]
