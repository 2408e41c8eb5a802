"""What the metrics engine tells the apps above it (connected in their AppConfig.ready()).

- `results_stored` (version_ids): the results of these return versions have just been stored, in
  the task that stored them (a submission, a national recompute or the sweep).
"""

from __future__ import annotations

from django.dispatch import Signal

results_stored = Signal()
