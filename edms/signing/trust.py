"""The trust store: the certificate authorities whose signatures this product calls trusted, and
their revocation lists.

``SIGNING_TRUST_ROOTS`` lists PEM files (the configured authorities in production). On the
embedded default the demo authority's certificate, ``<SIGNING_DIR>/demo-ca.pem``, is trusted
when it exists. A public bundle is never used.

``SIGNING_CRLS`` lists those authorities' revocation lists (PEM or DER files); on the embedded
default the demo authority's ``<SIGNING_DIR>/demo-ca.crl`` is read when it exists. Like the
authorities, they are read from configuration only, never fetched.
"""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


def demo_authority_path() -> Path:
    return Path(settings.SIGNING_DIR) / "demo-ca.pem"


def trust_roots() -> list[x509.Certificate]:
    return _load(
        "SIGNING_TRUST_ROOTS",
        demo_authority_path(),
        x509.load_pem_x509_certificates,
        "a certificate",
    )


def revocation_lists() -> list[x509.CertificateRevocationList]:
    return _load(
        "SIGNING_CRLS",
        demo_authority_path().with_suffix(".crl"),
        lambda data: [_crl(data)],
        "a revocation list",
    )


def _crl(data: bytes) -> x509.CertificateRevocationList:
    if data.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def _load(setting: str, default: Path, read: Callable[[bytes], list[T]], what: str) -> list[T]:
    """What the files of ``setting`` hold; ``default`` when the setting is empty and it exists."""
    paths = [Path(path) for path in getattr(settings, setting)]
    if not paths and default.exists():
        paths = [default]
    found: list[T] = []
    for path in paths:
        try:
            found += read(path.read_bytes())
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(
                f"{setting}: cannot read {what} from {path}: {error}"
            ) from error
    return found
