"""The citizen follows the application: tracking page, timeline, decision and result."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from edms.approvals import draft_create, route_from_template
from edms.assignments import resolution_write
from edms.calendar import add_working_days
from edms.codes import format_code, new_code
from edms.models import Draft
from intake.decisions import can_see_applicant
from intake.models import Application, OutboxMessage
from intake.selectors import application_status
from tests.edms.factories import user
from tests.intake.factories import decide, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_tracking_page_shows_where_it_stands(client: Client) -> None:
    application = submit().application
    typed = format_code(application.tracking_code).lower()
    found = client.get(reverse("intake:track_lookup"), {"code": typed})
    assert found["Location"] == reverse("intake:track", args=[application.tracking_code])
    html = client.get(found["Location"]).content.decode()
    assert application.document.reg_number in html
    assert application.due_date.strftime("%d.%m.%Y") in html
    assert "Received" in html
    assert "Registered" in html
    # Nothing personal on a page anyone with the code can open.
    assert application.pinfl not in html
    assert application.phone not in html


def test_resolution_decision_and_result_move_the_timeline(client: Client) -> None:
    application = submit().application
    resolution_write(
        document=application.document,
        by=user("jizzakh-city.head"),
        text="Koʻrib chiqilsin",
        deadline=add_working_days(application.document.reg_date, 10),
        lead_executor=user("jizzakh-city.executor"),
    )
    assert application_status(application) == Application.Status.IN_WORK

    decided = decide(application, body="Yer uchastkasi ajratildi.")
    assert decided.result_document is not None
    assert decided.result_document.reply_to == application.document
    assert decided.result_document.reg_number.startswith("Ch-")
    assert application_status(decided) == Application.Status.DECIDED
    assert OutboxMessage.objects.filter(key=f"application:{application.pk}:decided").exists()

    html = client.get(reverse("intake:track", args=[application.tracking_code])).content.decode()
    assert "Granted" in html
    assert "Yer uchastkasi ajratildi." in html
    result = client.get(reverse("intake:result", args=[application.tracking_code]))
    assert result.status_code == 200
    number = decided.result_document.reg_number.replace("/", "-")
    assert result["Content-Disposition"].startswith(f'attachment; filename="{number}.pdf"')
    assert application_status(application) == Application.Status.ISSUED


def test_only_those_handling_it_prepare_the_decision_and_a_refusal_needs_a_reason() -> None:
    application = submit().application
    office = application.handling_office
    before = office.documents.count()
    route = route_from_template(office=office, kind=Draft.Kind.ANSWER)
    values = {
        "office": office,
        "kind": Draft.Kind.ANSWER,
        "title": "Qaror",
        "body": "",
        "reply_to": application.document,
        "route": route,
    }
    with pytest.raises(PermissionDenied):
        # An executor of another department with no assignment on it.
        draft_create(by=user("jizzakh-city.executor"), outcome="granted", **values)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="reason"):
        draft_create(by=user("jizzakh-city.head"), outcome="refused", **values)  # type: ignore[arg-type]
    assert office.documents.count() == before
    assert not Draft.objects.filter(reply_to=application.document).exists()
    application.refresh_from_db()
    assert application.outcome == ""


def test_the_applicants_data_are_for_those_who_handle_it() -> None:
    application = submit().application  # land-plot: the land department
    assert can_see_applicant(user("jizzakh-city.land-head"), application)
    assert can_see_applicant(user("jizzakh-city.head"), application)
    assert can_see_applicant(user("jizzakh-city.registrar"), application)
    assert not can_see_applicant(user("jizzakh-city.executor"), application)  # appeals dept
    assert not can_see_applicant(user("namangan-city.head"), application)


def test_the_document_card_shows_the_applicant_only_to_those_who_handle_it(
    client: Client,
) -> None:
    application = submit().application
    url = reverse("edms:document", args=[application.document_id])
    client.force_login(user("jizzakh-city.land-head"))
    assert application.pinfl in client.get(url).content.decode()
    client.force_login(user("jizzakh-city.executor"))
    html = client.get(url).content.decode()
    assert application.pinfl not in html
    assert "shown to those who handle the application" in html


def test_the_department_head_sees_it_in_the_inbox_with_its_due_date(client: Client) -> None:
    application = submit().application
    client.force_login(user("jizzakh-city.land-head"))
    html = client.get(reverse("edms:inbox")).content.decode()
    assert application.document.reg_number in html
    assert application.due_date.strftime("%d.%m.%Y") in html


def test_wrong_codes_get_not_found_and_are_rate_limited(client: Client) -> None:
    statuses = [
        client.get(reverse("intake:track", args=[new_code()])).status_code for _ in range(11)
    ]
    assert statuses[:10] == [404] * 10
    assert statuses[10] == 429
    other = client.get(reverse("intake:track", args=["NOT-A-CODE"]), REMOTE_ADDR="10.1.1.1")
    assert "No application has this tracking code" in other.content.decode()
