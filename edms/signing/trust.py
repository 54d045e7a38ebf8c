"""The trust store: the certificate authorities whose signatures this product calls trusted.

``SIGNING_TRUST_ROOTS`` lists PEM files (the configured authorities in production). On the
embedded default the demo authority's certificate, ``<VAR_DIR>/signing/demo-ca.pem``, is trusted
when it exists. A public bundle is never used.
"""

from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def demo_authority_path() -> Path:
    return Path(settings.VAR_DIR) / "signing" / "demo-ca.pem"


def trust_roots() -> list[x509.Certificate]:
    paths = [Path(path) for path in settings.SIGNING_TRUST_ROOTS]
    if not paths and demo_authority_path().exists():
        paths = [demo_authority_path()]
    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            roots += x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(
                f"SIGNING_TRUST_ROOTS: cannot read a certificate from {path}: {error}"
            ) from error
    return roots
