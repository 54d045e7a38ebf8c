"""Admin forms for signing: revoking a certificate goes through ``edms.signing.keys``, so the
revocation list and the audit trail follow."""

from typing import Any

from edms.models import SigningCertificate
from edms.signing.keys import certificate_revoke
from portal.admin_scope import OfficeScopedForm


class CertificateRevokeForm(OfficeScopedForm):
    """The only change an administrator makes to a certificate: giving a reason revokes it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("revocation_reason")
        if field is not None and self.instance.revoked_at is not None:
            field.disabled = True

    def save(self, commit: bool = True) -> SigningCertificate:
        row: SigningCertificate = SigningCertificate.objects.get(pk=self.instance.pk)
        reason = (self.cleaned_data.get("revocation_reason") or "").strip()
        if reason and row.revoked_at is None:
            certificate_revoke(row=row, by=self.for_user, reason=reason)
            row.refresh_from_db()
        return row
