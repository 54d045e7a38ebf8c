"""Drafts on their approval route: visas, rejections, remarks, new versions, the final signature.

A draft's route is a list of steps for its current version: visas in order (steps sharing a
``position`` run in parallel), then one signature. Only the steps of the lowest unfinished
position are pending, each with a deadline in working days. A visa is a signature: it is
appended to the version's signed PDF (or, for a file that is not a PDF, is a detached ``.p7s``
of its own). A rejection returns the draft to its author, who makes a new version, and the
route starts again with the same people. The final signature registers the document in the
outgoing journal, puts the number and date in the visible stamp, attaches the signed file and
sends ``draft_signed`` (the intake closes a citizen's application on it).

Every change locks the draft row first, so parallel approvers append their signatures one
after the other and never to the same bytes. The passphrase only opens the key
(``edms.signing.keys.signing_identity``) and goes nowhere else.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.site import absolute_url
from edms.access import (
    can_view_document,
    documents_visible_to,
    has_role,
    staff_position,
    user_office,
)
from edms.assignments import OPEN_STATUSES
from edms.attachments import attachment_add, upload_check
from edms.audit import Action, audit_record
from edms.calendar import add_working_days
from edms.codes import format_code, new_code
from edms.letterhead import STAMP_BOX, LetterData, letter_pdf
from edms.models import (
    ApprovalStep,
    Assignment,
    Attachment,
    Document,
    Draft,
    DraftRemark,
    DraftVersion,
    Journal,
    Office,
    Position,
    RouteTemplate,
)
from edms.registration import document_register
from edms.roles import Role
from edms.signing.certificates import Identity
from edms.signing.detached import detached_sign
from edms.signing.keys import signing_identity
from edms.signing.pades import pdf_check_signable, pdf_sign
from edms.signing.stamp import Stamp

# Sent inside the final signature's transaction: ``draft`` (signed, with ``result_document``)
# and ``by``. A receiver that raises undoes the signature and the registration.
draft_signed = Signal()

FINISHED = {ApprovalStep.Status.APPROVED, ApprovalStep.Status.SIGNED}
# The letterhead and the stamp are parts of the official document: in the state language,
# whatever language the author's or signer's interface speaks.
DOCUMENT_LANGUAGE = "uz"


@dataclass(frozen=True)
class RouteStep:
    position: int
    kind: str
    approver: User
    days: int = 2


def person_name(user: User) -> str:
    position = staff_position(user)
    return position.full_name if position else (user.get_full_name() or user.get_username())


def person_title(user: User) -> str:
    position = staff_position(user)
    return position.title if position else ""


# --- who may do what -------------------------------------------------------------------------


def can_prepare_draft(user: User, document: Document | None, office: Office | None) -> bool:
    """The head, the chancellery and executors with open work on the document prepare answers;
    any member of an office's staff prepares a letter of their own office."""
    if document is None:
        return office is not None and user_office(user) == office
    if not can_view_document(user, document) or user_office(user) != document.office:
        return False
    if any(has_role(user, role, document.office) for role in (Role.HEAD, Role.REGISTRAR)):
        return True
    return Assignment.objects.filter(
        document=document, executor=user, status__in=OPEN_STATUSES
    ).exists()


def drafts_visible_to(user: User) -> QuerySet[Draft]:
    """The author, the people on its route, and the office's head and chancellery see a draft."""
    office = user_office(user)
    if getattr(user, "is_superuser", False):
        return Draft.objects.all()
    if office is None:
        return Draft.objects.none()
    drafts = Draft.objects.filter(office=office)
    on_it = Q(author=user) | Q(steps__approver=user)
    if any(has_role(user, role, office) for role in (Role.HEAD, Role.REGISTRAR)):
        # Not an answer to a confidential document they are not on.
        seen = Q(reply_to__isnull=True) | Q(reply_to__in=documents_visible_to(user))
        return drafts.filter(on_it | seen).distinct()
    return drafts.filter(on_it).distinct()


def _share_confidential(draft: Draft, route: Sequence[RouteStep]) -> None:
    """The people on the route of an answer to a confidential document must read it."""
    if draft.reply_to is not None and draft.reply_to.is_confidential:
        draft.reply_to.participants.add(draft.author, *(step.approver for step in route))


# --- routes ----------------------------------------------------------------------------------


def route_from_template(*, office: Office, kind: str) -> list[RouteStep]:
    """The office's default route for this kind of draft, with a person on every step."""
    template = (
        RouteTemplate.objects.filter(office=office, kind=kind)
        .order_by("-is_default", "name")
        .prefetch_related("steps")
        .first()
    )
    if template is None:
        return []
    route = []
    for step in template.steps.all():
        person = step.person or _holder(office, step.role)
        if person is not None:
            route.append(RouteStep(step.position, step.kind, person, step.days))
    return route


def _holder(office: Office, role: str) -> User | None:
    if role == Role.HEAD:
        head = office.head_position()
        return head.user if head else None
    position = (
        Position.objects.select_related("user")
        .filter(office=office, user__is_active=True, user__groups__name=role)
        .order_by("-is_lead", "pk")
        .first()
    )
    return position.user if position else None


def route_check(route: Sequence[RouteStep], *, office: Office) -> None:
    """A route ends with exactly one signature, after every visa, by staff of the office."""
    signatures = [step for step in route if step.kind == ApprovalStep.Kind.SIGNATURE]
    if len(signatures) != 1:
        raise ValidationError(_("The route needs exactly one signer."), code="route_signer")
    visas = [step for step in route if step.kind == ApprovalStep.Kind.VISA]
    if any(step.position >= signatures[0].position for step in visas):
        raise ValidationError(_("The signer comes after every approver."), code="route_order")
    people = [step.approver.pk for step in route]
    if len(people) != len(set(people)):
        raise ValidationError(_("Each person appears on the route once."), code="route_twice")
    for step in route:
        if user_office(step.approver) != office or not step.approver.is_active:
            raise ValidationError(
                _("%(name)s is not on the staff of this office.")
                % {"name": person_name(step.approver)},
                code="route_outsider",
            )
        if step.days < 1:
            raise ValidationError(_("Each step needs at least one working day."), code="days")


def _route_start(draft: Draft, version: DraftVersion, route: Sequence[RouteStep]) -> None:
    _share_confidential(draft, route)
    ApprovalStep.objects.bulk_create(
        ApprovalStep(
            draft=draft,
            version=version,
            position=step.position,
            kind=step.kind,
            approver=step.approver,
            days=step.days,
        )
        for step in route
    )
    draft.status = Draft.Status.ON_ROUTE
    draft.save(update_fields=["status"])
    _advance(draft, version)


def _advance(draft: Draft, version: DraftVersion) -> None:
    """Make the next group of steps pending once every step before it is finished."""
    steps = list(version.steps.order_by("position", "pk"))
    open_steps = [step for step in steps if step.status not in FINISHED]
    if not open_steps:
        return
    position = open_steps[0].position
    today = timezone.localdate()
    for step in open_steps:
        if step.position == position and step.status == ApprovalStep.Status.WAITING:
            step.status = ApprovalStep.Status.PENDING
            step.deadline = add_working_days(today, step.days, office=draft.office)
            step.save(update_fields=["status", "deadline"])


def version_steps(version: DraftVersion) -> list[ApprovalStep]:
    return list(version.steps.select_related("approver").order_by("position", "pk"))


def current_route(draft: Draft) -> list[ApprovalStep]:
    version = draft.current_version()
    if version is None:
        return []
    return list(version.steps.select_related("approver", "certificate").order_by("position", "pk"))


# --- drafts and versions ---------------------------------------------------------------------


def _version_file(
    *, draft: Draft, route: Sequence[RouteStep], upload: UploadedFile | None
) -> tuple[bytes, str, str, bool]:
    """The version's bytes, file name and type: the upload, or the letterhead template."""
    if upload is not None:
        checked = upload_check(upload=upload)
        upload.seek(0)
        data = upload.read()
        if checked.content_type == "application/pdf":
            pdf_check_signable(data, name=checked.name)
        return data, checked.name, checked.content_type, False
    if not draft.body.strip():
        raise ValidationError(
            _("Write the text of the letter, or upload its file."), code="body_required"
        )
    signer = next(step.approver for step in route if step.kind == ApprovalStep.Kind.SIGNATURE)
    office = draft.office
    contacts = " · ".join(part for part in (office.phone, office.email) if part)
    with translation.override(DOCUMENT_LANGUAGE):
        return _letterhead(draft, office, contacts, signer)


def _letterhead(
    draft: Draft, office: Office, contacts: str, signer: User
) -> tuple[bytes, str, str, bool]:
    pdf = letter_pdf(
        LetterData(
            office_name=office.name,
            office_address=office.address,
            office_contacts=contacts,
            addressee=draft.correspondent_name
            or (draft.correspondent_office.name if draft.correspondent_office else ""),
            subject=draft.title,
            body=draft.body,
            signer_position=person_title(signer),
            signer_name=person_name(signer),
            made_at=timezone.now(),
        )
    )
    return pdf, _("letter") + ".pdf", "application/pdf", True


def _version_create(
    *, draft: Draft, by: User, route: Sequence[RouteStep], upload: UploadedFile | None
) -> DraftVersion:
    data, name, content_type, from_template = _version_file(draft=draft, route=route, upload=upload)
    last = draft.versions.aggregate(last=Max("number"))["last"] or 0
    version = DraftVersion(
        draft=draft,
        number=last + 1,
        original_name=name,
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
        from_template=from_template,
        created_by=by,
    )
    version.file.save(name, ContentFile(data), save=False)
    version.save()
    return version


def draft_create(
    *,
    by: User,
    office: Office,
    kind: str,
    title: str,
    route: Sequence[RouteStep],
    body: str = "",
    reply_to: Document | None = None,
    correspondent_name: str = "",
    correspondent_office: Office | None = None,
    outcome: str = "",
    upload: UploadedFile | None = None,
) -> Draft:
    """A draft with its version 1, already on its route."""
    if not can_prepare_draft(by, reply_to, office):
        raise PermissionDenied(_("You cannot prepare an answer to this document."))
    route_check(route, office=office)
    if kind == Draft.Kind.ANSWER and outcome not in Draft.Outcome.values:
        raise ValidationError(_("Choose the decision."), code="outcome")
    if outcome == Draft.Outcome.REFUSED and not body.strip():
        raise ValidationError(
            _("Give the reason for the refusal in the text."), code="reason_required"
        )
    with transaction.atomic():
        draft = Draft.objects.create(
            office=office,
            kind=kind,
            reply_to=reply_to,
            title=title.strip(),
            body=body.strip(),
            correspondent_name=correspondent_name.strip(),
            correspondent_office=correspondent_office,
            outcome=outcome,
            author=by,
        )
        version = _version_create(draft=draft, by=by, route=route, upload=upload)
        _route_start(draft, version, route)
        audit_record(
            actor=by,
            action=Action.DRAFT,
            obj=draft,
            office_code=office.code,
            details={"title": draft.title, "version": version.number},
        )
        return draft


def draft_new_version(
    *, draft: Draft, by: User, body: str | None = None, upload: UploadedFile | None = None
) -> DraftVersion:
    """The author's next version after a rejection; the route starts again."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if draft.author_id != by.pk:
            raise PermissionDenied(_("Only the author makes a new version."))
        if draft.status not in (Draft.Status.RETURNED, Draft.Status.ON_ROUTE):
            raise ValidationError(_("This draft can no longer change."), code="closed")
        previous = draft.current_version()
        assert previous is not None
        route = [
            RouteStep(step.position, step.kind, step.approver, step.days)
            for step in previous.steps.select_related("approver").order_by("position", "pk")
        ]
        previous.steps.exclude(status__in=FINISHED | {ApprovalStep.Status.REJECTED}).update(
            status=ApprovalStep.Status.SKIPPED
        )
        if body is not None:
            draft.body = body.strip()
            draft.save(update_fields=["body"])
        version = _version_create(draft=draft, by=by, route=route, upload=upload)
        _route_start(draft, version, route)
        audit_record(
            actor=by,
            action=Action.DRAFT_VERSION,
            obj=draft,
            office_code=draft.office.code,
            details={"version": version.number},
        )
        return version


# --- decisions on a step ---------------------------------------------------------------------


def _locked_turn(step: ApprovalStep, by: User, kind: str) -> tuple[Draft, ApprovalStep]:
    """The draft and the step, locked, once it is ``by``'s turn on the current version."""
    draft = Draft.objects.select_for_update().get(pk=step.draft_id)
    step = ApprovalStep.objects.select_for_update().select_related("version").get(pk=step.pk)
    if step.approver_id != by.pk:
        raise PermissionDenied(_("This step is not yours."))
    current = draft.current_version()
    if (
        draft.status != Draft.Status.ON_ROUTE
        or step.status != ApprovalStep.Status.PENDING
        or current is None
        or step.version_id != current.pk
    ):
        raise ValidationError(
            _("This step is no longer waiting for you (someone decided first)."),
            code="not_pending",
        )
    if step.kind != kind:
        raise ValidationError(_("This step is not a %(kind)s.") % {"kind": step.get_kind_display()})
    return draft, step


def _signed_bytes(version: DraftVersion) -> bytes:
    stored = version.signed_file or version.file
    with stored.open("rb") as handle:
        return handle.read()


def _sign(
    *,
    draft: Draft,
    step: ApprovalStep,
    identity: Identity,
    reason: str,
    stamp: Stamp | None = None,
) -> bytes:
    """Append this step's signature: to the version's PDF, or as a ``.p7s`` of its own."""
    version = step.version
    if version.is_pdf:
        signed = pdf_sign(
            _signed_bytes(version),
            identity=identity,
            reason=reason,
            location=draft.office.name_uz,
            field_name=f"{step.get_kind_display()} {step.pk}"[:60].replace(".", ""),
            stamp=stamp,
        )
        version.signed_sha256 = hashlib.sha256(signed).hexdigest()
        version.signed_file.save(f"{version.sha256}.pdf", ContentFile(signed), save=False)
        version.save(update_fields=["signed_file", "signed_sha256"])
        return signed
    with version.file.open("rb") as handle:
        signature = detached_sign(handle.read(), identity=identity)
    step.detached_signature.save(f"{step.pk}.p7s", ContentFile(signature), save=False)
    return signature


def step_approve(
    *, step: ApprovalStep, by: User, passphrase: str, comment: str = ""
) -> ApprovalStep:
    """A visa: ``by`` signs the current version, and the route moves on when the group is done."""
    with transaction.atomic():
        draft, step = _locked_turn(step, by, ApprovalStep.Kind.VISA)
        row, identity = signing_identity(user=by, passphrase=passphrase)
        _sign(draft=draft, step=step, identity=identity, reason=_("Approved (visa)"))
        step.status = ApprovalStep.Status.APPROVED
        step.comment = comment.strip()
        step.decided_at = timezone.now()
        step.certificate = row
        step.save(
            update_fields=["status", "comment", "decided_at", "certificate", "detached_signature"]
        )
        _advance(draft, step.version)
        audit_record(
            actor=by,
            action=Action.VISA,
            obj=draft,
            office_code=draft.office.code,
            details={"version": step.version.number, "certificate": row.serial},
        )
        return step


def step_reject(*, step: ApprovalStep, by: User, comment: str) -> ApprovalStep:
    """The draft goes back to its author with the comment; the rest of the route stops."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what must change."), code="comment_required")
    with transaction.atomic():
        draft, step = _locked_turn(step, by, step.kind)
        step.status = ApprovalStep.Status.REJECTED
        step.comment = comment
        step.decided_at = timezone.now()
        step.save(update_fields=["status", "comment", "decided_at"])
        step.version.steps.filter(
            status__in=[ApprovalStep.Status.WAITING, ApprovalStep.Status.PENDING]
        ).update(status=ApprovalStep.Status.SKIPPED)
        draft.status = Draft.Status.RETURNED
        draft.save(update_fields=["status"])
        audit_record(
            actor=by,
            action=Action.DRAFT_REJECT,
            obj=draft,
            office_code=draft.office.code,
            details={"version": step.version.number},
        )
        return step


def draft_withdraw(*, draft: Draft, by: User) -> Draft:
    """The author takes back a draft not signed yet; its pending steps are not needed."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if draft.author_id != by.pk:
            raise PermissionDenied(_("Only the author withdraws a draft."))
        if draft.status in (Draft.Status.SIGNED, Draft.Status.WITHDRAWN):
            raise ValidationError(_("This draft can no longer change."), code="closed")
        draft.steps.filter(
            status__in=[ApprovalStep.Status.WAITING, ApprovalStep.Status.PENDING]
        ).update(status=ApprovalStep.Status.SKIPPED)
        draft.status = Draft.Status.WITHDRAWN
        draft.save(update_fields=["status"])
        audit_record(
            actor=by, action=Action.DRAFT_WITHDRAW, obj=draft, office_code=draft.office.code
        )
        return draft


def draft_remark(*, draft: Draft, by: User, text: str) -> DraftRemark:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write the remark."), code="remark_required")
    if not drafts_visible_to(by).filter(pk=draft.pk).exists():
        raise PermissionDenied
    version = draft.current_version()
    assert version is not None
    remark = DraftRemark.objects.create(draft=draft, version=version, author=by, text=text)
    audit_record(
        actor=by,
        action=Action.REMARK,
        obj=draft,
        office_code=draft.office.code,
        details={"version": version.number},
    )
    return remark


def verification_url(code: str) -> str:
    path = reverse("verify", kwargs={"code": code})
    return absolute_url(path)


def step_sign(*, step: ApprovalStep, by: User, passphrase: str) -> Draft:
    """The final signature: register, stamp, sign, attach, and tell whoever waits for it."""
    with transaction.atomic():
        draft, step = _locked_turn(step, by, ApprovalStep.Kind.SIGNATURE)
        row, identity = signing_identity(user=by, passphrase=passphrase)
        journal = Journal.objects.filter(
            office=draft.office, kind=Journal.Kind.OUTGOING, is_active=True
        ).first()
        if journal is None:
            raise ValidationError(_("The office has no journal for outgoing documents."))
        author_position = staff_position(draft.author)
        document = document_register(
            journal=journal,
            kind=Document.Kind.OUTGOING,
            title=draft.title,
            summary=draft.body,
            channel=Document.Channel.CREATED,
            correspondent_kind=(
                Document.CorrespondentKind.OFFICE
                if draft.correspondent_office
                else Document.CorrespondentKind.PERSON
                if draft.kind == Draft.Kind.ANSWER
                else Document.CorrespondentKind.ORGANISATION
            ),
            correspondent_name=draft.correspondent_name,
            correspondent_office=draft.correspondent_office,
            department=author_position.department if author_position else None,
            is_confidential=bool(draft.reply_to and draft.reply_to.is_confidential),
            reply_to=draft.reply_to,
            by=by,
        )
        if document.is_confidential:
            people = [draft.author, *(s.approver for s in version_steps(step.version))]
            document.participants.add(*people)
        now = timezone.now()
        code = new_code()
        local = timezone.localtime(now)
        with translation.override(DOCUMENT_LANGUAGE):
            stamp = Stamp(
                heading=_("Signed with a digital signature"),
                lines=(
                    person_name(by),
                    person_title(by),
                    local.strftime("%d.%m.%Y %H:%M"),
                    _("Certificate %(serial)s") % {"serial": row.serial},
                    _("No. %(number)s of %(date)s")
                    % {
                        "number": document.reg_number,
                        "date": document.reg_date.strftime("%d.%m.%Y"),
                    },
                    _("Check: %(code)s") % {"code": format_code(code)},
                ),
                qr_url=verification_url(code),
                box=STAMP_BOX,
            )
        signed = _sign(draft=draft, step=step, identity=identity, reason=_("Signed"), stamp=stamp)
        version = step.version
        if version.is_pdf:
            main = SimpleUploadedFile(
                f"{document.reg_number.replace('/', '-')}.pdf", signed, "application/pdf"
            )
            attachment_add(
                document=document, by=by, upload=main, role=Attachment.Role.MAIN, title=draft.title
            )
        else:
            with version.file.open("rb") as handle:
                original = SimpleUploadedFile(version.original_name, handle.read())
            attachment_add(document=document, by=by, upload=original, role=Attachment.Role.MAIN)
        step.status = ApprovalStep.Status.SIGNED
        step.decided_at = now
        step.certificate = row
        step.save(update_fields=["status", "decided_at", "certificate", "detached_signature"])
        draft.status = Draft.Status.SIGNED
        draft.signed_at = now
        draft.result_document = document
        draft.verification_code = code
        draft.save(update_fields=["status", "signed_at", "result_document", "verification_code"])
        audit_record(
            actor=by,
            action=Action.SIGN,
            obj=draft,
            office_code=draft.office.code,
            details={"number": document.reg_number, "certificate": row.serial},
        )
        draft_signed.send(sender=Draft, draft=draft, by=by)
        return draft
