"""An office administrator manages only their own office in the Wagtail admin."""

from datetime import date
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from edms.models import CalendarOverride, Department, Office, Position
from edms.roles import Role
from tests.edms.factories import user

pytestmark = pytest.mark.django_db

ADMIN = "jizzakh-city.office-admin"


def signed_in(client: Client, username: str = ADMIN) -> Client:
    client.force_login(user(username))
    return client


def snippet_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"wagtailsnippets_edms_{model._meta.model_name}:{view}", args=args)


def test_listings_show_only_the_own_office(client: Client) -> None:
    signed_in(client)
    own = Department.objects.filter(office__code="jizzakh-city").first()
    other = Department.objects.filter(office__code="namangan-city").first()
    assert own
    assert other
    html = client.get(snippet_url(Department, "list")).content.decode()
    assert snippet_url(Department, "edit", own.pk) in html
    assert snippet_url(Department, "edit", other.pk) not in html

    offices = client.get(snippet_url(Office, "list")).content.decode()
    assert snippet_url(Office, "edit", Office.objects.get(code="jizzakh-city").pk) in offices
    assert snippet_url(Office, "edit", Office.objects.get(code="namangan-city").pk) not in offices

    positions = client.get(snippet_url(Position, "list")).content.decode()
    assert "namangan-city" not in positions
    users = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "jizzakh-city.executor" in users
    assert "namangan-city.executor" not in users
    assert ">admin<" not in users


@pytest.mark.parametrize("view", ["edit", "delete", "usage", "history", "copy"])
def test_another_offices_rows_do_not_exist_for_them(client: Client, view: str) -> None:
    signed_in(client)
    other_department = Department.objects.filter(office__code="namangan-city").first()
    other_office = Office.objects.get(code="namangan-city")
    other_position = Position.objects.filter(office=other_office).first()
    assert other_department
    assert other_position
    for model, pk in [
        (Department, other_department.pk),
        (Office, other_office.pk),
        (Position, other_position.pk),
    ]:
        url = snippet_url(model, view, pk)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name_uz": "Oʻzgartirildi"}).status_code == 404, url
    other_department.refresh_from_db()
    assert other_department.name_uz != "Oʻzgartirildi"


def test_user_accounts_of_another_office_and_superusers_are_out_of_reach(client: Client) -> None:
    signed_in(client)
    for username in ("namangan-city.head", "admin"):
        target = user(username)
        edit = reverse("wagtailusers_users:edit", args=[target.pk])
        assert client.get(edit).status_code == 404
        response = client.post(edit, {"first_name": "X", "password1": "x", "password2": "x"})
        assert response.status_code == 404
        target.refresh_from_db()
        assert target.first_name != "X"
    own = user("jizzakh-city.executor")
    assert client.get(reverse("wagtailusers_users:edit", args=[own.pk])).status_code == 200


def test_the_form_offers_only_the_own_office_and_refuses_another(client: Client) -> None:
    signed_in(client)
    jizzakh, namangan = (Office.objects.get(code=c) for c in ("jizzakh-city", "namangan-city"))
    add = snippet_url(CalendarOverride, "add")
    form = client.get(add).content.decode()
    assert f'value="{jizzakh.pk}"' in form
    assert f'value="{namangan.pk}"' not in form

    # Another office's day off, or one for every office, is refused and nothing is saved.
    for office in (str(namangan.pk), ""):
        response = client.post(
            add, {"office": office, "date": "2026-12-31", "kind": "day_off", "reason": "Test"}
        )
        assert response.status_code == 200
        assert not CalendarOverride.objects.filter(date=date(2026, 12, 31)).exists()

    response = client.post(
        add, {"office": str(jizzakh.pk), "date": "2026-12-31", "kind": "day_off", "reason": "Test"}
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get(date=date(2026, 12, 31)).office == jizzakh


def test_an_office_administrator_cannot_move_their_office_in_the_tree(client: Client) -> None:
    signed_in(client)
    office = Office.objects.get(code="jizzakh-city")
    edit = snippet_url(Office, "edit", office.pk)
    form = client.get(edit)
    assert form.status_code == 200
    fields = form.context["form"].fields
    for name in ("code", "parent", "kind", "is_active"):
        assert fields[name].disabled, name


def test_bulk_delete_skips_another_offices_rows(client: Client) -> None:
    namangan = Office.objects.get(code="namangan-city")
    foreign = CalendarOverride.objects.create(
        office=namangan, date=date(2026, 12, 30), kind="day_off", reason="Mahalliy"
    )
    signed_in(client)
    url = (
        reverse("wagtail_bulk_action", args=["edms", "calendaroverride", "delete"])
        + f"?id={foreign.pk}"
    )
    client.post(url)
    assert CalendarOverride.objects.filter(pk=foreign.pk).exists()


def test_the_superuser_sees_every_office(client: Client) -> None:
    signed_in(client, "admin")
    other = Department.objects.filter(office__code="namangan-city").first()
    assert other
    assert client.get(snippet_url(Department, "edit", other.pk)).status_code == 200
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "namangan-city.executor" in html


def user_form_data(client: Client, url: str) -> Any:
    html = client.get(url).content.decode()
    # The account form is the one with the username in it.
    form = next(
        f
        for f in BeautifulSoup(html, "html.parser").find_all("form")
        if f.find("input", attrs={"name": "username"})
    )
    return querydict_from_html(str(form))


def test_office_administrators_make_no_superusers_and_no_regional_editors(
    client: Client,
) -> None:
    signed_in(client)
    editor = user("jizzakh-city.chief-editor")
    url = reverse("wagtailusers_users:edit", args=[editor.pk])
    data = user_form_data(client, url)
    assert "is_superuser" not in client.get(url).context["form"].fields
    data["is_superuser"] = "on"
    data["first_name"] = "Otabek"
    data.setlist("groups", [str(Group.objects.get(name=Role.CHIEF_EDITOR.value).pk)])
    assert client.post(url, data).status_code == 302
    editor.refresh_from_db()
    assert not editor.is_superuser
    # The office's editing group follows the role by itself and is kept.
    assert set(editor.groups.values_list("name", flat=True)) == {
        "chief-editor",
        "chief-editor:jizzakh-city",
    }

    regional = Group.objects.get(name=Role.REGIONAL_EDITOR.value)
    data.setlist("groups", [str(regional.pk)])
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["groups"]
    assert not editor.groups.filter(pk=regional.pk).exists()
    foreign = Group.objects.get(name="chief-editor:namangan-city")
    data.setlist("groups", [str(foreign.pk)])
    assert client.post(url, data).status_code == 200
    assert not editor.groups.filter(pk=foreign.pk).exists()
    for hostile in ("abc", "-1", "1\x00"):
        data.setlist("groups", [hostile])
        response = client.post(url, data)
        assert response.status_code == 200, hostile
        assert response.context["form"].errors["groups"], hostile
    # A number past 64 bits is refused at the admins' door (core.guard), before any form.
    groups = set(editor.groups.values_list("pk", flat=True))
    data.setlist("groups", ["99999999999999999999"])
    assert client.post(url, data).status_code == 400
    assert set(editor.groups.values_list("pk", flat=True)) == groups
