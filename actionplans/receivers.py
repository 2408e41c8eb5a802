"""Action plans' receivers of the metrics engine's signals (connected in ActionplansConfig.ready())."""

from __future__ import annotations

from typing import Any

from . import services


def evaluate_targets(*, version_ids: list[int], **kwargs: Any) -> None:
    """Results were stored: work out the outcome of the targets that waited on them."""
    services.targets_evaluate_for_versions(version_ids)
