"""Drafts, their versions and their approval routes.

An answer or an outgoing letter starts as a ``Draft``: a PDF made from the office's letterhead
template or an uploaded file, kept as ``DraftVersion`` 1, 2, … Its route is a list of
``ApprovalStep`` rows for the current version: approvers in order (steps with the same
``position`` form a parallel group, e.g. the lawyer and the deputy at once), then the signer.
A visa is a signature too, each appended to the version's signed PDF. A rejection sends the
draft back to its author; a new version restarts the route. The final signature registers the
document in the outgoing journal (or decides the citizen's application).

``RouteTemplate`` rows (per office and kind of draft) prefill a route.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from edms.models.documents import Document
from edms.models.organisation import Office
from edms.roles import Role


class Draft(models.Model):
    class Kind(models.TextChoices):
        LETTER = "letter", _("Outgoing letter")
        ANSWER = "answer", _("Answer to a citizen's application")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        ANSWERED = "answered", _("Answered")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Being prepared")
        ON_ROUTE = "on_route", _("On the approval route")
        RETURNED = "returned", _("Returned to the author")
        SIGNED = "signed", _("Signed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="drafts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reply_to = models.ForeignKey(
        Document,
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="drafts",
    )
    title = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("text"), blank=True)
    correspondent_name = models.CharField(_("addressee"), max_length=255, blank=True)
    correspondent_office = models.ForeignKey(
        Office,
        verbose_name=_("addressee office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # For an answer to an application: what the decision says.
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="drafts_written",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PREPARING
    )
    result_document = models.OneToOneField(
        Document,
        verbose_name=_("registered as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_draft",
    )
    # Printed in the signature stamp's QR code: ``/verify/<code>/`` checks the signed file.
    verification_code = models.CharField(
        _("verification code"), max_length=16, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> "DraftVersion | None":
        return self.versions.order_by("-number").first()


def draft_upload_to(instance: "DraftVersion", filename: str) -> str:
    return f"drafts/{instance.sha256[:2]}/{instance.sha256}"


def signed_upload_to(instance: "DraftVersion", filename: str) -> str:
    return f"drafts/signed/{instance.signed_sha256[:2]}/{instance.signed_sha256}"


class DraftVersion(models.Model):
    draft = models.ForeignKey(
        Draft, verbose_name=_("draft"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=draft_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    from_template = models.BooleanField(_("made from the letterhead template"), default=False)
    # The PDF with every signature given so far appended (visas, then the final signature).
    signed_file = models.FileField(
        _("signed file"), upload_to=signed_upload_to, max_length=255, blank=True
    )
    signed_sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        ordering = ["draft", "number"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "number"], name="one_draft_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.draft} v{self.number}"

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


def detached_upload_to(instance: "ApprovalStep", filename: str) -> str:
    return f"drafts/p7s/{instance.draft_id}/{instance.pk or 'new'}-{filename}"


class ApprovalStep(models.Model):
    class Kind(models.TextChoices):
        VISA = "visa", _("Approval (visa)")
        SIGNATURE = "signature", _("Signature")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for earlier steps")
        PENDING = "pending", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SIGNED = "signed", _("Signed")
        SKIPPED = "skipped", _("Not needed any more")

    draft = models.ForeignKey(
        Draft, verbose_name=_("draft"), on_delete=models.CASCADE, related_name="steps"
    )
    version = models.ForeignKey(
        DraftVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="steps"
    )
    # Steps with the same position are a parallel group; the route goes by ascending position.
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        related_name="approval_steps",
    )
    days = models.PositiveSmallIntegerField(_("working days"), default=2)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.WAITING
    )
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    certificate = models.ForeignKey(
        "edms.SigningCertificate",
        verbose_name=_("certificate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # For a file that is not a PDF, each signature is a detached CMS (.p7s) of its own.
    detached_signature = models.FileField(
        _("detached signature"), upload_to=detached_upload_to, max_length=255, blank=True
    )

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["draft", "version", "position", "pk"]
        indexes = [models.Index(fields=["approver", "status"], name="approval_step_inbox")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.approver}"


class DraftRemark(models.Model):
    """A remark on a version that neither approves nor rejects it."""

    draft = models.ForeignKey(
        Draft, verbose_name=_("draft"), on_delete=models.CASCADE, related_name="remarks"
    )
    version = models.ForeignKey(
        DraftVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="remarks"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("remark"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("remark")
        verbose_name_plural = _("remarks")
        ordering = ["draft", "created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class RouteTemplate(ClusterableModel):
    """A route to start from, per office and kind of draft (edited in the admin)."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="route_templates"
    )
    kind = models.CharField(_("kind of draft"), max_length=16, choices=Draft.Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    is_default = models.BooleanField(_("used by default for this kind"), default=True)

    class Meta:
        verbose_name = _("approval route template")
        verbose_name_plural = _("approval route templates")
        ordering = ["office", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class RouteTemplateStep(models.Model):
    template = ParentalKey(RouteTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(
        _("order"), help_text=_("Steps with the same order approve at the same time.")
    )
    kind = models.CharField(
        _("step"),
        max_length=16,
        choices=ApprovalStep.Kind.choices,
        default=ApprovalStep.Kind.VISA,
    )
    role = models.CharField(
        _("role"),
        max_length=32,
        choices=Role.choices,
        blank=True,
        help_text=_("Whoever holds this role in the office, when no person is chosen."),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    days = models.PositiveSmallIntegerField(_("working days"), default=2)

    class Meta:
        verbose_name = _("route template step")
        verbose_name_plural = _("route template steps")
        ordering = ["template", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.person or self.get_role_display()}"
