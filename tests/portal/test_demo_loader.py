"""``manage.py load_demo``: the demo organisation, people and pages, and that it is idempotent."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Model
from wagtail.models import GroupPagePermission, Page, Revision, WorkflowPage

from edms.models import Department, Office, Position
from edms.roles import Role
from intake.models import Service
from portal.transliteration import latin_to_cyrillic

pytestmark = pytest.mark.django_db

SNAPSHOT_MODELS: list[type[Model]] = [
    Office,
    Department,
    Position,
    Service,
    get_user_model(),
    Group,
    Page,
    Revision,
    GroupPagePermission,
    WorkflowPage,
]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in SNAPSHOT_MODELS
    }


def test_second_run_changes_nothing() -> None:
    before = snapshot()
    call_command("load_demo", verbosity=0)
    assert snapshot() == before


def test_offices_match_the_data_file(offices_data: list[dict[str, Any]]) -> None:
    assert Office.objects.count() == len(offices_data) == 27
    for row in offices_data:
        office = Office.objects.get(code=row["code"])
        assert office.kind == row["kind"]
        assert (office.parent.code if office.parent else None) == row["parent"]
        assert office.name_uz == row["name"]["uz-latn"]
        assert office.name_uz_cyrl == row["name"]["uz-cyrl"]
        assert office.name_ru == row["name"]["ru"]
        assert office.name_en == row["name"]["en"]


def test_every_office_has_the_standard_departments() -> None:
    codes = {"leadership", "chancellery", "appeals", "architecture", "land", "social"}
    for office in Office.objects.all():
        assert codes <= set(office.departments.values_list("code", flat=True))
    land = Department.objects.get(office__code="zomin", code="land")
    # services.json has no Cyrillic names: they are derived from the Latin ones.
    assert land.name_uz_cyrl == latin_to_cyrillic(land.name_uz)
    assert land.name_uz_cyrl.startswith("Ер ресурслари")


OFFICE_ROLES = [role for role in Role if role != Role.REGIONAL_EDITOR]


@pytest.mark.parametrize("office", ["jizzakh-city", "namangan-city"])
@pytest.mark.parametrize("role", OFFICE_ROLES)
def test_one_demo_account_per_role(office: str, role: Role) -> None:
    user = get_user_model().objects.get(username=f"{office}.{role.value}")
    assert user.check_password("demo12345")
    roles = [name for name in user.groups.values_list("name", flat=True) if ":" not in name]
    assert roles == [role.value]
    assert user.position.office.code == office
    assert not user.is_superuser


def test_the_regional_editor_works_for_the_region() -> None:
    user = get_user_model().objects.get(username="jizzakh-region.regional-editor")
    assert user.check_password("demo12345")
    assert list(user.groups.values_list("name", flat=True)) == [Role.REGIONAL_EDITOR.value]
    assert user.position.office.code == "jizzakh-region"
    assert not user.is_superuser


def test_admin_is_a_superuser() -> None:
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password("demo12345")


def test_pages_exist_in_all_four_languages() -> None:
    for slug in ("home", "notices", "services", "offices", "intranet", "how-to-apply"):
        page = Page.objects.get(slug=slug, locale__language_code="uz")
        languages = {
            translation.locale.language_code
            for translation in page.get_translations(inclusive=True).live()
        }
        assert languages == {"uz", "uz-cyrl", "ru", "en"}, slug
    assert Page.objects.filter(slug="jizzakh-city", live=True).count() == 4
