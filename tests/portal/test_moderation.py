"""Notices are moderated: a communications editor submits, an editor-in-chief approves."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from wagtail.models import Locale, Page

from portal.models import NoticeIndexPage, NoticePage

pytestmark = pytest.mark.django_db


def notice_index() -> NoticeIndexPage:
    return NoticeIndexPage.objects.get(locale=Locale.objects.get(language_code="uz"))


def test_editor_cannot_publish_but_the_chief_can() -> None:
    users = get_user_model().objects
    editor, chief = (
        users.get(username="jizzakh-city.editor"),
        users.get(username="jizzakh-city.chief-editor"),
    )
    notice = Page.objects.descendant_of(notice_index()).live().first()
    assert notice is not None
    assert notice_index().permissions_for_user(editor).can_add_subpage()
    assert not notice.permissions_for_user(editor).can_publish()
    assert notice.permissions_for_user(chief).can_publish()


def test_submitted_notice_goes_live_only_after_approval(client: Client) -> None:
    users = get_user_model().objects
    editor = users.get(username="jizzakh-city.editor")
    chief = users.get(username="jizzakh-city.chief-editor")
    notice = NoticePage(title="Suv taʼminoti toʻxtatiladi", slug="water", summary="Dushanba")
    notice_index().add_child(instance=notice)
    notice.unpublish()
    revision = notice.save_revision(user=editor)

    workflow = notice.get_workflow()
    assert workflow is not None
    assert workflow.name == "Notice moderation"
    state = workflow.start(notice, editor)
    assert client.get("/uz/notices/water/").status_code == 404

    task_state = state.current_task_state
    assert task_state is not None
    task = task_state.task.specific
    assert "approve" in [name for name, _label, _modal in task.get_actions(notice, chief)]
    assert task.get_actions(notice, editor) == []
    task_state.task.specific.on_action(task_state, user=chief, action_name="approve")

    notice.refresh_from_db()
    assert notice.live
    assert notice.live_revision_id == revision.pk
    assert "Suv taʼminoti toʻxtatiladi" in client.get("/uz/notices/water/").content.decode()
