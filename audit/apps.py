from celery.signals import task_postrun, task_prerun
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    label = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .context import task_finished, task_started
        from .fast_ignore import install_after_migrate
        from .roles import grant_after_migrate

        task_prerun.connect(task_started, dispatch_uid="audit_task_context_enter")
        task_postrun.connect(task_finished, dispatch_uid="audit_task_context_exit")

        # post_migrate is sent app by app in INSTALLED_APPS order and pgtrigger comes first, so the
        # exception-free function replaces the one pgtrigger has just installed.
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="audit_fast_pgtrigger_ignore")
        # Last: every table, including the ones this migrate created, is granted to the app role.
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="audit_grant_app_role")
