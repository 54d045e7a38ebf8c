"""Dispatches: an outgoing document on its way to an addressee.

To an office on the system the dispatch arrives in that office's registry as a pending incoming
item; their registrar registers it (``registered_document`` is their card, with its own number)
or returns it with a reason. To an addressee outside the system it goes by e-mail or on paper
with a QR verification link, and the dispatch records that it went.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from edms.codes import format_code, new_code
from edms.models.documents import Document
from edms.models.organisation import Office


class Dispatch(models.Model):
    class Channel(models.TextChoices):
        SYSTEM = "system", _("Through the system")
        EMAIL = "email", _("By e-mail")
        PAPER = "paper", _("On paper")

    class Status(models.TextChoices):
        DELIVERED = "delivered", _("Delivered, awaiting registration")
        REGISTERED = "registered", _("Registered by the recipient")
        RETURNED = "returned", _("Returned by the recipient")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Sending failed")

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="dispatches"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient_office = models.ForeignKey(
        Office,
        verbose_name=_("recipient office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_dispatches",
    )
    recipient_name = models.CharField(_("addressee"), max_length=255, blank=True)
    recipient_email = models.EmailField(_("addressee e-mail"), blank=True)
    recipient_address = models.CharField(_("postal address"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    return_reason = models.TextField(_("reason for return"), blank=True)
    registered_document = models.OneToOneField(
        Document,
        verbose_name=_("registered as"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="received_dispatch",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Printed with a QR code on paper dispatches: anyone holding the paper checks it at
    # /verify/<code>/ without an account.
    verification_code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_code, editable=False
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["recipient_office", "status"])]

    def __str__(self) -> str:
        return f"{self.document.reg_number} → {self.recipient_office or self.recipient_name}"

    @property
    def verification_code_display(self) -> str:
        return format_code(self.verification_code)
