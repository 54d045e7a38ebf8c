"""The staff workspace as its users meet it, and office-scoped access on every URL."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from edms.audit import audit_history
from edms.models import (
    ApprovalStep,
    Assignment,
    Dispatch,
    Document,
    Journal,
    Office,
    Resolution,
)
from edms.selectors import control_assignments
from tests.edms.factories import registered, user

pytestmark = pytest.mark.django_db


def signed_in(client: Client, username: str) -> Client:
    client.force_login(user(username))
    client.cookies["language"] = "en"
    return client


def document_urls(document: Document) -> list[str]:
    return [
        reverse("edms:document", args=[document.pk]),
        reverse("edms:resolution", args=[document.pk]),
    ]


WORKSPACE_PAGES = ["edms:inbox", "edms:documents", "edms:register", "edms:exchange", "edms:control"]


@pytest.mark.parametrize("name", WORKSPACE_PAGES)
def test_anonymous_visitors_go_to_the_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/workspace/")


@pytest.mark.parametrize("name", WORKSPACE_PAGES)
def test_accounts_without_a_position_are_refused(client: Client, name: str) -> None:
    client.force_login(get_user_model().objects.create_user("no-position"))
    assert client.get(reverse(name)).status_code == 403


def test_an_executor_cannot_reach_another_offices_documents(client: Client) -> None:
    theirs = [registered("namangan-city", title=f"Namangan xati {n}") for n in range(3)]
    signed_in(client, "jizzakh-city.executor")
    for document in theirs:
        for url in document_urls(document):
            assert client.get(url).status_code == 404, url
        assert client.post(reverse("edms:send", args=[document.pk])).status_code == 404
    listing = client.get(reverse("edms:documents")).content.decode()
    found = client.get(reverse("edms:documents"), {"q": theirs[0].reg_number}).content.decode()
    for document in theirs:
        assert document.title not in listing
    assert theirs[0].title not in found
    # Guessing ids around them finds nothing either.
    for pk in range(max(1, theirs[0].pk - 5), theirs[-1].pk + 5):
        if not Document.objects.filter(pk=pk, office__code="jizzakh-city").exists():
            assert client.get(reverse("edms:document", args=[pk])).status_code == 404


def test_a_confidential_document_only_for_the_people_on_it(client: Client) -> None:
    secret = registered("jizzakh-city", title="Maxfiy xat", confidential=True)
    signed_in(client, "jizzakh-city.executor")
    url = reverse("edms:document", args=[secret.pk])
    assert client.get(url).status_code == 404
    assert "Maxfiy xat" not in client.get(reverse("edms:documents")).content.decode()

    secret.participants.add(user("jizzakh-city.executor"))
    assert client.get(url).status_code == 200
    actions = [event.action for event in audit_history(secret)]
    assert actions == ["register", "view_confidential"]


def test_the_registrar_registers_through_the_form(client: Client) -> None:
    signed_in(client, "jizzakh-city.registrar")
    journal = Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING)
    response = client.post(
        reverse("edms:register"),
        {
            "journal": journal.pk,
            "title": "Maktab taʼmiri haqida",
            "channel": Document.Channel.PAPER,
            "correspondent_kind": Document.CorrespondentKind.ORGANISATION,
            "correspondent_name": "Xalq taʼlimi boʻlimi",
            "deadline_working_days": 10,
        },
    )
    document = Document.objects.get(title="Maktab taʼmiri haqida")
    assert response.status_code == 302
    assert response["Location"] == reverse("edms:document", args=[document.pk])
    assert document.reg_number.startswith("K-")
    assert document.due_date is not None
    assert document.due_date > timezone.localdate()
    card = client.get(response["Location"]).content.decode()
    assert f"Registered as {document.reg_number}." in card
    assert "Registered" in card  # the history


def test_registration_errors_are_clear_and_register_nothing(client: Client) -> None:
    signed_in(client, "jizzakh-city.registrar")
    journal = Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING)
    before = Document.objects.count()
    response = client.post(
        reverse("edms:register"),
        {
            "journal": journal.pk,
            "title": "Xat",
            "channel": Document.Channel.PAPER,
            "correspondent_kind": Document.CorrespondentKind.PERSON,
            "deadline_working_days": 5,
            "due_date": "2030-01-10",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the deadline in working days or as a date, not both." in html
    assert "Enter the correspondent&#x27;s name." in html
    assert 'value="Xat"' in html
    assert Document.objects.count() == before


def test_a_paper_letter_is_registered_from_its_scan_in_reply_to_ours(client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    ours = registered("jizzakh-city", kind=Journal.Kind.OUTGOING, title="Soʻrov")
    signed_in(client, "jizzakh-city.registrar")
    journal = Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING)
    response = client.post(
        reverse("edms:register"),
        {
            "journal": journal.pk,
            "title": "Soʻrovga javob",
            "channel": Document.Channel.PAPER,
            "deadline_working_days": 5,
            "reply_to_number": ours.reg_number.lower(),
            "scan": SimpleUploadedFile("skan.png", PNG_1x1, content_type="image/png"),
        },
    )
    document = Document.objects.get(title="Soʻrovga javob")
    assert response.status_code == 302
    assert document.reply_to == ours
    main = document.attachments.get()
    assert main.role == "main"
    assert main.current_version().original_name == "skan.png"  # type: ignore[union-attr]


def test_a_refused_scan_or_unknown_reply_number_registers_nothing(client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    signed_in(client, "jizzakh-city.registrar")
    journal = Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING)
    before = (
        Document.objects.count(),
        list(journal.counters.values_list("last_number", flat=True)),
    )
    fields = {
        "journal": journal.pk,
        "title": "Shubhali xat",
        "channel": Document.Channel.PAPER,
        "deadline_working_days": 5,
    }
    bad_file = client.post(
        reverse("edms:register"),
        {**fields, "scan": SimpleUploadedFile("xat.pdf", b"MZ\x90\x00" + b"\x00" * 200)},
    ).content.decode()
    assert "Shubhali xat" in bad_file  # what was typed stays
    assert 'class="invalid-feedback"' in bad_file or "is-invalid" in bad_file
    unknown = client.post(
        reverse("edms:register"), {**fields, "reply_to_number": "Ch-99999/26"}
    ).content.decode()
    assert "No document numbered Ch-99999/26 that you can see." in unknown
    after = (Document.objects.count(), list(journal.counters.values_list("last_number", flat=True)))
    assert after == before


def test_only_registrars_register_and_only_in_their_office(client: Client) -> None:
    signed_in(client, "jizzakh-city.executor")
    assert client.get(reverse("edms:register")).status_code == 403
    signed_in(client, "jizzakh-city.registrar")
    theirs = Journal.objects.get(office__code="namangan-city", kind=Journal.Kind.INCOMING)
    before = Document.objects.filter(journal=theirs).count()
    response = client.post(
        reverse("edms:register"),
        {"journal": theirs.pk, "title": "X", "channel": Document.Channel.PAPER},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Document.objects.filter(journal=theirs).count() == before


def test_exchange_through_the_workspace(client: Client) -> None:
    document = registered("jizzakh-city", kind=Journal.Kind.OUTGOING, title="Tadbir haqida")
    signed_in(client, "jizzakh-city.registrar")
    namangan = Office.objects.get(code="namangan-city")
    client.post(
        reverse("edms:send", args=[document.pk]),
        {"channel": Dispatch.Channel.SYSTEM, "recipient_office": namangan.pk},
    )
    dispatch = Dispatch.objects.get(document=document)

    signed_in(client, "namangan-city.registrar")
    assert "Tadbir haqida" in client.get(reverse("edms:exchange")).content.decode()
    inbox = client.get(reverse("edms:inbox")).content.decode()
    assert "Documents from other offices" in inbox
    response = client.post(reverse("edms:dispatch", args=[dispatch.pk, "register"]))
    theirs = Document.objects.get(office=namangan, title="Tadbir haqida")
    assert response["Location"] == reverse("edms:document", args=[theirs.pk])

    signed_in(client, "jizzakh-city.registrar")
    card = client.get(reverse("edms:document", args=[document.pk])).content.decode()
    assert f"their number {theirs.reg_number}" in card
    # Another office's registrar cannot handle it.
    signed_in(client, "namangan-city.executor")
    assert client.post(reverse("edms:dispatch", args=[dispatch.pk, "return"])).status_code == 403


def make_assignment(
    executor: str, deadline_days: int, status: str = Assignment.Status.NEW
) -> Assignment:
    today = timezone.localdate()
    document = registered("jizzakh-city")
    resolution = Resolution.objects.create(
        document=document,
        author=user("jizzakh-city.head"),
        text="Koʻrib chiqilsin",
        deadline=today + timedelta(days=deadline_days),
    )
    return Assignment.objects.create(
        resolution=resolution,
        document=document,
        executor=user(executor),
        is_lead=True,
        assigned_by=user("jizzakh-city.head"),
        deadline=today + timedelta(days=deadline_days),
        status=status,
        closed_on=today if status == Assignment.Status.DONE else None,
    )


def test_inbox_lists_my_assignments_with_a_countdown(client: Client) -> None:
    late = make_assignment("jizzakh-city.executor", -20)
    signed_in(client, "jizzakh-city.executor")
    html = client.get(reverse("edms:inbox")).content.decode()
    assert late.document.reg_number in html
    assert "working days overdue" in html


def test_control_counts_and_lists(client: Client) -> None:
    office = Office.objects.get(code="jizzakh-city")
    today = timezone.localdate()
    before = control_assignments(office=office, today=today)[2]  # the demo month's own work
    lawyer = user("jizzakh-city.lawyer")
    lawyer_before = control_assignments(office=office, today=today, executor_id=lawyer.pk)[2]
    make_assignment("jizzakh-city.executor", -10)
    make_assignment("jizzakh-city.executor", -3)
    make_assignment("jizzakh-city.executor", 0)
    make_assignment("jizzakh-city.lawyer", 30)
    make_assignment("jizzakh-city.executor", 5, Assignment.Status.DONE)
    make_assignment("jizzakh-city.executor", -5, Assignment.Status.DONE)
    signed_in(client, "jizzakh-city.controller")
    html = client.get(reverse("edms:control")).content.decode()
    assert f'data-count="overdue">{before.overdue + 2}<' in html
    assert f'data-count="due_today">{before.due_today + 1}<' in html
    assert f'data-count="closed_on_time">{before.closed_on_time + 1}<' in html
    assert f'data-count="closed_late">{before.closed_late + 1}<' in html
    filtered = client.get(reverse("edms:control"), {"executor": lawyer.pk}).content.decode()
    # The executor's two new overdue assignments are not the lawyer's.
    assert f'data-count="overdue">{lawyer_before.overdue}<' in filtered
    signed_in(client, "jizzakh-city.executor")
    assert client.get(reverse("edms:control")).status_code == 403


@pytest.mark.parametrize("name", ["edms:control", "edms:inbox", "edms:documents"])
def test_list_pages_make_the_same_number_of_queries_for_more_rows(
    client: Client, name: str
) -> None:
    signed_in(client, "jizzakh-city.head")
    make_assignment("jizzakh-city.head", -2)
    client.get(reverse(name))  # warm the per-process caches (site, locales)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(name))
    for days in (-9, -8, -7, -1, 1):
        make_assignment("jizzakh-city.head", days)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(name))
    assert len(many) == len(few)


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f5a4d70000000049454e44ae426082"
)


def test_resolution_report_and_acceptance_through_the_card(client: Client) -> None:
    document = registered("jizzakh-city", title="Koʻcha yoritilishi")
    executor = user("jizzakh-city.executor")
    deadline = timezone.localdate() + timedelta(days=10)

    signed_in(client, "jizzakh-city.head")
    card = reverse("edms:document", args=[document.pk])
    assert "Write a resolution" in client.get(card).content.decode()
    client.post(
        reverse("edms:resolution", args=[document.pk]),
        {
            "text": "Oʻrganib, javob tayyorlansin",
            "deadline": deadline.isoformat(),
            "lead_executor": executor.pk,
            "controller": user("jizzakh-city.controller").pk,
        },
    )
    assignment = Assignment.objects.get(document=document)

    signed_in(client, "jizzakh-city.executor")
    assert document.reg_number in client.get(reverse("edms:inbox")).content.decode()
    html = client.get(card).content.decode()
    assert reverse("edms:assignment", args=[assignment.pk, "report"]) in html
    client.post(reverse("edms:assignment", args=[assignment.pk, "report"]), {"text": "Bajarildi"})
    # The executor cannot accept their own report: refused, nothing changes.
    response = client.post(reverse("edms:assignment", args=[assignment.pk, "accept_report"]))
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.REPORTED
    assert response.status_code == 302

    signed_in(client, "jizzakh-city.controller")
    assert "Bajarildi" in client.get(reverse("edms:inbox")).content.decode()
    client.post(reverse("edms:assignment", args=[assignment.pk, "accept_report"]))
    assignment.refresh_from_db()
    document.refresh_from_db()
    assert assignment.status == Assignment.Status.DONE
    assert document.status == Document.Status.DONE
    history = client.get(card).content.decode()
    assert "Resolution written" in history


def test_files_upload_download_and_stay_in_their_office(client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = registered("jizzakh-city")
    signed_in(client, "jizzakh-city.registrar")
    client.post(
        reverse("edms:upload", args=[document.pk]),
        {"file": SimpleUploadedFile("skan.png", PNG_1x1, content_type="image/png")},
    )
    version = document.attachments.get().versions.get()
    response = client.get(reverse("edms:download", args=[version.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_1x1  # type: ignore[attr-defined]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]

    refused = client.post(
        reverse("edms:upload", args=[document.pk]),
        {"file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" * 100)},
        follow=True,
    ).content.decode()
    assert "not an allowed type" in refused
    assert document.attachments.count() == 1

    signed_in(client, "namangan-city.registrar")
    assert client.get(reverse("edms:download", args=[version.pk])).status_code == 404
    assert client.post(reverse("edms:upload", args=[document.pk])).status_code == 404


def namangan_objects() -> dict[str, list[object]]:
    """One of each kind of object in namangan-city, for the URL walk."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from edms.attachments import attachment_add

    document = registered("namangan-city", title="Namangan maxfiy emas")
    version = attachment_add(
        document=document,
        by=user("namangan-city.registrar"),
        upload=SimpleUploadedFile("skan.png", PNG_1x1),
    )
    assignment = Assignment.objects.filter(document__office__code="namangan-city").first()
    assert assignment is not None  # the demo month has some
    outgoing = registered("namangan-city", kind=Journal.Kind.OUTGOING)
    dispatch = Dispatch.objects.create(
        document=outgoing,
        channel=Dispatch.Channel.SYSTEM,
        recipient_office=Office.objects.get(code="zomin"),
        status=Dispatch.Status.DELIVERED,
    )
    on_paper = Dispatch.objects.create(
        document=outgoing,
        channel=Dispatch.Channel.PAPER,
        recipient_name="Fuqaro",
        recipient_address="Namangan sh.",
        status=Dispatch.Status.SENT,
    )
    from edms.approvals import draft_create, route_from_template
    from edms.models import Draft

    namangan = Office.objects.get(code="namangan-city")
    draft = draft_create(
        by=user("namangan-city.registrar"),
        office=namangan,
        kind=Draft.Kind.LETTER,
        title="Namangan loyiha",
        body="Matn",
        route=route_from_template(office=namangan, kind=Draft.Kind.LETTER),
    )
    draft_version = draft.current_version()
    assert draft_version is not None
    step = draft_version.steps.first()
    assert step is not None
    return {
        "draft": [draft.pk],
        "draft_remark": [draft.pk],
        "draft_version": [draft.pk],
        "draft_withdraw": [draft.pk],
        "draft_file": [draft_version.pk, "original"],
        "step": [step.pk, "approve"],
        "step_signature": [step.pk],
        "document": [document.pk],
        "resolution": [document.pk],
        "send": [document.pk],
        "upload": [document.pk],
        "download": [version.pk],
        "assignment": [assignment.pk, "report"],
        "dispatch": [dispatch.pk, "register"],
        "dispatch_print": [on_paper.pk],
    }


def test_every_workspace_url_refuses_another_offices_objects(client: Client) -> None:
    from edms.urls import urlpatterns

    arguments = namangan_objects()
    with_arguments = [str(p.name) for p in urlpatterns if p.pattern.converters]
    # A new URL that takes an object must be added to this walk.
    assert sorted(with_arguments) == sorted(arguments)
    signed_in(client, "jizzakh-city.executor")
    from edms.models import DraftRemark, DraftVersion

    def counts() -> tuple[int, ...]:
        return (
            Assignment.objects.count(),
            Document.objects.count(),
            Dispatch.objects.count(),
            DraftVersion.objects.count(),
            DraftRemark.objects.count(),
            ApprovalStep.objects.exclude(status__in=["pending", "waiting"]).count(),
        )

    before = counts()
    for name, args in arguments.items():
        url = reverse(f"edms:{name}", args=args)
        assert client.get(url).status_code in (403, 404, 405), url
        posted = {"text": "x", "reason": "x", "body": "x", "passphrase": "x", "comment": "x"}
        assert client.post(url, posted).status_code in (403, 404), url
    assert counts() == before
    found = client.get(reverse("edms:documents"), {"q": "Namangan maxfiy emas"})
    assert "No documents found." in found.content.decode()
    assert "Namangan maxfiy emas" not in client.get(reverse("edms:inbox")).content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Укажите срок либо в рабочих днях, либо датой, но не то и другое вместе."),
        ("uz", "Muddatni ish kunlarida yoki sana bilan koʻrsating, ikkalasini birga emas."),
        ("uz-cyrl", "Муддатни иш кунларида ёки сана билан кўрсатинг, иккаласини бирга эмас."),
    ],
)
def test_registration_errors_speak_the_users_language(
    client: Client, language: str, message: str
) -> None:
    signed_in(client, "jizzakh-city.registrar")
    client.cookies["language"] = language
    journal = Journal.objects.get(office__code="jizzakh-city", kind=Journal.Kind.INCOMING)
    html = client.post(
        reverse("edms:register"),
        {
            "journal": journal.pk,
            "title": "Xat",
            "channel": Document.Channel.PAPER,
            "deadline_working_days": 5,
            "due_date": "2030-01-10",
        },
    ).content.decode()
    assert message in html


def test_the_header_counts_what_waits_for_me(client: Client) -> None:
    from edms.selectors import waiting_count

    signed_in(client, "jizzakh-city.lawyer")
    count = waiting_count(user("jizzakh-city.lawyer"))
    make_assignment("jizzakh-city.lawyer", 5)
    html = client.get(reverse("edms:inbox")).content.decode()
    assert f'data-waiting title="Waiting for you">{count + 1}<' in html
    # Done work is not waiting.
    make_assignment("jizzakh-city.lawyer", 5, status=Assignment.Status.DONE)
    assert waiting_count(user("jizzakh-city.lawyer")) == count + 1
