"""Editors stay in their office: an office's editors edit and publish only its own pages.

An office's editors and editors-in-chief work on the office's page and what hangs under it (its
notices and guidance); the home page, the service catalogue and service pages with their forms,
the notice index and the intranet are the regional editor's and the administrators'.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page, Revision, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html, rich_text

from edms.models import Office, Position
from edms.roles import Role, role_group
from intake.models import ServicePage
from portal.editor_scope import sync_editor_scope
from portal.models import (
    GuidancePage,
    HomePage,
    IntranetPage,
    NoticeIndexPage,
    NoticePage,
    OfficePage,
    ServiceCatalogPage,
)
from tests.conftest import login
from tests.edms.factories import user

pytestmark = pytest.mark.django_db

CHIEF = "jizzakh-city.chief-editor"
EDITOR = "jizzakh-city.editor"
OTHER_CHIEF = "namangan-city.chief-editor"
REGIONAL = "jizzakh-region.regional-editor"


def office_page(code: str = "jizzakh-city", language: str = "uz") -> OfficePage:
    return OfficePage.objects.get(office__code=code, locale__language_code=language)


def in_uzbek(model: type[Page], **filters: Any) -> Page:
    found: Page = model.objects.filter(locale__language_code="uz", **filters).first()
    assert found is not None, model
    return found


# Pages no office editor may touch: another office's, and the regional ones.
FOREIGN: dict[str, Callable[[], Page]] = {
    "another office's page": lambda: office_page("namangan-city"),
    "home page": lambda: in_uzbek(HomePage),
    "service catalogue": lambda: in_uzbek(ServiceCatalogPage),
    "service page": lambda: in_uzbek(ServicePage),
    "notice index": lambda: in_uzbek(NoticeIndexPage),
    "regional notice": lambda: in_uzbek(NoticePage, slug="online-services"),
    "intranet": lambda: in_uzbek(IntranetPage),
}


def snapshot() -> dict[str, Any]:
    """What an admin action would change: every page's state, revisions and workflows."""
    return {
        "pages": list(
            Page.objects.order_by("pk").values_list(
                "pk",
                "title",
                "draft_title",
                "slug",
                "path",
                "live",
                "has_unpublished_changes",
                "latest_revision_id",
                "locked",
            )
        ),
        "revisions": Revision.objects.count(),
        "workflows": WorkflowState.objects.count(),
    }


def error_messages(response: Any) -> list[str]:
    request = response.wsgi_request
    return [str(m) for m in get_messages(request) if m.level == messages.ERROR]


def assert_refused(response: Any) -> None:
    """403/404, or Wagtail's redirect with a permission message."""
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert error_messages(response), response["Location"]


def edit_url(page: Page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def admin_attempts(page: Page, own: OfficePage) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, data) for every way the admin changes a page: edit, publish, unpublish,
    delete, move, copy, add below it, lock, privacy."""
    edit = edit_url(page)
    hostile = {"title": "Oʻzgartirildi", "slug": page.slug, "body": rich_text("<p>X</p>")}
    child = "guidancepage" if page.specific_class is not NoticePage else "noticepage"
    return [
        ("get", edit, {}),
        ("post", edit, hostile),
        ("post", edit, {**hostile, "action-publish": "action-publish"}),
        ("post", edit, {**hostile, "action-submit": "action-submit"}),
        ("get", reverse("wagtailadmin_pages:unpublish", args=[page.pk]), {}),
        ("post", reverse("wagtailadmin_pages:unpublish", args=[page.pk]), {}),
        ("get", reverse("wagtailadmin_pages:delete", args=[page.pk]), {}),
        ("post", reverse("wagtailadmin_pages:delete", args=[page.pk]), {}),
        ("get", reverse("wagtailadmin_pages:move", args=[page.pk]), {}),
        ("post", reverse("wagtailadmin_pages:move_confirm", args=[page.pk, own.pk]), {}),
        ("get", reverse("wagtailadmin_pages:copy", args=[page.pk]), {}),
        (
            "post",
            reverse("wagtailadmin_pages:copy", args=[page.pk]),
            {"new_title": "Nusxa", "new_slug": "nusxa", "new_parent_page": own.pk},
        ),
        ("get", reverse("wagtailadmin_pages:add", args=["portal", child, page.pk]), {}),
        (
            "post",
            reverse("wagtailadmin_pages:add", args=["portal", child, page.pk]),
            {"title": "Yangi", "slug": "yangi", "action-publish": "action-publish"},
        ),
        ("post", reverse("wagtailadmin_pages:lock", args=[page.pk]), {}),
        ("post", reverse("wagtailadmin_pages:set_privacy", args=[page.pk]), {}),
    ]


@pytest.mark.parametrize("target", list(FOREIGN))
@pytest.mark.parametrize("username", [CHIEF, EDITOR])
def test_office_editors_cannot_touch_other_pages(
    client: Client, username: str, target: str
) -> None:
    page = FOREIGN[target]()
    login(client, username)
    before = snapshot()
    for method, url, data in admin_attempts(page, office_page()):
        response = getattr(client, method)(url, data)
        assert_refused(response)
        assert snapshot() == before, (method, url)
    permissions = page.permissions_for_user(user(username))
    assert not permissions.can_edit()
    assert not permissions.can_publish()
    assert not permissions.can_delete()
    assert not permissions.can_add_subpage()


@pytest.mark.parametrize("action", ["delete", "unpublish", "publish", "move"])
def test_bulk_actions_leave_other_offices_pages_alone(client: Client, action: str) -> None:
    targets = [office_page("namangan-city"), in_uzbek(HomePage), in_uzbek(ServicePage)]
    login(client, CHIEF)
    before = snapshot()
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
    query = "?" + "&".join(f"id={page.pk}" for page in targets)
    data = {"move_applicable": "on", "chooser": office_page().pk}
    assert client.get(url + query).status_code < 500
    assert client.post(url + query, data).status_code < 500
    assert snapshot() == before


def test_chief_edits_and_publishes_the_own_office_page(client: Client) -> None:
    page = office_page()
    login(client, CHIEF)
    response = client.get(edit_url(page))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data["body"] = rich_text("<p>Qabul kunlari: seshanba va payshanba.</p>")
    # The page stays about its office, whatever is sent.
    data["office"] = str(Office.objects.get(code="namangan-city").pk)
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(page), data)
    assert response.status_code == 302, error_messages(response)
    page.refresh_from_db()
    assert "seshanba va payshanba" in page.body
    assert page.office.code == "jizzakh-city"
    assert page.live
    assert not page.has_unpublished_changes
    assert "seshanba va payshanba" in client.get("/uz/offices/jizzakh-city/").content.decode()


def add_url(parent: Page, model: str = "noticepage") -> str:
    return reverse("wagtailadmin_pages:add", args=["portal", model, parent.pk])


def notice_form(client: Client, parent: Page, **fields: str) -> Any:
    response = client.get(add_url(parent))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    # The body is a StreamField, drawn by the browser: empty here.
    data.update(
        {
            "date": "2026-12-01",
            "summary": "Dushanba kuni suv boʻlmaydi.",
            "body-count": "0",
            **fields,
        }
    )
    return data


def test_chief_publishes_a_notice_of_the_own_office(client: Client) -> None:
    login(client, CHIEF)
    data = notice_form(client, office_page(), title="Suv taʼminoti", slug="water")
    data["action-publish"] = "action-publish"
    response = client.post(add_url(office_page()), data)
    assert response.status_code == 302, error_messages(response)
    notice = NoticePage.objects.get(slug="water", locale__language_code="uz")
    assert notice.live
    assert notice.office.code == "jizzakh-city"
    assert notice.get_parent().pk == office_page().pk
    # Listed on the office's page and in the notice index, in its language.
    assert "Suv taʼminoti" in client.get("/uz/offices/jizzakh-city/").content.decode()
    assert "Suv taʼminoti" in client.get("/uz/notices/").content.decode()
    assert client.get("/uz/offices/jizzakh-city/water/").status_code == 200


def test_a_notice_cannot_be_given_to_another_office(client: Client) -> None:
    login(client, CHIEF)
    before = NoticePage.objects.count()
    data = notice_form(client, office_page(), title="Begona", slug="foreign")
    data["office"] = str(Office.objects.get(code="namangan-city").pk)
    data["action-publish"] = "action-publish"
    response = client.post(add_url(office_page()), data)
    assert response.status_code == 200  # the form again, with the error at the field
    assert response.context["form"].errors["office"]
    assert NoticePage.objects.count() == before
    # Saved by any other means, a notice under the office's page is still the office's.
    notice = NoticePage(
        title="Boshqa", slug="other", office=Office.objects.get(code="namangan-city")
    )
    office_page().add_child(instance=notice)
    assert NoticePage.objects.get(pk=notice.pk).office.code == "jizzakh-city"


def test_guidance_of_the_office_shows_on_its_page(client: Client) -> None:
    login(client, CHIEF)
    response = client.get(add_url(office_page(), "guidancepage"))
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data.update(
        {
            "title": "Qabulga yozilish",
            "slug": "appointments",
            "body-count": "0",
            "action-publish": "action-publish",
        }
    )
    response = client.post(add_url(office_page(), "guidancepage"), data)
    assert response.status_code == 302, error_messages(response)
    html = client.get("/uz/offices/jizzakh-city/").content.decode()
    assert 'href="/uz/offices/jizzakh-city/appointments/"' in html
    assert "Qabulga yozilish" not in client.get("/uz/offices/namangan-city/").content.decode()


def test_editor_submits_and_only_the_own_chief_approves(client: Client) -> None:
    login(client, EDITOR)
    data = notice_form(client, office_page(), title="Yoʻl taʼmiri", slug="road-works")
    data["action-publish"] = "action-publish"  # not theirs to do: saved as a draft at most
    client.post(add_url(office_page()), data)
    draft = NoticePage.objects.filter(slug="road-works", locale__language_code="uz").first()
    assert draft is None or not draft.live
    data = notice_form(client, office_page(), title="Yoʻl taʼmiri", slug="road-repairs")
    data["action-submit"] = "action-submit"
    response = client.post(add_url(office_page()), data)
    assert response.status_code == 302, error_messages(response)
    notice = NoticePage.objects.get(slug="road-repairs", locale__language_code="uz")
    assert not notice.live
    assert client.get("/uz/offices/jizzakh-city/road-repairs/").status_code == 404
    task_state = notice.current_workflow_task_state
    assert task_state is not None
    assert notice.get_workflow().name == "Notice moderation: jizzakh-city"
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[notice.pk, "approve", task_state.pk]
    )

    # Another office's editor-in-chief can neither approve nor open it.
    login(client, OTHER_CHIEF)
    assert_refused(client.post(approve, {"comment": ""}))
    assert_refused(client.get(edit_url(notice)))
    other = user(OTHER_CHIEF)
    assert task_state.task.specific.get_actions(notice, other) == []
    notice.refresh_from_db()
    assert not notice.live

    login(client, CHIEF)
    response = client.post(approve, {"comment": ""})
    assert response.status_code < 400
    notice.refresh_from_db()
    assert notice.live
    assert "Yoʻl taʼmiri" in client.get("/uz/offices/jizzakh-city/road-repairs/").content.decode()


def test_chief_cannot_delete_the_own_office_page(client: Client) -> None:
    page = office_page()
    login(client, CHIEF)
    before = snapshot()
    response = client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    assert response.status_code == 302
    # In the admin's language (Uzbek unless the account chose another).
    assert any("viloyat muharriri" in text for text in error_messages(response))
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    client.post(f"{bulk}?id={page.pk}")
    assert snapshot() == before


def test_explorer_and_admin_search_offer_only_the_own_pages(client: Client) -> None:
    own, other = office_page(), office_page("namangan-city")
    login(client, CHIEF)
    offices = own.get_parent()
    html = client.get(reverse("wagtailadmin_explore", args=[offices.pk])).content.decode()
    assert edit_url(own) in html
    assert edit_url(other) not in html
    assert other.title not in html
    home = in_uzbek(HomePage)
    html = client.get(reverse("wagtailadmin_explore", args=[home.pk])).content.decode()
    for name in ("service catalogue", "notice index", "intranet"):
        assert edit_url(FOREIGN[name]()) not in html, name
    assert edit_url(home) not in html

    search = reverse("wagtailadmin_pages:search")
    html = client.get(search, {"q": "Namangan"}).content.decode()
    assert edit_url(other) not in html
    html = client.get(search, {"q": own.title}).content.decode()
    assert edit_url(own) in html
    for target in FOREIGN.values():
        html = client.get(search, {"q": target().title}).content.decode()
        assert edit_url(target()) not in html


def test_regional_editor_edits_the_regional_pages(client: Client) -> None:
    login(client, REGIONAL)
    regional = user(REGIONAL)
    for name, target in FOREIGN.items():
        permissions = target().permissions_for_user(regional)
        assert permissions.can_edit(), name
        assert permissions.can_publish(), name
        assert client.get(edit_url(target())).status_code == 200, name

    home = in_uzbek(HomePage)
    data = querydict_from_html(client.get(edit_url(home)).content.decode(), "page-edit-form")
    data["intro"] = rich_text("<p>Viloyat portaliga xush kelibsiz.</p>")
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(home), data)
    assert response.status_code == 302, error_messages(response)
    assert "Viloyat portaliga xush kelibsiz." in client.get("/uz/").content.decode()

    # The service page's form: a field relabelled and published.
    service_page = in_uzbek(ServicePage).specific
    field = service_page.form_fields.first()
    html = client.get(edit_url(service_page)).content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    label_keys = [key for key, value in data.items() if key.endswith("-label")]
    key = next(key for key in label_keys if data[key] == field.label)
    data[key] = "Toʻliq manzil"
    data["guidance-count"] = "0"  # the demo's service pages have no guidance
    data["action-publish"] = "action-publish"
    response = client.post(edit_url(service_page), data)
    assert response.status_code == 302, error_messages(response)
    field.refresh_from_db()
    assert field.label == "Toʻliq manzil"


def test_regional_editor_is_no_administrator(client: Client) -> None:
    regional = user(REGIONAL)
    assert not regional.is_superuser
    assert not regional.has_perm("auth.change_user")
    assert not regional.has_perm("edms.change_office")
    # Removing whole sections with everything below them stays with administrators.
    assert not in_uzbek(ServiceCatalogPage).permissions_for_user(regional).can_delete()


def test_administrators_can_do_everything(client: Client) -> None:
    admin = user("admin")
    for name, target in {**FOREIGN, "own office page": office_page}.items():
        permissions = target().permissions_for_user(admin)
        assert permissions.can_edit(), name
        assert permissions.can_publish(), name
        assert permissions.can_delete(), name
    login(client, "admin")
    page = office_page("namangan-city")
    data = querydict_from_html(client.get(edit_url(page)).content.decode(), "page-edit-form")
    data["body"] = rich_text("<p>Yangilandi.</p>")
    data["action-publish"] = "action-publish"
    assert client.post(edit_url(page), data).status_code == 302
    page.refresh_from_db()
    assert "Yangilandi." in page.body


def office_group_names(username: str) -> set[str]:
    return {name for name in user(username).groups.values_list("name", flat=True) if ":" in name}


def test_office_groups_follow_role_and_position() -> None:
    assert office_group_names(CHIEF) == {"chief-editor:jizzakh-city"}
    assert office_group_names(EDITOR) == {"editor:jizzakh-city"}
    assert office_group_names("jizzakh-city.executor") == set()

    # Moved to another office: that office's pages, no longer the old one's.
    position = Position.objects.get(user__username=CHIEF)
    position.office = Office.objects.get(code="zomin")
    position.department = position.office.departments.get(code="leadership")
    position.save()
    assert office_group_names(CHIEF) == {"chief-editor:zomin"}
    chief = user(CHIEF)
    assert not office_page().permissions_for_user(chief).can_edit()
    assert office_page("zomin").permissions_for_user(chief).can_publish()

    # The role taken away, or a group of another office given by hand: back to what role and
    # position say.
    editor = user(EDITOR)
    editor.groups.add(Group.objects.get(name="chief-editor:namangan-city"))
    assert office_group_names(EDITOR) == {"editor:jizzakh-city"}
    role_group(Role.EDITOR).user_set.remove(editor)
    assert office_group_names(EDITOR) == set()
    assert not office_page().permissions_for_user(user(EDITOR)).can_edit()
    editor.groups.add(role_group(Role.CHIEF_EDITOR))
    assert office_group_names(EDITOR) == {"chief-editor:jizzakh-city"}
    Position.objects.filter(user=editor).delete()
    assert office_group_names(EDITOR) == set()


def test_a_new_office_page_gets_its_editors_and_moderation() -> None:
    page = office_page("zomin")
    permissions = GroupPagePermission.objects.filter(page=page)
    assert set(permissions.values_list("group__name", flat=True)) == {
        "editor:zomin",
        "chief-editor:zomin",
    }
    assert page.get_workflow().name == "Notice moderation: zomin"
    # The page handed to another office: its editors now, and only theirs.
    page.office = Office.objects.get(code="arnasoy")
    page.save()
    assert set(permissions.values_list("group__name", flat=True)) == {
        "editor:arnasoy",
        "chief-editor:arnasoy",
    }


def test_the_scope_is_set_up_on_a_database_loaded_before_it() -> None:
    # As the demo loader left it before: editors' page permissions on every home page.
    chief_role = role_group(Role.CHIEF_EDITOR)
    change = Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page")
    for home in HomePage.objects.all():
        GroupPagePermission.objects.create(group=chief_role, page=home, permission=change)
    user(CHIEF).groups.remove(Group.objects.get(name="chief-editor:jizzakh-city"))
    sync_editor_scope()
    assert not GroupPagePermission.objects.filter(group=chief_role).exists()
    assert office_group_names(CHIEF) == {"chief-editor:jizzakh-city"}
    assert not office_page("namangan-city").permissions_for_user(user(CHIEF)).can_edit()
    assert office_page().permissions_for_user(user(CHIEF)).can_publish()


def test_every_language_of_the_office_page_is_the_offices() -> None:
    chief = user(CHIEF)
    for language in ("uz", "uz-cyrl", "ru", "en"):
        assert office_page(language=language).permissions_for_user(chief).can_publish()
        other = office_page("namangan-city", language)
        assert not other.permissions_for_user(chief).can_edit()
    assert GuidancePage.can_create_at(office_page())
