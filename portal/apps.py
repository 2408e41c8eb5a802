from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The pages that gather from every app (home pages, the authority list, the accessibility
    statement) and the site navigation: the top layer, which nothing else imports."""

    name = "portal"
    label = "portal"
    verbose_name = "Portal pages"
    default_auto_field = "django.db.models.BigAutoField"
