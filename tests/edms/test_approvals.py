"""Drafts on their approval route: visas, parallel groups, rejection and new versions, the final
signature that registers the letter or decides the application, and what a wrong passphrase,
an expired or a revoked certificate do."""

import io
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from edms.approvals import (
    RouteStep,
    draft_create,
    draft_new_version,
    draft_remark,
    route_from_template,
    step_approve,
    step_reject,
    step_sign,
)
from edms.assignments import resolution_write
from edms.calendar import add_working_days
from edms.demo_signing import DEMO_SIGNING_PASSPHRASE
from edms.models import ApprovalStep, Document, Draft, Journal, JournalCounter, Office
from edms.signing.certificates import certificate_issue, pkcs12_export
from edms.signing.keys import (
    certificate_revoke,
    certificate_store,
    current_certificate,
    demo_authority,
)
from edms.signing.trust import trust_roots
from edms.signing.verification import detached_signatures, pdf_signatures, verdict
from intake.models import Application, OutboxMessage
from intake.selectors import application_status
from tests.edms.factories import registered, user
from tests.intake.factories import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PASS = DEMO_SIGNING_PASSPHRASE


def office(code: str = "jizzakh-city") -> Office:
    return Office.objects.get(code=code)


def letter(author: str = "jizzakh-city.registrar", **overrides: object) -> Draft:
    """An outgoing letter on the demo route: lawyer and deputy at once, then the head."""
    where = office()
    values: dict[str, object] = {
        "by": user(author),
        "office": where,
        "kind": Draft.Kind.LETTER,
        "title": "Obodonlashtirish ishlari toʻgʻrisida",
        "body": "Hurmatli hamkasblar!\n\nMahalla yoʻllarini taʻmirlash rejasi ilova qilinadi.",
        "correspondent_name": "Viloyat yoʻl xoʻjaligi boshqarmasi",
        "route": route_from_template(office=where, kind=Draft.Kind.LETTER),
    }
    values.update(overrides)
    return draft_create(**values)  # type: ignore[arg-type]


def step_of(draft: Draft, username: str) -> ApprovalStep:
    version = draft.current_version()
    assert version is not None
    return version.steps.get(approver=user(username))


def statuses(draft: Draft) -> dict[str, str]:
    version = draft.current_version()
    assert version is not None
    return {s.approver.username.split(".")[1]: s.status for s in version.steps.all()}


def outgoing_used() -> int:
    journal = Journal.objects.get(office=office(), kind=Journal.Kind.OUTGOING)
    counter = JournalCounter.objects.filter(journal=journal).first()
    return counter.last_number if counter else 0


def test_the_demo_route_runs_visas_in_parallel_then_the_signature(client: Client) -> None:
    draft = letter()
    assert draft.status == Draft.Status.ON_ROUTE
    assert statuses(draft) == {"lawyer": "pending", "deputy": "pending", "head": "waiting"}
    lawyer_step = step_of(draft, "jizzakh-city.lawyer")
    assert lawyer_step.deadline == add_working_days(timezone.localdate(), 2)

    with pytest.raises(ValidationError, match="no longer waiting"):
        step_sign(
            step=step_of(draft, "jizzakh-city.head"), by=user("jizzakh-city.head"), passphrase=PASS
        )

    step_approve(step=lawyer_step, by=user("jizzakh-city.lawyer"), passphrase=PASS, comment="OK")
    assert statuses(draft)["head"] == "waiting"  # the deputy has not approved yet
    step_approve(
        step=step_of(draft, "jizzakh-city.deputy"), by=user("jizzakh-city.deputy"), passphrase=PASS
    )
    assert statuses(draft)["head"] == "pending"

    signed = step_sign(
        step=step_of(draft, "jizzakh-city.head"), by=user("jizzakh-city.head"), passphrase=PASS
    )
    assert signed.status == Draft.Status.SIGNED
    document = signed.result_document
    assert document is not None
    assert document.kind == Document.Kind.OUTGOING
    assert document.journal.kind == Journal.Kind.OUTGOING
    assert document.correspondent_name == "Viloyat yoʻl xoʻjaligi boshqarmasi"
    main = document.attachments.get(role="main").current_version()
    assert main is not None
    data = main.file.read()

    reports = pdf_signatures(data, trust_roots=trust_roots())
    assert [r.signer for r in reports] == [
        reports[0].signer,
        reports[1].signer,
        "Baxtiyor Rahimov",
    ]
    assert {reports[0].signer, reports[1].signer} == {"Malika Yusupova", "Shuhrat Ahmedov"}
    assert all(r.intact and r.trusted and r.valid_at_signing for r in reports)
    assert not any(r.modified_after for r in reports)
    assert verdict(reports) == "valid"
    # The final signature has its visible stamp (an appearance stream on its widget).
    assert data.count(b"/Subtype /Image") + data.count(b"/Subtype/Image") >= 1

    # The stamp's QR code leads anyone to the office's signed copy, checked.
    assert signed.verification_code
    check = client.get(reverse("verify", args=[signed.verification_code]))
    html = check.content.decode()
    assert check.status_code == 200
    assert 'data-verdict="valid"' in html
    assert document.reg_number in html
    assert main.sha256 in html


def test_a_rejection_returns_the_draft_and_a_new_version_restarts_the_route() -> None:
    draft = letter()
    step_approve(
        step=step_of(draft, "jizzakh-city.deputy"), by=user("jizzakh-city.deputy"), passphrase=PASS
    )
    with pytest.raises(ValidationError, match="Say what must change"):
        step_reject(
            step=step_of(draft, "jizzakh-city.lawyer"), by=user("jizzakh-city.lawyer"), comment=" "
        )
    step_reject(
        step=step_of(draft, "jizzakh-city.lawyer"),
        by=user("jizzakh-city.lawyer"),
        comment="Qonunga havola qoʻshing.",
    )
    draft.refresh_from_db()
    assert draft.status == Draft.Status.RETURNED
    assert statuses(draft) == {"lawyer": "rejected", "deputy": "approved", "head": "skipped"}

    with pytest.raises(PermissionDenied):
        draft_new_version(draft=draft, by=user("jizzakh-city.lawyer"), body="Boshqa matn")
    version = draft_new_version(
        draft=draft, by=user("jizzakh-city.registrar"), body="Yangi matn, qonunga havola bilan."
    )
    draft.refresh_from_db()
    assert version.number == 2
    assert draft.status == Draft.Status.ON_ROUTE
    # The route starts again: the deputy's visa on version 1 does not count for version 2.
    assert statuses(draft) == {"lawyer": "pending", "deputy": "pending", "head": "waiting"}
    assert not version.signed_file


def test_a_remark_neither_approves_nor_rejects() -> None:
    draft = letter()
    draft_remark(draft=draft, by=user("jizzakh-city.lawyer"), text="2-xatboshini qisqartiring.")
    assert statuses(draft)["lawyer"] == "pending"
    with pytest.raises(ValidationError):
        draft_remark(draft=draft, by=user("jizzakh-city.lawyer"), text="  ")
    with pytest.raises(PermissionDenied):
        draft_remark(draft=draft, by=user("namangan-city.lawyer"), text="Men ham")


def test_a_wrong_passphrase_signs_nothing_and_uses_no_number() -> None:
    draft = letter()
    for username in ("jizzakh-city.lawyer", "jizzakh-city.deputy"):
        step_approve(step=step_of(draft, username), by=user(username), passphrase=PASS)
    version = draft.current_version()
    assert version is not None
    before_bytes, used = version.signed_sha256, outgoing_used()
    with pytest.raises(ValidationError, match="passphrase is wrong"):
        step_sign(
            step=step_of(draft, "jizzakh-city.head"),
            by=user("jizzakh-city.head"),
            passphrase="x" * 12,
        )
    draft.refresh_from_db()
    version.refresh_from_db()
    assert draft.status == Draft.Status.ON_ROUTE
    assert draft.result_document is None
    assert version.signed_sha256 == before_bytes
    assert statuses(draft)["head"] == "pending"
    assert outgoing_used() == used


def test_an_expired_or_revoked_certificate_cannot_sign() -> None:
    lawyer = user("jizzakh-city.lawyer")
    draft = letter()
    step = step_of(draft, "jizzakh-city.lawyer")
    row = current_certificate(lawyer)
    assert row is not None
    certificate_revoke(row=row, by=user("jizzakh-city.office-admin"), reason="Kalit yoʻqolgan")
    with pytest.raises(ValidationError, match="no valid signing certificate"):
        step_approve(step=step, by=lawyer, passphrase=PASS)

    expired = certificate_issue(
        authority=demo_authority(),
        common_name="Malika Yusupova",
        valid_days=30,
        now=datetime.now(UTC) - timedelta(days=60),
    )
    certificate_store(
        user=lawyer,
        identity=expired,
        key_file=pkcs12_export(expired, passphrase=PASS),
        source="issued",
    )
    assert current_certificate(lawyer) is None
    with pytest.raises(ValidationError, match="no valid signing certificate"):
        step_approve(step=step, by=lawyer, passphrase=PASS)
    assert statuses(draft)["lawyer"] == "pending"


def test_only_the_step_holder_acts_and_routes_stay_in_the_office() -> None:
    draft = letter()
    with pytest.raises(PermissionDenied):
        step_approve(
            step=step_of(draft, "jizzakh-city.lawyer"),
            by=user("jizzakh-city.deputy"),
            passphrase=PASS,
        )
    outsider = [
        RouteStep(1, ApprovalStep.Kind.VISA, user("namangan-city.lawyer")),
        RouteStep(2, ApprovalStep.Kind.SIGNATURE, user("jizzakh-city.head")),
    ]
    with pytest.raises(ValidationError, match="not on the staff of this office"):
        letter(route=outsider)
    with pytest.raises(ValidationError, match="exactly one signer"):
        letter(route=[RouteStep(1, ApprovalStep.Kind.VISA, user("jizzakh-city.lawyer"))])
    with pytest.raises(ValidationError, match="after every approver"):
        letter(
            route=[
                RouteStep(2, ApprovalStep.Kind.VISA, user("jizzakh-city.lawyer")),
                RouteStep(1, ApprovalStep.Kind.SIGNATURE, user("jizzakh-city.head")),
            ]
        )


def test_the_signed_answer_decides_the_application_and_reaches_the_tracking_page(
    client: Client,
) -> None:
    application = submit().application
    head, land_head = user("jizzakh-city.head"), user("jizzakh-city.land-head")
    resolution_write(
        document=application.document,
        by=head,
        text="Koʻrib chiqilsin",
        deadline=add_working_days(application.document.reg_date, 10),
        lead_executor=land_head,
    )
    where = office()
    with pytest.raises(ValidationError, match="reason for the refusal"):
        draft_create(
            by=land_head,
            office=where,
            kind=Draft.Kind.ANSWER,
            title="Javob",
            body="",
            upload=None,
            outcome=Draft.Outcome.REFUSED,
            reply_to=application.document,
            route=route_from_template(office=where, kind=Draft.Kind.ANSWER),
        )
    draft = draft_create(
        by=land_head,
        office=where,
        kind=Draft.Kind.ANSWER,
        title="Yer uchastkasi ajratish toʻgʻrisida qaror",
        body="Arizangiz qanoatlantirildi: yer uchastkasi ajratildi.",
        outcome=Draft.Outcome.GRANTED,
        reply_to=application.document,
        correspondent_name=application.full_name,
        route=route_from_template(office=where, kind=Draft.Kind.ANSWER),
    )
    assert statuses(draft) == {"lawyer": "pending", "head": "waiting"}
    step_approve(
        step=step_of(draft, "jizzakh-city.lawyer"), by=user("jizzakh-city.lawyer"), passphrase=PASS
    )
    step_sign(step=step_of(draft, "jizzakh-city.head"), by=head, passphrase=PASS)

    application.refresh_from_db()
    assert application.outcome == Application.Outcome.GRANTED
    assert application_status(application) == Application.Status.DECIDED
    assert application.result_document is not None
    assert application.result_document.reply_to == application.document
    assert OutboxMessage.objects.filter(key=f"application:{application.pk}:decided").exists()

    html = client.get(reverse("intake:track", args=[application.tracking_code])).content.decode()
    assert "Granted" in html
    result = client.get(reverse("intake:result", args=[application.tracking_code]))
    assert result.status_code == 200
    signed = b"".join(result.streaming_content)  # type: ignore[attr-defined]
    reports = pdf_signatures(signed, trust_roots=trust_roots())
    assert len(reports) == 2
    assert verdict(reports) == "valid"


def test_a_file_that_is_not_a_pdf_gets_detached_signatures() -> None:
    image = io.BytesIO()
    PILImage.new("RGB", (40, 20), "white").save(image, format="PNG")
    upload = SimpleUploadedFile("sxema.png", image.getvalue(), "image/png")
    draft = letter(body="", upload=upload)
    version = draft.current_version()
    assert version is not None
    assert not version.is_pdf
    for username in ("jizzakh-city.lawyer", "jizzakh-city.deputy"):
        step_approve(step=step_of(draft, username), by=user(username), passphrase=PASS)
    step_sign(
        step=step_of(draft, "jizzakh-city.head"), by=user("jizzakh-city.head"), passphrase=PASS
    )
    steps = list(version.steps.all())
    assert len(steps) == 3
    for step in steps:
        reports = detached_signatures(
            image.getvalue(), step.detached_signature.read(), trust_roots=trust_roots()
        )
        assert len(reports) == 1
        assert reports[0].intact
        assert reports[0].trusted
    # The registered letter carries the file itself as its main document.
    draft.refresh_from_db()
    assert draft.result_document is not None
    main = draft.result_document.attachments.get(role="main").current_version()
    assert main is not None
    assert main.sha256 == version.sha256


def test_the_passphrase_is_in_no_log_row_or_task_message(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    draft = letter()
    wrong = "notMyPassphrase-7731"
    for username, passphrase in (
        ("jizzakh-city.lawyer", wrong),
        ("jizzakh-city.lawyer", PASS),
        ("jizzakh-city.deputy", PASS),
        ("jizzakh-city.head", PASS),
    ):
        client.force_login(user(username))
        step = step_of(draft, username)
        action = "sign" if step.kind == ApprovalStep.Kind.SIGNATURE else "approve"
        page = client.post(
            reverse("edms:step", args=[step.pk, action]),
            {"passphrase": passphrase, "comment": ""},
            follow=True,
        )
        assert page.status_code == 200
        assert wrong.encode() not in page.content
        assert PASS.encode() not in page.content
    draft.refresh_from_db()
    assert draft.status == Draft.Status.SIGNED

    for secret in (wrong, PASS):
        assert secret not in caplog.text
        for message in OutboxMessage.objects.all():
            assert secret not in json.dumps(message.payload)
        dump = io.StringIO()
        call_command("dumpdata", "edms", "intake", "auth", stdout=dump)
        assert secret not in dump.getvalue()


def test_the_workspace_shows_drafts_to_approve_and_to_sign(client: Client) -> None:
    draft = letter()
    client.force_login(user("jizzakh-city.lawyer"))
    inbox = client.get(reverse("edms:inbox")).content.decode()
    assert "To approve" in inbox
    assert draft.title in inbox
    page = client.get(reverse("edms:draft", args=[draft.pk])).content.decode()
    assert 'name="passphrase"' in page
    assert "Approve and sign the visa" in page

    client.force_login(user("jizzakh-city.head"))
    assert "To sign" not in client.get(reverse("edms:inbox")).content.decode()
    for username in ("jizzakh-city.lawyer", "jizzakh-city.deputy"):
        step_approve(step=step_of(draft, username), by=user(username), passphrase=PASS)
    inbox = client.get(reverse("edms:inbox")).content.decode()
    assert "To sign" in inbox
    assert draft.title in inbox

    client.force_login(user("namangan-city.head"))
    assert client.get(reverse("edms:draft", args=[draft.pk])).status_code == 404
    client.force_login(user("jizzakh-city.executor"))  # not on it, not head or chancellery
    assert client.get(reverse("edms:draft", args=[draft.pk])).status_code == 404


def test_an_answer_is_prepared_from_the_document_card(client: Client) -> None:
    incoming = registered(office="jizzakh-city")
    client.force_login(user("jizzakh-city.registrar"))
    card = client.get(reverse("edms:document", args=[incoming.pk])).content.decode()
    assert "Prepare an answer" in card
    form = client.get(reverse("edms:draft_new"), {"reply_to": incoming.pk})
    assert form.status_code == 200
    lawyer, deputy, head = (user(f"jizzakh-city.{n}") for n in ("lawyer", "deputy", "head"))
    post = {
        "title": "Javob xati",
        "body": "Matn",
        "correspondent_name": "Tashkilot",
        "route-TOTAL_FORMS": "2",
        "route-INITIAL_FORMS": "0",
        "route-MIN_NUM_FORMS": "0",
        "route-MAX_NUM_FORMS": "10",
        "route-0-position": "1",
        "route-0-approver": str(lawyer.pk),
        "route-0-days": "2",
        "route-1-position": "1",
        "route-1-approver": str(lawyer.pk),
        "route-1-days": "2",
        "signer": str(head.pk),
        "signer_days": "1",
    }
    twice = client.post(f"{reverse('edms:draft_new')}?reply_to={incoming.pk}", post)
    assert twice.status_code == 200
    assert "Each person appears on the route once." in twice.content.decode()
    post["route-1-approver"] = str(deputy.pk)
    made = client.post(f"{reverse('edms:draft_new')}?reply_to={incoming.pk}", post)
    assert made.status_code == 302
    draft = Draft.objects.get(reply_to=incoming)
    assert statuses(draft) == {"lawyer": "pending", "deputy": "pending", "head": "waiting"}


def test_a_revocation_reaches_the_demo_authoritys_list_once_committed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from edms.signing.certificates import pkcs12_open
    from edms.signing.keys import certificate_issue_demo, identity_check
    from edms.signing.trust import revocation_lists
    from edms.signing.verification import certificate_revoked

    holder = user("jizzakh-city.controller")
    row = certificate_issue_demo(user=holder, passphrase=PASS)
    identity = pkcs12_open(bytes(row.pkcs12), passphrase=PASS)
    identity_check(identity)  # signs before
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(row=row, by=None, reason="Xodim ishdan ketdi")
    assert certificate_revoked(identity.certificate, revocation_lists()) is not None
    with pytest.raises(ValidationError, match="revoked"):
        identity_check(identity)


def test_a_long_letter_runs_onto_more_pages_and_the_stamp_sits_on_the_last() -> None:
    from pypdf import PdfReader

    from edms.letterhead import STAMP_BOX

    paragraph = "Mahalla yoʻllarini taʻmirlash boʻyicha ishlar rejasi. " * 12
    draft = letter(body="\n\n".join([paragraph] * 14))
    version = draft.current_version()
    assert version is not None
    pages = len(PdfReader(version.file.open("rb")).pages)
    assert pages >= 2
    for username in ("jizzakh-city.lawyer", "jizzakh-city.deputy"):
        step_approve(step=step_of(draft, username), by=user(username), passphrase=PASS)
    step_sign(
        step=step_of(draft, "jizzakh-city.head"), by=user("jizzakh-city.head"), passphrase=PASS
    )
    version.refresh_from_db()
    reader = PdfReader(version.signed_file.open("rb"))
    assert len(reader.pages) == pages
    widgets = [
        annotation.get_object()
        for annotation in reader.pages[-1].get("/Annots", [])
        if annotation.get_object().get("/FT") == "/Sig"
    ]
    stamped = [w for w in widgets if "/AP" in w and [float(x) for x in w["/Rect"]] != [0, 0, 0, 0]]
    assert len(stamped) == 1
    assert [round(float(x)) for x in stamped[0]["/Rect"]] == list(STAMP_BOX)


def test_the_stamp_wraps_long_lines_and_never_cuts_them() -> None:
    from PIL import ImageDraw, ImageFont

    from edms.signing.stamp import _wrap
    from portal.fonts import FONT_FILES, font_dir

    draw = ImageDraw.Draw(PILImage.new("RGB", (10, 10)))
    font = ImageFont.truetype(str(font_dir() / FONT_FILES[""]), 24)
    serial = "5f3a9c1e2b7d4a8c9e0f1a2b3c4d5e6f7a8b9c0d"
    lines = _wrap(draw, f"Sertifikat {serial}", font, 300)
    assert len(lines) >= 2
    assert all(draw.textlength(line, font=font) <= 300 for line in lines)
    assert "".join(lines).replace("Sertifikat", "") == serial


def test_the_author_withdraws_a_draft_and_nobody_acts_on_it_any_more() -> None:
    from edms.approvals import draft_withdraw

    draft = letter()
    with pytest.raises(PermissionDenied):
        draft_withdraw(draft=draft, by=user("jizzakh-city.lawyer"))
    draft_withdraw(draft=draft, by=user("jizzakh-city.registrar"))
    draft.refresh_from_db()
    assert draft.status == Draft.Status.WITHDRAWN
    assert set(statuses(draft).values()) == {"skipped"}
    with pytest.raises(ValidationError, match="no longer waiting"):
        step_approve(
            step=step_of(draft, "jizzakh-city.lawyer"),
            by=user("jizzakh-city.lawyer"),
            passphrase=PASS,
        )
    with pytest.raises(ValidationError, match="can no longer change"):
        draft_withdraw(draft=draft, by=user("jizzakh-city.registrar"))


def test_an_answer_to_a_confidential_document_stays_with_the_people_on_it() -> None:
    from edms.approvals import drafts_visible_to
    from edms.registration import document_register

    registrar = user("jizzakh-city.registrar")
    secret = document_register(
        journal=Journal.objects.get(office=office(), kind=Journal.Kind.INCOMING),
        kind=Document.Kind.INCOMING,
        title="Maxfiy xat",
        channel=Document.Channel.PAPER,
        is_confidential=True,
        by=registrar,
    )
    draft = letter(reply_to=secret)
    # The people on its route may now read the document they approve an answer to.
    for username in ("jizzakh-city.lawyer", "jizzakh-city.deputy", "jizzakh-city.head"):
        assert secret.participants.filter(username=username).exists()
    assert drafts_visible_to(user("jizzakh-city.head")).filter(pk=draft.pk).exists()
    for username in ("jizzakh-city.lawyer", "jizzakh-city.deputy"):
        step_approve(step=step_of(draft, username), by=user(username), passphrase=PASS)
    signed = step_sign(
        step=step_of(draft, "jizzakh-city.head"), by=user("jizzakh-city.head"), passphrase=PASS
    )
    answer = signed.result_document
    assert answer is not None
    assert answer.is_confidential
    assert set(answer.participants.values_list("username", flat=True)) >= {
        "jizzakh-city.registrar",
        "jizzakh-city.lawyer",
        "jizzakh-city.deputy",
        "jizzakh-city.head",
    }
    # A controller of the office, not on it, sees neither.
    controller = user("jizzakh-city.controller")
    assert not drafts_visible_to(controller).filter(pk=draft.pk).exists()


def test_a_damaged_or_protected_pdf_is_refused_before_it_enters_the_route() -> None:
    from pypdf import PdfWriter

    protected = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("parol")
    writer.write(protected)
    before = Draft.objects.count()
    for name, data in (
        ("himoyalangan.pdf", protected.getvalue()),
        ("buzilgan.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF"),
    ):
        upload = SimpleUploadedFile(name, data, "application/pdf")
        with pytest.raises(ValidationError, match=r"cannot be (read|signed)"):
            letter(body="", upload=upload)
    assert Draft.objects.count() == before
