from django.apps import AppConfig

from metrics import publication, signals


class ActionplansConfig(AppConfig):
    name = "actionplans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import public, receivers

        if public.metric_statements not in publication.PUBLIC_STATEMENT_SOURCES:
            publication.PUBLIC_STATEMENT_SOURCES.append(public.metric_statements)

        signals.results_stored.connect(receivers.evaluate_targets, dispatch_uid="actionplans_results_stored")
        signals.plan_objectives_wanted.connect(
            receivers.plan_objectives, dispatch_uid="actionplans_plan_objectives_wanted"
        )
