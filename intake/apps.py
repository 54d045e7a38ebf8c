from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Public services")

    def ready(self) -> None:
        # The outbox handler for notifications registers itself on import.
        # The signed answer's receiver closes the application.
        from intake import decisions, notices  # noqa: F401
