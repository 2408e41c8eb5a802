from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = "Authorities and accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import middleware, signals, signin_throttle  # noqa: F401  (connect their receivers)
