"""Action plans' receivers of the metrics engine's signals (connected in ActionplansConfig.ready())."""

from __future__ import annotations

from typing import Any

from accounts.models import Authority, User
from metrics.summary import PlanLink

from . import selectors, services


def evaluate_targets(*, version_ids: list[int], **kwargs: Any) -> None:
    """Results were stored: work out the outcome of the targets that waited on them."""
    services.targets_evaluate_for_versions(version_ids)


def plan_objectives(*, authority: Authority, user: User, **kwargs: Any) -> list[PlanLink]:
    """A results page asks which plan objectives are tied to which indicators."""
    return selectors.objectives_by_indicator(user, authority)
