"""Benchmark: signing and verifying a one-page decision, endesive against pyHanko, with
``openssl speed rsa2048`` as the floor.

Run from the project folder::

    .venv/bin/python bench/signing.py [--runs 200] [--warmup 10]

What it does, in order (see bench/README.md for the figures and how to read them):

1. Makes a one-page decision PDF in Uzbek with fpdf2 and the product's DejaVu fonts, a demo
   certificate authority and one RSA-2048 signer (``edms.signing.certificates``).
2. Times ``--runs`` times each, after ``--warmup`` untimed runs, one after another in this
   process:

   - the product's signing, ``edms.signing.pades.pdf_sign`` (endesive, invisible signature, no
     time-stamp);
   - pyHanko signing the same PDF with the same key and certificate (``SimpleSigner``, sync
     ``sign_pdf`` on an ``IncrementalPdfFileWriter``, ``adbe.pkcs7.detached`` like endesive's,
     the same 8 KiB reserved for the signature), once as configured the usual way and once
     with a ``SimpleSigner`` subclass that keeps the key loaded;
   - the product's verification of the endesive-signed file,
     ``edms.signing.verification.pdf_signatures``;
   - pyHanko's own ``validate_pdf_signature`` on that same file (parse, then validate);
   - one RSA-2048 PKCS#1 v1.5 signature and one verification with ``cryptography`` on a SHA-256
     digest: the key operation alone, from Python.
3. Runs ``openssl speed -seconds 3 rsa2048`` (about 6 s): the machine's RSA-2048 rate.
4. Prints median and p95 (nearest rank) in ms, and the operations per second the median gives.

Nothing is written to disk and nothing goes over the network (no time-stamp authority).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from harness import ROOT, say  # bench/ is on the path when a benchmark runs

OPENSSL_SECONDS = 3
OPENSSL_TIMEOUT_S = 120
SIGNATURE_BYTES = 8192  # what edms.signing.pades reserves; pyHanko gets the same


# --- Command line and environment -----------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs per operation")
    parser.add_argument("--warmup", type=int, default=10, help="untimed runs per operation first")
    parser.add_argument("--no-openssl", action="store_true", help="skip `openssl speed`")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 100_000:
        parser.error("--runs must be between 1 and 100000")
    if not 0 <= args.warmup <= 10_000:
        parser.error("--warmup must be between 0 and 10000")
    return args


def setup_django() -> None:
    """Signing reads settings (the time-stamp authority); nothing touches the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()


# --- The document and the signer ------------------------------------------------------------

DECISION_TITLE = "QAROR"
DECISION_HEADER = [
    "Jizzax viloyati hokimligi",
    "Jizzax shahri, Sh. Rashidov ko‘chasi, 1-uy",
]
DECISION_META = "2026-yil 26-noyabr                                   № 412-Q"
DECISION_SUBJECT = "Shahar ko‘chalarini qishki mavsumga tayyorlash to‘g‘risida"
DECISION_BODY = [
    "O‘zbekiston Respublikasining “Mahalliy davlat hokimiyati to‘g‘risida”gi Qonuniga "
    "muvofiq hamda shahar aholisining qish mavsumida xavfsiz harakatlanishini ta’minlash "
    "maqsadida QAROR QILAMAN:",
    "1. Shahar obodonlashtirish boshqarmasi (S. Karimov) 2026-yil 10-dekabrga qadar barcha "
    "magistral ko‘chalar, piyodalar yo‘laklari va bekatlarni qor tozalash texnikasi bilan "
    "ta’minlash rejasini ishlab chiqsin va tasdiqlash uchun kiritsin.",
    "2. Moliya bo‘limi (D. Yusupova) ushbu qarorning 1-bandida ko‘rsatilgan tadbirlarni "
    "moliyalashtirish uchun shahar byudjetining zaxira jamg‘armasidan mablag‘ ajratilishini "
    "ta’minlasin.",
    "3. Mahalla fuqarolar yig‘inlari raislari aholi o‘rtasida qishki mavsumda yo‘l harakati "
    "xavfsizligi va isitish qurilmalaridan to‘g‘ri foydalanish bo‘yicha tushuntirish ishlarini "
    "olib borsin.",
    "4. Favqulodda vaziyatlar bo‘limi qor ko‘chkisi va muzlash xavfi yuqori bo‘lgan hududlarda "
    "navbatchilikni tashkil etsin hamda har hafta shahar hokimligiga axborot bersin.",
    "5. Mazkur qarorning ijrosini nazorat qilish shahar hokimining birinchi o‘rinbosari "
    "B. Rahimov zimmasiga yuklansin.",
]
DECISION_SIGNATURE = "Shahar hokimi                                              B. Rahimov"


def decision_pdf() -> bytes:
    """One A4 page of a khokim's decision, in Uzbek Latin, set in DejaVu like the receipts."""
    from fpdf import FPDF

    from portal.fonts import FONT, FONT_FILES, font_dir

    folder = font_dir()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    for style, name in FONT_FILES.items():
        pdf.add_font(FONT, style=style, fname=str(folder / name))
    pdf.set_creation_date(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))  # the same bytes every run
    pdf.set_title(f"{DECISION_TITLE} {DECISION_SUBJECT}")
    pdf.set_lang("uz-Latn")
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, "B", 12)
    for line in DECISION_HEADER:
        pdf.multi_cell(width, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(width, 8, DECISION_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(width, 6, DECISION_META, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(width, 6, DECISION_SUBJECT, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "", 11)
    for paragraph in DECISION_BODY:
        pdf.multi_cell(width, 6, paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(12)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(width, 6, DECISION_SIGNATURE, align="L", new_x="LMARGIN", new_y="NEXT")
    if pdf.page_no() != 1:
        raise RuntimeError("the decision must fit on one page")
    return bytes(pdf.output())


@dataclass(frozen=True)
class Material:
    pdf: bytes
    authority: Any  # edms.signing.certificates.Identity
    signer: Any


def material() -> Material:
    from edms.signing.certificates import authority_create, certificate_issue

    authority = authority_create(name="Bench demo CA")
    signer = certificate_issue(
        authority=authority, common_name="Rahimov Baxtiyor", organisation="Jizzax"
    )
    return Material(pdf=decision_pdf(), authority=authority, signer=signer)


# --- The operations -------------------------------------------------------------------------


def endesive_signer(m: Material) -> Callable[[], bytes]:
    from edms.signing.pades import pdf_sign

    def sign() -> bytes:
        # timestamp_url="": no time-stamp authority, whatever SIGNING_TSA_URL says.
        return pdf_sign(m.pdf, identity=m.signer, reason="Signed", timestamp_url="")

    return sign


def stamped_signer(m: Material) -> Callable[[], bytes]:
    """The final signature as the product makes it: visible, with the stamp drawn (Pillow, QR
    code) and embedded in the signature's widget on the last page."""
    from edms.letterhead import STAMP_BOX
    from edms.signing.pades import pdf_sign
    from edms.signing.stamp import Stamp

    stamp = Stamp(
        heading="Elektron raqamli imzo bilan imzolangan",
        lines=(
            "Rahimov Baxtiyor Odilovich",
            "Hokim",
            "27.11.2026 10:15",
            f"Sertifikat {m.signer.certificate.serial_number:x}",
            "No. Ch-12/26 of 27.11.2026",
            "Check: ABCD-EFGH-JKLM-NPQR",
        ),
        qr_url="https://portal.example/verify/ABCDEFGHJKLMNPQR/",
        box=STAMP_BOX,
    )

    def sign() -> bytes:
        return pdf_sign(m.pdf, identity=m.signer, reason="Signed", timestamp_url="", stamp=stamp)

    return sign


def route_file(m: Material) -> bytes:
    """A decision as a route leaves it: two visas, then the stamped final signature."""
    from edms.signing.pades import pdf_sign

    pdf = m.pdf
    for _visa in range(2):
        pdf = pdf_sign(pdf, identity=m.signer, reason="Visa", timestamp_url="")
    m_final = Material(pdf=pdf, authority=m.authority, signer=m.signer)
    return stamped_signer(m_final)()


def pyhanko_signer(m: Material, *, keep_key: bool = False) -> Callable[[], bytes]:
    """pyHanko's ``SimpleSigner`` loads the private key from its PKCS#8 bytes for every
    signature; with ``keep_key`` a subclass signs with the already loaded key instead."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class KeptKeySigner(signers.SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            hashing = get_pyca_cryptography_hash(digest_algorithm)
            return bytes(m.signer.key.sign(data, PKCS1v15(), hashing))

    def asn1(certificate: Any) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))

    simple = (KeptKeySigner if keep_key else signers.SimpleSigner)(
        signing_cert=asn1(m.signer.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            m.signer.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs([asn1(c) for c in m.signer.chain]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name="Signature1",
        md_algorithm="sha256",
        reason="Signed",
        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,  # as endesive writes
    )

    def sign() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(m.pdf))
        output = io.BytesIO()
        signers.sign_pdf(
            # pyHanko counts the reserved space in hex digits, endesive in bytes.
            writer,
            metadata,
            signer=simple,
            bytes_reserved=2 * SIGNATURE_BYTES,
            output=output,
        )
        return output.getvalue()

    return sign


def product_verifier(m: Material, signed: bytes) -> Callable[[], object]:
    from edms.signing.verification import pdf_signatures, verdict

    roots = [m.authority.certificate]
    outcome = verdict(pdf_signatures(signed, trust_roots=roots))
    if outcome != "valid":
        raise RuntimeError(f"the signed decision does not verify: {outcome}")
    return lambda: pdf_signatures(signed, trust_roots=roots)


def pyhanko_verifier(m: Material, signed: bytes) -> Callable[[], object]:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = asn1_x509.Certificate.load(m.authority.certificate.public_bytes(Encoding.DER))

    def verify() -> object:
        (embedded,) = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures
        context = ValidationContext(
            trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"
        )
        return validate_pdf_signature(embedded, context)

    status: Any = verify()
    if not (status.intact and status.valid and status.trusted):
        raise RuntimeError(f"pyHanko does not accept the signed decision: {status}")
    return verify


def rsa_operations(m: Material) -> tuple[Callable[[], object], Callable[[], object]]:
    import hashlib

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils

    digest = hashlib.sha256(m.pdf).digest()
    prehashed = utils.Prehashed(hashes.SHA256())
    key = m.signer.key
    public = key.public_key()
    signature = key.sign(digest, padding.PKCS1v15(), prehashed)

    def sign() -> object:
        return key.sign(digest, padding.PKCS1v15(), prehashed)

    def verify() -> object:
        public.verify(signature, digest, padding.PKCS1v15(), prehashed)
        return None

    return sign, verify


# --- Measuring ------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank

    @property
    def per_second(self) -> float:
        return 1000.0 / self.median if self.median > 0 else math.inf


def measure(name: str, operation: Callable[[], object], *, runs: int, warmup: int) -> Result:
    for _ in range(warmup):
        operation()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - started) * 1000.0)
    result = Result(name, samples)
    say(f"  {name}: median {result.median:.2f} ms, p95 {result.p95:.2f} ms")
    return result


OPENSSL_LINE = re.compile(
    r"^rsa\s+2048\s+bits\s+([\d.]+)s\s+([\d.]+)s\s+([\d.]+)\s+([\d.]+)\s*$", re.MULTILINE
)


def openssl_speed() -> tuple[float, float] | str:
    """``openssl speed``'s RSA-2048 sign/s and verify/s, or why there are none."""
    binary = shutil.which("openssl")
    if binary is None:
        return "openssl is not installed: no floor figures"
    try:
        done = subprocess.run(  # noqa: S603 - openssl from PATH, fixed arguments
            [binary, "speed", "-seconds", str(OPENSSL_SECONDS), "rsa2048"],
            capture_output=True,
            text=True,
            timeout=OPENSSL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"openssl speed did not finish: {error}"
    match = OPENSSL_LINE.search(done.stdout)
    if done.returncode != 0 or match is None:
        return f"openssl speed gave no rsa 2048 line (exit {done.returncode})"
    return float(match[3]), float(match[4])


def row(name: str, n: str, median: str, p95: str, per_second: str) -> str:
    return f"{name:<50} {n:>5} {median:>10} {p95:>9} {per_second:>11}"


def table(results: list[Result], floor: tuple[float, float] | str) -> None:
    say()
    say(row("operation", "n", "median ms", "p95 ms", "per second"))
    say("-" * 89)
    for r in results:
        n = str(len(r.samples_ms))
        say(row(r.name, n, f"{r.median:.2f}", f"{r.p95:.2f}", f"{r.per_second:.1f}"))
    if isinstance(floor, str):
        say(f"{'openssl speed rsa2048':<50} {floor}")
        return
    # openssl reports rates over its whole run; the "median" column is their inverse.
    for what, rate in zip(("sign", "verify"), floor, strict=True):
        say(row(f"openssl speed rsa2048: {what}", "", f"{1000 / rate:.3f}", "", f"{rate:.1f}"))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    setup_django()
    m = material()
    sign_endesive = endesive_signer(m)
    sign_pyhanko = pyhanko_signer(m)
    sign_pyhanko_kept = pyhanko_signer(m, keep_key=True)
    by_endesive = sign_endesive()
    by_pyhanko = sign_pyhanko()
    product_verifier(m, by_pyhanko)  # pyHanko's signature passes the product's check too
    product_verifier(m, sign_pyhanko_kept())
    rsa_sign, rsa_verify = rsa_operations(m)
    say(
        f"decision PDF {len(m.pdf):,} bytes; signed by endesive {len(by_endesive):,} bytes, "
        f"by pyHanko {len(by_pyhanko):,} bytes"
    )
    say(f"… {args.runs} timed runs per operation after {args.warmup} untimed ones")
    runs = {"runs": args.runs, "warmup": args.warmup}
    results = [
        measure("sign: pdf_sign (endesive)", sign_endesive, **runs),
        measure("sign: pdf_sign, visible stamp with QR (final)", stamped_signer(m), **runs),
        measure("sign: pyHanko sign_pdf", sign_pyhanko, **runs),
        measure("sign: pyHanko sign_pdf, key kept loaded", sign_pyhanko_kept, **runs),
        measure(
            "verify: pdf_signatures (pyHanko, endesive-signed)",
            product_verifier(m, by_endesive),
            **runs,
        ),
        measure("verify: pyHanko validate_pdf_signature", pyhanko_verifier(m, by_endesive), **runs),
        measure(
            "verify: a route's file, 2 visas + stamped final",
            product_verifier(m, route_file(m)),
            **runs,
        ),
        measure("RSA-2048 sign, cryptography (digest only)", rsa_sign, **runs),
        measure("RSA-2048 verify, cryptography (digest only)", rsa_verify, **runs),
    ]
    if args.no_openssl:
        floor: tuple[float, float] | str = "skipped (--no-openssl)"
    else:
        say(f"… openssl speed -seconds {OPENSSL_SECONDS} rsa2048")
        floor = openssl_speed()
    table(results, floor)
    say()
    say(
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"whole run {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
