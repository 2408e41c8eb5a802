from django.apps import AppConfig

from submissions import signals


class MetricsConfig(AppConfig):
    name = "metrics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers

        signals.return_submitted.connect(
            receivers.compute_submitted_version, dispatch_uid="metrics_submitted"
        )
        signals.returns_accepted.connect(
            receivers.recompute_round_benchmarks, dispatch_uid="metrics_accepted"
        )
        signals.warning_inputs.connect(receivers.warning_inputs, dispatch_uid="metrics_warning_inputs")
        signals.headline_results.connect(receivers.headline_results, dispatch_uid="metrics_headline_results")
