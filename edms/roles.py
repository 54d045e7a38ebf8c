"""Roles are Django groups, one per job on the main path; their permissions are set here.

``sync_roles`` creates the groups and grants the model and admin permissions each role needs;
it runs after every ``migrate`` so that production and the demo have the same roles. Which pages
editors may touch depends on the page tree: ``portal.editor_scope`` grants an office's editors
its own pages and regional editors the rest.
"""

from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REGISTRAR = "registrar", _("Registrar (chancellery)")
    HEAD = "head", _("Head")
    DEPUTY = "deputy", _("Deputy head")
    EXECUTOR = "executor", _("Executor")
    LAWYER = "lawyer", _("Lawyer")
    CONTROLLER = "controller", _("Controller")
    OPERATOR = "operator", _("Counter operator (One-Stop-Shop)")
    EDITOR = "editor", _("Communications editor")
    CHIEF_EDITOR = "chief-editor", _("Editor-in-chief")
    REGIONAL_EDITOR = "regional-editor", _("Regional editor")
    OFFICE_ADMIN = "office-admin", _("Office administrator")


ADMIN_ACCESS = ("wagtailadmin", "access_admin")

# app_label, codename: granted on top of nothing; page permissions are per page, not here.
ROLE_PERMISSIONS: dict[Role, list[tuple[str, str]]] = {
    Role.REGISTRAR: [],
    Role.HEAD: [],
    Role.DEPUTY: [],
    Role.EXECUTOR: [],
    Role.LAWYER: [],
    Role.CONTROLLER: [],
    Role.OPERATOR: [],
    Role.EDITOR: [ADMIN_ACCESS],
    Role.CHIEF_EDITOR: [ADMIN_ACCESS],
    Role.REGIONAL_EDITOR: [ADMIN_ACCESS],
    Role.OFFICE_ADMIN: [
        ADMIN_ACCESS,
        ("edms", "change_office"),
        ("edms", "view_office"),
        ("edms", "add_department"),
        ("edms", "change_department"),
        ("edms", "view_department"),
        ("edms", "add_position"),
        ("edms", "change_position"),
        ("edms", "view_position"),
        ("edms", "add_calendaroverride"),
        ("edms", "change_calendaroverride"),
        ("edms", "delete_calendaroverride"),
        ("edms", "view_calendaroverride"),
        ("edms", "add_routetemplate"),
        ("edms", "change_routetemplate"),
        ("edms", "delete_routetemplate"),
        ("edms", "view_routetemplate"),
        ("edms", "change_signingcertificate"),
        ("edms", "view_signingcertificate"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_user"),
    ],
}


def role_group(role: Role) -> Group:
    group, _created = Group.objects.get_or_create(name=role.value)
    return group


def sync_roles() -> None:
    """Every role exists as a group with exactly its listed permissions."""
    for role, grants in ROLE_PERMISSIONS.items():
        group = role_group(role)
        wanted = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in grants
        ]
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate is sent once per app with models; only after the last one does every
    # permission row (Wagtail's admin access included) exist.
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        sync_roles()
