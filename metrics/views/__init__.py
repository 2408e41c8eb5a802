"""Results pages: a council's results, the analysts' national dashboard, indicator pages, reports,
exports and the "how this is calculated" help. Every page issues a fixed number of queries,
whatever the number of authorities. What is slow to build (the council's cards with their charts, the
dashboard's figures) is rendered once into a document stored in the database under a key naming what
it was built from, so a recompute, a new version or a new release shows at once (issues 7 and 18,
`metrics.documents`)."""

from __future__ import annotations

from .compare import council_compare
from .council import (
    council_board_summary,
    council_board_summary_pdf,
    council_report,
    council_results,
    council_results_download,
    council_results_latest,
)
from .national import indicator_help, national_dashboard, national_indicator
from .releases import (
    national_download,
    national_report,
    release_detail,
    release_download,
    release_list,
    release_report,
)

__all__ = [
    "council_board_summary",
    "council_board_summary_pdf",
    "council_compare",
    "council_report",
    "council_results",
    "council_results_download",
    "council_results_latest",
    "indicator_help",
    "national_dashboard",
    "national_download",
    "national_indicator",
    "national_report",
    "release_detail",
    "release_download",
    "release_list",
    "release_report",
]
