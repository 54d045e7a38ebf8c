from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EdmsConfig(AppConfig):
    name = "edms"
    verbose_name = _("E-document management")

    def ready(self) -> None:
        from edms.roles import sync_roles_after_migrate

        # post_migrate is Django's documented hook for data that must exist after every migrate
        # (the role groups and their permissions); it is the only signal this app connects.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="edms.sync_roles")
