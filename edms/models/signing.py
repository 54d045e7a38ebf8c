"""Signers' certificates and keys.

A ``SigningCertificate`` holds one person's X.509 certificate and their private key as PKCS#12,
encrypted with the signer's own passphrase: the passphrase is asked at signing time and never
stored, so this row alone cannot sign. A certificate is issued by the demo certificate authority
(``manage.py issue_certificate``) or imported from a PKCS#12 file; it signs only while it is
within its validity period and not revoked.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edms.models.organisation import Office


class SigningCertificate(models.Model):
    class Source(models.TextChoices):
        ISSUED = "issued", _("Issued by the demo certificate authority")
        IMPORTED = "imported", _("Imported from a PKCS#12 file")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="signing_certificates",
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
    )
    serial = models.CharField(_("serial number"), max_length=64, db_index=True)
    subject = models.CharField(_("subject"), max_length=500)
    issuer = models.CharField(_("issuer"), max_length=500)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    certificate_pem = models.TextField(_("certificate (PEM)"))
    # Encrypted with the holder's passphrase; opened only for a signature.
    pkcs12 = models.BinaryField(_("key file (PKCS#12)"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason for revocation"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("signing certificate")
        verbose_name_plural = _("signing certificates")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "serial"], name="one_certificate_per_serial")
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"

    def usable_at(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.not_before <= at <= self.not_after
