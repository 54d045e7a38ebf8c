"""Certificates and keys of signers.

A signer's private key is kept as PKCS#12 encrypted with the signer's own passphrase; it is
opened only for a signature and the passphrase is never stored. The demo certificate authority
issues RSA-2048 certificates for staff (endesive writes RSA signatures correctly; its ECDSA
ones are mislabelled and other validators reject them).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KEY_SIZE = 2048


@dataclass(frozen=True)
class Identity:
    """A signer's key and certificate, with the chain up to (not including) the root."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def _name(common_name: str, organisation: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    parts.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "UZ"))
    return x509.Name(parts)


def authority_create(*, name: str, valid_days: int = 3650, now: datetime | None = None) -> Identity:
    """A self-signed certificate authority that signs certificates and revocation lists."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    subject = _name(name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(key=key, certificate=certificate)


def certificate_issue(
    *,
    authority: Identity,
    common_name: str,
    organisation: str = "",
    valid_days: int = 730,
    now: datetime | None = None,
    time_stamping: bool = False,
) -> Identity:
    """A signing certificate for one person, issued by ``authority``; with ``time_stamping``,
    a time-stamp authority's instead (extended key usage timeStamping only, critical, as
    RFC 3161 section 2.3 requires)."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [
                    ExtendedKeyUsageOID.TIME_STAMPING
                    if time_stamping
                    else ExtendedKeyUsageOID.EMAIL_PROTECTION
                ]
            ),
            critical=time_stamping,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
        .sign(authority.key, hashes.SHA256())
    )
    return Identity(key=key, certificate=certificate, chain=(authority.certificate,))


def pkcs12_export(identity: Identity, *, passphrase: str) -> bytes:
    """The key file to keep: PKCS#12, encrypted with the signer's passphrase."""
    if len(passphrase) < 8:
        raise ValidationError(_("The passphrase must be at least 8 characters long."))
    return pkcs12.serialize_key_and_certificates(
        name=identity.certificate.subject.rfc4514_string().encode(),
        key=identity.key,
        cert=identity.certificate,
        cas=list(identity.chain) or None,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )


def pkcs12_open(data: bytes, *, passphrase: str) -> Identity:
    """The signer's key and certificate; a wrong passphrase is a clear error, nothing more."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase.encode())
    except ValueError:
        raise ValidationError(
            _("The passphrase is wrong, or the key file is damaged. Nothing was signed."),
            code="wrong_passphrase",
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey) or certificate is None:
        raise ValidationError(
            _("The key file must hold an RSA key and its certificate."), code="unsupported_key"
        )
    return Identity(key=key, certificate=certificate, chain=tuple(chain))


def certificate_check_usable(certificate: x509.Certificate, *, at: datetime | None = None) -> None:
    """A certificate signs only within its validity period."""
    at = at or datetime.now(UTC)
    if at < certificate.not_valid_before_utc:
        raise ValidationError(_("The certificate is not valid yet."), code="not_yet_valid")
    if at > certificate.not_valid_after_utc:
        raise ValidationError(
            _("The certificate expired on %(date)s and cannot sign."),
            code="expired",
            params={"date": certificate.not_valid_after_utc.strftime("%d.%m.%Y")},
        )
