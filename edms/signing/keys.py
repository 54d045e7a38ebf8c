"""Signers' certificates as the product keeps them: issue, import, revoke, open for a signature.

The demo certificate authority lives in ``<VAR_DIR>/signing/``: ``demo-ca.pem`` (trusted on the
embedded default, see ``edms.signing.trust``), its key ``demo-ca-key.pem`` (readable by the
owner only; a demo authority, never a production one) and its revocation list ``demo-ca.crl``,
written anew on every revocation. Production imports certificates issued by a real authority
and configures ``SIGNING_TRUST_ROOTS`` and ``SIGNING_CRLS``.

The passphrase of a key file is an argument of these functions and nothing else: it is not
stored, logged, audited or put in a task message.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from edms.access import user_office
from edms.audit import Action, audit_record
from edms.models import SigningCertificate
from edms.signing.certificates import (
    Identity,
    authority_create,
    certificate_check_usable,
    certificate_issue,
    pkcs12_export,
    pkcs12_open,
)
from edms.signing.trust import demo_authority_path, revocation_lists, trust_roots
from edms.signing.verification import certificate_revoked

DEMO_AUTHORITY_NAME = "Khokimiyat Portal Demo CA"


def demo_key_path() -> Path:
    return demo_authority_path().with_name("demo-ca-key.pem")


def demo_crl_path() -> Path:
    return demo_authority_path().with_name("demo-ca.crl")


def demo_authority_create(*, replace: bool = False) -> Identity:
    """Create the demo authority's certificate and key files (kept unless ``replace``)."""
    if demo_authority_path().exists() and not replace:
        return demo_authority()
    authority = authority_create(name=DEMO_AUTHORITY_NAME)
    folder = demo_authority_path().parent
    folder.mkdir(parents=True, exist_ok=True)
    key_path = demo_key_path()
    key_path.touch(mode=0o600, exist_ok=True)
    key_path.chmod(0o600)
    key_path.write_bytes(
        authority.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    demo_authority_path().write_bytes(
        authority.certificate.public_bytes(serialization.Encoding.PEM)
    )
    demo_crl_write(authority)
    return authority


def demo_issuance_allowed() -> bool:
    """Staff may have the demo authority issue their own certificate where it is the trust
    store (the embedded default); with configured authorities certificates are imported."""
    return not settings.SIGNING_TRUST_ROOTS and demo_authority_path().exists()


def demo_authority() -> Identity:
    """The demo authority, from its files; a clear error when it was never created."""
    try:
        certificate = x509.load_pem_x509_certificate(demo_authority_path().read_bytes())
        key = serialization.load_pem_private_key(demo_key_path().read_bytes(), password=None)
    except FileNotFoundError:
        raise ValidationError(
            _("The demo certificate authority does not exist yet: run manage.py create_demo_ca.")
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValidationError(_("The demo certificate authority's key must be an RSA key."))
    return Identity(key=key, certificate=certificate)


def demo_crl_write(authority: Identity) -> None:
    """The demo authority's revocation list: every revoked certificate it issued."""
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.certificate.subject)
        .last_update(now)
        .next_update(now + timedelta(days=7))
    )
    issuer = authority.certificate.subject.rfc4514_string()
    revoked = SigningCertificate.objects.filter(issuer=issuer, revoked_at__isnull=False)
    for serial, revoked_at in revoked.values_list("serial", "revoked_at"):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(revoked_at or now)
            .build()
        )
    crl = builder.sign(authority.key, hashes.SHA256())
    demo_crl_path().write_bytes(crl.public_bytes(serialization.Encoding.PEM))


def certificate_store(
    *, user: User, identity: Identity, key_file: bytes, source: str
) -> SigningCertificate:
    certificate = identity.certificate
    row = SigningCertificate.objects.create(
        user=user,
        office=user_office(user),
        serial=format(certificate.serial_number, "x"),
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        pkcs12=key_file,
        source=source,
    )
    audit_record(
        actor=user,
        action=Action.CERTIFICATE,
        obj=row,
        office_code=row.office.code if row.office else "",
        details={"serial": row.serial, "source": source, "subject": row.subject},
    )
    return row


def certificate_issue_demo(
    *, user: User, passphrase: str, valid_days: int = 730
) -> SigningCertificate:
    """A certificate from the demo authority, its key file encrypted with ``passphrase``."""
    office = user_office(user)
    identity = certificate_issue(
        authority=demo_authority(),
        common_name=user.get_full_name() or user.get_username(),
        organisation=office.name_uz if office else "",
        valid_days=valid_days,
    )
    key_file = pkcs12_export(identity, passphrase=passphrase)
    return certificate_store(
        user=user, identity=identity, key_file=key_file, source=SigningCertificate.Source.ISSUED
    )


def certificate_import(*, user: User, key_file: bytes, passphrase: str) -> SigningCertificate:
    """Keep a PKCS#12 file as it is, once its passphrase opens it and its certificate signs."""
    identity = pkcs12_open(key_file, passphrase=passphrase)
    identity_check(identity)
    if not chains_to(identity.certificate, list(identity.chain), trust_roots()):
        raise ValidationError(
            _(
                "This certificate is not issued by an authority trusted here, so its signatures "
                "would not verify. Use a certificate from a trusted authority."
            ),
            code="untrusted",
        )
    serial = format(identity.certificate.serial_number, "x")
    issuer = identity.certificate.issuer.rfc4514_string()
    if SigningCertificate.objects.filter(serial=serial, issuer=issuer).exists():
        raise ValidationError(_("This certificate has already been added."), code="duplicate")
    return certificate_store(
        user=user, identity=identity, key_file=key_file, source=SigningCertificate.Source.IMPORTED
    )


def chains_to(
    certificate: x509.Certificate,
    intermediates: list[x509.Certificate],
    roots: list[x509.Certificate],
) -> bool:
    """The certificate is signed by a trusted root, directly or through ``intermediates``."""
    current = certificate
    for _level in range(len(intermediates) + 1):
        for root in roots:
            if _issued_by(current, root):
                return True
        parent = next((c for c in intermediates if _issued_by(current, c)), None)
        if parent is None or parent == current:
            return False
        current = parent
    return False


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def identity_check(identity: Identity, *, at: datetime | None = None) -> None:
    """Within its validity period and on no revocation list of the trust store."""
    certificate_check_usable(identity.certificate, at=at)
    if certificate_revoked(identity.certificate, revocation_lists()) is not None:
        raise ValidationError(
            _("This certificate has been revoked and cannot sign."), code="revoked"
        )


def certificate_revoke(*, row: SigningCertificate, by: User | None, reason: str) -> None:
    with transaction.atomic():
        row = SigningCertificate.objects.select_for_update().get(pk=row.pk)
        if row.revoked_at is not None:
            return
        row.revoked_at = timezone.now()
        row.revocation_reason = reason
        row.save(update_fields=["revoked_at", "revocation_reason"])
        audit_record(
            actor=by,
            action=Action.CERTIFICATE_REVOKE,
            obj=row,
            office_code=row.office.code if row.office else "",
            details={"serial": row.serial, "reason": reason},
        )
        # The list on disk follows the committed rows, never a revocation rolled back.
        transaction.on_commit(lambda: _demo_crl_refresh(row.issuer))


def _demo_crl_refresh(issuer: str) -> None:
    if demo_authority_path().exists():
        authority = demo_authority()
        if issuer == authority.certificate.subject.rfc4514_string():
            demo_crl_write(authority)


def current_certificate(user: User) -> SigningCertificate | None:
    """The certificate the user signs with: the newest one that is valid now."""
    now = timezone.now()
    return (
        SigningCertificate.objects.filter(
            user=user, revoked_at__isnull=True, not_before__lte=now, not_after__gte=now
        )
        .order_by("-not_after", "-pk")
        .first()
    )


def signing_identity(*, user: User, passphrase: str) -> tuple[SigningCertificate, Identity]:
    """The user's key, opened with their passphrase, checked to be allowed to sign now."""
    row = current_certificate(user)
    if row is None:
        raise ValidationError(
            _("You have no valid signing certificate. Get one on the “My certificate” page."),
            code="no_certificate",
        )
    identity = pkcs12_open(bytes(row.pkcs12), passphrase=passphrase)
    identity_check(identity)
    return row, identity
