"""Editors stay in their office: an office's editors edit and publish only its own pages.

Wagtail grants page permissions to groups, on a page and everything below it. The roles
(``edms.roles``) say what a person does and their position says where, so each office has a
group per editing role, ``editor:<office code>`` and ``chief-editor:<office code>``. These groups
hold the page permissions on the office's page in every language, and so on what hangs under it:
the office's notices and guidance. Editors add and change (and submit for moderation), editors-in-
chief also publish; each office page has its own moderation workflow, approved by that office's
editors-in-chief. Because they are real page permissions, the explorer, the admin search, bulk
actions, choosers, the workflow and its dashboard all agree.

Membership of the office groups follows role and position and is kept by the signals below: an
account with the editor role and a position in an office is in that office's editor group and
in no other office's (whatever a form says). The role groups themselves hold no page
permissions.

The rest of the portal (home page, service catalogue, service pages with their forms, the notice
index, the intranet) belongs to regional editors (``Role.REGIONAL_EDITOR``, with permissions on
every home page, hence on every page) and to administrators (superusers).
"""

from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from edms.models import Office, Position
from edms.roles import Role, role_group
from portal.models import HomePage, OfficePage

# What each office role may do on its office's pages (Wagtail's page permission actions).
OFFICE_ROLES: dict[Role, tuple[str, ...]] = {
    Role.EDITOR: ("add", "change"),
    Role.CHIEF_EDITOR: ("add", "change", "publish", "lock", "unlock"),
}
# Regional editors run the portal; deleting whole sections (bulk_delete) stays with administrators.
REGIONAL_ACTIONS = ("add", "change", "publish", "lock", "unlock")


def office_group_name(role: Role, office: Office) -> str:
    return f"{role.value}:{office.code}"


def office_group(role: Role, office: Office) -> Group:
    group, _created = Group.objects.get_or_create(name=office_group_name(role, office))
    return group


def office_groups_q(prefix: str = "") -> Q:
    """Groups that are an office's editing groups (``editor:…``, ``chief-editor:…``)."""
    q = Q()
    for role in OFFICE_ROLES:
        q |= Q(**{f"{prefix}name__startswith": f"{role.value}:"})
    return q


def page_permissions(actions: tuple[str, ...]) -> list[Permission]:
    return list(
        Permission.objects.filter(
            content_type__app_label="wagtailcore",
            codename__in=[f"{action}_page" for action in actions],
        )
    )


def grant(group: Group, page: Page, actions: tuple[str, ...]) -> None:
    for permission in page_permissions(actions):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


def scope_office_page(page: OfficePage) -> None:
    """The office's editing groups hold their permissions on its page; no other office's do."""
    own = []
    for role, actions in OFFICE_ROLES.items():
        group = office_group(role, page.office)
        grant(group, page, actions)
        own.append(group.pk)
    # The page was given to another office: that office's editors lose it.
    GroupPagePermission.objects.filter(office_groups_q("group__"), page=page).exclude(
        group__in=own
    ).delete()


def scope_home_page(page: HomePage) -> None:
    grant(role_group(Role.REGIONAL_EDITOR), page, REGIONAL_ACTIONS)


def office_workflow(office: Office) -> Workflow:
    """The office's moderation: its editors submit, its editors-in-chief approve and publish."""
    workflow, _created = Workflow.objects.get_or_create(name=f"Notice moderation: {office.code}")
    if not workflow.workflow_tasks.exists():
        task = GroupApprovalTask.objects.create(name=f"Editor-in-chief approval: {office.code}")
        task.groups.set([office_group(Role.CHIEF_EDITOR, office)])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def moderate_office_page(page: OfficePage) -> None:
    WorkflowPage.objects.get_or_create(
        page=page, defaults={"workflow": office_workflow(page.office)}
    )


def office_of_user(user: User) -> Office | None:
    # Not ``edms.access.user_office``: a disabled account keeps its groups for when it returns
    # (Wagtail gives inactive accounts no permissions anyway).
    position = Position.objects.filter(user=user).select_related("office").first()
    return position.office if position else None


def sync_office_groups(user: User) -> None:
    """The user is in exactly the office groups their editing roles and position call for."""
    office = office_of_user(user)
    role_names = set(
        user.groups.filter(name__in=[role.value for role in OFFICE_ROLES]).values_list(
            "name", flat=True
        )
    )
    wanted = (
        {office_group_name(role, office): role for role in OFFICE_ROLES if role.value in role_names}
        if office is not None
        else {}
    )
    current = {group.name: group for group in user.groups.filter(office_groups_q())}
    stale = [group for name, group in current.items() if name not in wanted]
    missing = [
        office_group(role, office)  # type: ignore[arg-type]
        for name, role in wanted.items()
        if name not in current
    ]
    if stale:
        user.groups.remove(*stale)
    if missing:
        user.groups.add(*missing)


def may_remove_office_page(user: Any, page: Page) -> bool:
    """An office's page leaves the directory (deleted or moved) only by whoever may publish the
    directory itself: regional editors and administrators, not the office's own editors."""
    if not isinstance(page.specific, OfficePage):
        return True
    parent = page.get_parent()
    return parent is not None and parent.permissions_for_user(user).can_publish()


def sync_editor_scope() -> None:
    """Every home page, office page and editor as described above; running it again changes
    nothing. The demo loader runs it; the signals keep it so afterwards."""
    # Page permissions given to the role groups (as the demo once did) would reach every office.
    GroupPagePermission.objects.filter(
        group__name__in=[role.value for role in OFFICE_ROLES]
    ).delete()
    for home in HomePage.objects.all():
        scope_home_page(home)
    for office_page in OfficePage.objects.select_related("office"):
        scope_office_page(office_page)
        moderate_office_page(office_page)
    editors = User.objects.filter(
        Q(groups__name__in=[role.value for role in OFFICE_ROLES]) | office_groups_q("groups__")
    ).distinct()
    for user in editors:
        sync_office_groups(user)


@receiver(post_save, sender=OfficePage)
def _office_page_saved(sender: Any, instance: OfficePage, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    scope_office_page(instance)
    if created:
        moderate_office_page(instance)


@receiver(post_save, sender=HomePage)
def _home_page_saved(sender: Any, instance: HomePage, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        scope_home_page(instance)


@receiver(m2m_changed, sender=User.groups.through)
def _groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            sync_office_groups(instance)
        return
    # group.user_set.add(...) and the like: ``instance`` is the group.
    relevant = instance.name in {role.value for role in OFFICE_ROLES} or (
        Group.objects.filter(office_groups_q(), pk=instance.pk).exists()
    )
    if not relevant:
        return
    if action == "pre_clear":
        instance._cleared_users = list(instance.user_set.all())
    elif action in ("post_add", "post_remove"):
        for user in User.objects.filter(pk__in=pk_set or ()):
            sync_office_groups(user)
    elif action == "post_clear":
        for user in getattr(instance, "_cleared_users", []):
            sync_office_groups(user)


@receiver(post_save, sender=Position)
def _position_saved(sender: Any, instance: Position, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        sync_office_groups(instance.user)


@receiver(post_delete, sender=Position)
def _position_deleted(sender: Any, instance: Position, **kwargs: Any) -> None:
    origin = kwargs.get("origin")
    if isinstance(origin, User) or getattr(origin, "model", None) is User:
        return  # the account itself is being deleted, groups and all
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None:
        sync_office_groups(user)
