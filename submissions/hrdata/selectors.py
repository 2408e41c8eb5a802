"""Reads for the HR-data pages and API."""

from __future__ import annotations

from accounts.models import Authority
from submissions.models import CollectionRound, ExtractMapping


def mapping_for(*, authority: Authority, collection_round: CollectionRound) -> ExtractMapping | None:
    """The council's mapping for this round or, failing that, for its latest earlier round (offered
    again next round, spec hr-extract.md section 5). `authority` must already be scoped to the user."""
    return (
        ExtractMapping.objects.filter(authority=authority, round__opens_on__lte=collection_round.opens_on)
        .select_related("round", "updated_by")
        .order_by("-round__opens_on")
        .first()
    )
