"""What the metrics engine tells the apps above it (connected in their AppConfig.ready()).

- `results_stored` (version_ids): the results of these return versions have just been stored, in
  the task that stored them (a submission, a national recompute or the sweep).
- `plan_objectives_wanted` (authority, user): a council results page asks which objectives of the
  council's action plan are tied to which indicators. Each receiver returns a list of
  `metrics.summary.PlanLink`; the page reads them from `send()`'s responses, so the metrics engine
  never imports the plans above it.
"""

from __future__ import annotations

from django.dispatch import Signal

results_stored = Signal()
plan_objectives_wanted = Signal()
