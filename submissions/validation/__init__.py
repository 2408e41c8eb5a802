"""Validation of an SC-WRES return (spec section 2): errors, warnings and upload previews.

Pure functions, no database:

- `check_table` checks a `Table` read from a file and reports *every* error at once, each located
  at its sheet, row and column (`table.py`);
- `check_data` / `check_service` apply the same value, completeness and cross-field rules to typed
  data (web entry, JSON API); their problems carry `key` and `group`, no place (`rules.py`);
- `compute_warnings` finds what needs a written explanation before submission (`return_warnings.py`);
- `diff` says what an upload would change in the current draft, `merge_services` what the draft
  becomes (a service left out is kept unless removal was chosen) and `services_effect` what happens
  to each service, in words (`preview.py`).

What a count may look like is decided in `counts.parse_count`: whole numbers from 0 to 10,000,000,
including a spreadsheet's 12.0 and text such as " 12 ", "12.0" or "1,234".

A column headed `guidance` (any case) is ignored, so the template can show guidance beside each
measure; every other unknown column is an error.
"""

from submissions.validation.counts import CountError, parse_count
from submissions.validation.preview import Change, ReturnDiff, diff, merge_services, services_effect
from submissions.validation.return_warnings import (
    MetricName,
    ReturnWarning,
    compute_warnings,
    outlier_message,
    warning_hint,
)
from submissions.validation.rules import check_data, check_service, cross_field_problems, missing_rows
from submissions.validation.table import IGNORED_COLUMNS, MAX_PROBLEMS, Checked, check_table

__all__ = [
    "IGNORED_COLUMNS",
    "MAX_PROBLEMS",
    "Change",
    "Checked",
    "CountError",
    "MetricName",
    "ReturnDiff",
    "ReturnWarning",
    "check_data",
    "check_service",
    "check_table",
    "compute_warnings",
    "cross_field_problems",
    "diff",
    "merge_services",
    "missing_rows",
    "outlier_message",
    "parse_count",
    "services_effect",
    "warning_hint",
]
