from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users import apps as wagtail_users


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from wagtail.admin.widgets.chooser import BaseChooser

        from core.guard import robust_chooser_instance

        # Office editors' groups and page permissions follow roles, positions and pages.
        from portal import editor_scope  # noqa: F401

        BaseChooser.get_instance = robust_chooser_instance(BaseChooser.get_instance)


class PortalUsersConfig(wagtail_users.WagtailUsersAppConfig):
    """Wagtail's user admin, with office administrators limited to their own office's staff."""

    user_viewset = "portal.admin_scope.OfficeScopedUserViewSet"
    # Named in INSTALLED_APPS in place of "wagtail.users"; "portal" itself is PortalConfig.
    default = False
