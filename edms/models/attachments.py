"""Files on documents, with versions.

An ``Attachment`` is one file on a document (the scan, an annex, a report's file, a draft); each
upload makes an ``AttachmentVersion`` N+1 and old versions stay. A version records its SHA-256,
size, the type sniffed from its content, and the text extracted from it for search.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edms.models.documents import Document


def version_upload_to(instance: "AttachmentVersion", filename: str) -> str:
    # Stored by hash, never by the uploader's file name.
    digest = instance.sha256
    return f"edms/{digest[:2]}/{digest[2:4]}/{digest}"


class Attachment(models.Model):
    class Role(models.TextChoices):
        MAIN = "main", _("Main document")
        ANNEX = "annex", _("Annex")
        REPORT = "report", _("Report file")
        DRAFT = "draft", _("Draft")

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="attachments"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.ANNEX)
    title = models.CharField(_("title"), max_length=255)
    report = models.ForeignKey(
        "edms.AssignmentReport",
        verbose_name=_("report"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["document", "created_at"]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> "AttachmentVersion | None":
        return self.versions.order_by("-number").first()


class AttachmentVersion(models.Model):
    attachment = models.ForeignKey(
        Attachment, verbose_name=_("attachment"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    text = models.TextField(_("extracted text"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment version")
        verbose_name_plural = _("attachment versions")
        ordering = ["attachment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["attachment", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"
