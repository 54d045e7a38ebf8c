"""Roles are groups with their permissions; staff are users with a position."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from edms.access import has_role, is_staff_member, user_office
from edms.roles import Role

pytestmark = pytest.mark.django_db


def test_every_role_exists_after_migrate() -> None:
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in Role} <= names


def test_editors_reach_the_admin_and_office_admins_manage_staff() -> None:
    editor = get_user_model().objects.get(username="jizzakh-city.editor")
    office_admin = get_user_model().objects.get(username="jizzakh-city.office-admin")
    executor = get_user_model().objects.get(username="jizzakh-city.executor")
    assert editor.has_perm("wagtailadmin.access_admin")
    assert office_admin.has_perm("edms.change_department")
    assert office_admin.has_perm("auth.add_user")
    assert not editor.has_perm("auth.add_user")
    assert not executor.has_perm("wagtailadmin.access_admin")


def test_staff_membership_follows_the_position() -> None:
    executor = get_user_model().objects.get(username="namangan-city.executor")
    outsider = get_user_model().objects.create_user("citizen-account")
    assert is_staff_member(executor)
    assert user_office(executor).code == "namangan-city"  # type: ignore[union-attr]
    assert has_role(executor, Role.EXECUTOR)
    assert not has_role(executor, Role.HEAD)
    assert not is_staff_member(outsider)
    assert not is_staff_member(AnonymousUser())
    executor.is_active = False
    assert not is_staff_member(executor)
