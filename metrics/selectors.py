"""Reads of results shared by the council pages, their downloads and the results API; no writes."""

from __future__ import annotations

from submissions.access import ReturnContext
from submissions.models import ReturnVersion

from .calculations import results_document
from .models import VersionResults
from .services import population_share


def version_results(ctx: ReturnContext, version: ReturnVersion) -> VersionResults:
    """The stored results of `version` (one of `ctx`'s return, already scoped to the user), or, for a
    version without them (a draft), results computed now and not saved."""
    stored = VersionResults.objects.filter(version=version).first()
    if stored is not None:
        return stored
    return VersionResults(
        authority=ctx.authority,
        round=ctx.round,
        version=version,
        document=results_document(version.data(), population_share=population_share(ctx.authority)),
    )
