"""What submissions tells the apps above it, which connect receivers in their AppConfig.ready().
Submissions imports none of them: an earlier stage never calls a later one.

- `return_submitted` (version_id): a return was submitted; sent once the submission is committed.
- `returns_accepted` (round_id): the accepted returns of a round changed; sent after commit.
- `warning_inputs` (version, data): asked while working out a version's warnings; a receiver returns
  a dict with any of `metric_values`, `reference_ranges` and `metric_names` (see
  submissions.validation's compute_warnings). Without a receiver the warnings that need them are not given.
- `headline_results` (version, data): asked by the pages that check a return before it is submitted or
  signed off; a receiver returns a list of {"label", "sentence"}, one per metric, in plain English.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

return_submitted = Signal()
returns_accepted = Signal()
warning_inputs = Signal()
headline_results = Signal()


def send_on_commit(signal: Signal, **kwargs: Any) -> None:
    """Send `signal` once the current transaction commits. A receiver that fails (a broker outage)
    is logged, and the change that was committed stands."""
    transaction.on_commit(lambda: signal.send_robust(sender=None, **kwargs), robust=True)
