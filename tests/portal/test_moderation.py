"""Notices are moderated: a communications editor submits, an editor-in-chief of the same office
approves; in the regional notice index, a regional editor approves."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Locale

from portal.models import NoticeIndexPage, NoticePage, OfficePage

pytestmark = pytest.mark.django_db


def notice_index() -> NoticeIndexPage:
    return NoticeIndexPage.objects.get(locale=Locale.objects.get(language_code="uz"))


def office_page() -> OfficePage:
    return OfficePage.objects.get(office__code="jizzakh-city", locale__language_code="uz")


def test_editor_cannot_publish_but_the_chief_can() -> None:
    users = get_user_model().objects
    editor, chief = (
        users.get(username="jizzakh-city.editor"),
        users.get(username="jizzakh-city.chief-editor"),
    )
    assert office_page().permissions_for_user(editor).can_add_subpage()
    assert office_page().permissions_for_user(editor).can_edit()
    assert not office_page().permissions_for_user(editor).can_publish()
    assert office_page().permissions_for_user(chief).can_publish()
    # The regional notice index is neither's.
    assert not notice_index().permissions_for_user(editor).can_add_subpage()
    assert not notice_index().permissions_for_user(chief).can_add_subpage()


def test_submitted_notice_goes_live_only_after_approval(client: Client) -> None:
    users = get_user_model().objects
    editor = users.get(username="jizzakh-city.editor")
    chief = users.get(username="jizzakh-city.chief-editor")
    other_chief = users.get(username="namangan-city.chief-editor")
    notice = NoticePage(title="Suv taʼminoti toʻxtatiladi", slug="water", summary="Dushanba")
    office_page().add_child(instance=notice)
    notice.unpublish()
    revision = notice.save_revision(user=editor)

    workflow = notice.get_workflow()
    assert workflow is not None
    assert workflow.name == "Notice moderation: jizzakh-city"
    state = workflow.start(notice, editor)
    assert client.get("/uz/offices/jizzakh-city/water/").status_code == 404

    task_state = state.current_task_state
    assert task_state is not None
    task = task_state.task.specific
    assert "approve" in [name for name, _label, _modal in task.get_actions(notice, chief)]
    assert task.get_actions(notice, editor) == []
    assert task.get_actions(notice, other_chief) == []
    task_state.task.specific.on_action(task_state, user=chief, action_name="approve")

    notice.refresh_from_db()
    assert notice.live
    assert notice.live_revision_id == revision.pk
    page = client.get("/uz/offices/jizzakh-city/water/").content.decode()
    assert "Suv taʼminoti toʻxtatiladi" in page


def test_regional_notices_are_approved_by_a_regional_editor() -> None:
    users = get_user_model().objects
    regional = users.get(username="jizzakh-region.regional-editor")
    chief = users.get(username="jizzakh-city.chief-editor")
    notice = NoticePage(title="Viloyat yangiliklari", slug="region-news", summary="Yangilik")
    notice_index().add_child(instance=notice)
    notice.save_revision(user=regional)
    workflow = notice.get_workflow()
    assert workflow is not None
    assert workflow.name == "Notice moderation"
    state = workflow.start(notice, regional)
    task_state = state.current_task_state
    assert task_state is not None
    task = task_state.task.specific
    assert "approve" in [name for name, _label, _modal in task.get_actions(notice, regional)]
    assert task.get_actions(notice, chief) == []
