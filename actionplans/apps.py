from django.apps import AppConfig

from metrics import signals


class ActionplansConfig(AppConfig):
    name = "actionplans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers

        signals.results_stored.connect(receivers.evaluate_targets, dispatch_uid="actionplans_results_stored")
        signals.plan_objectives_wanted.connect(
            receivers.plan_objectives, dispatch_uid="actionplans_plan_objectives_wanted"
        )
