"""The platform's PAdES signature on issued PDFs.

The key and certificate are PEM files named by SIGNING_KEY_FILE and SIGNING_CERT_FILE (with
SIGNING_KEY_PASSPHRASE if the key is encrypted). When neither is set, a self-signed demo pair is
made on first use under VAR_DIR/signing: a reader then shows "signature valid, signer not trusted",
which is honest for a demo and still proves that the file was not changed after issue.
"""

import asyncio
import concurrent.futures
import datetime
import functools
import io
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

DEMO_COMMON_NAME = "揭榜挂帅平台（演示证书）"
DEMO_KEY_NAME = "demo-key.pem"
DEMO_CERT_NAME = "demo-cert.pem"
FIELD_NAME = "PlatformSignature"


def demo_directory() -> Path:
    return Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "signing"


def demo_certificate_create(*, directory: Path, common_name: str = DEMO_COMMON_NAME,
                            years: int = 10) -> tuple[Path, Path]:
    """A self-signed RSA-2048 key and certificate for signing PDFs, as (key, cert) PEM paths.

    Idempotent: an existing pair in `directory` is kept. The key is written unencrypted in a directory
    only its owner can read; it is a demo key and must not sign anything that matters.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key_path, cert_path = directory / DEMO_KEY_NAME, directory / DEMO_CERT_NAME
    if key_path.exists() and cert_path.exists():
        return key_path, cert_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "揭榜挂帅平台"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    # Written into a private temporary directory that is then renamed into place, so two processes
    # starting at once never leave a key and a certificate that do not belong together.
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".signing-", dir=directory.parent))
    (staging / DEMO_KEY_NAME).write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (staging / DEMO_CERT_NAME).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    try:
        os.rename(staging, directory)  # replaces an empty directory, fails on one another process filled
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    if not (key_path.exists() and cert_path.exists()):
        raise ImproperlyConfigured(f"{directory} exists but holds no demo key and certificate.")
    return key_path, cert_path


def signing_files() -> tuple[Path, Path, str]:
    """(key, cert, passphrase) from the settings, or the demo pair (made on first use)."""
    key_file, cert_file = settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE
    if bool(key_file) != bool(cert_file):
        raise ImproperlyConfigured("Set both SIGNING_KEY_FILE and SIGNING_CERT_FILE, or neither (demo certificate).")
    if key_file:
        return Path(key_file), Path(cert_file), settings.SIGNING_KEY_PASSPHRASE
    key_path, cert_path = demo_certificate_create(directory=demo_directory())
    return key_path, cert_path, ""


@functools.lru_cache(maxsize=4)
def _signer(key_file: str, cert_file: str, passphrase: str):
    """Loaded once per process (and per key, so a changed setting takes effect)."""
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(key_file, cert_file, key_passphrase=passphrase.encode() if passphrase else None)
    if signer is None:  # pyHanko logs the reason and returns None
        raise ImproperlyConfigured(f"Cannot load the signing key {key_file} with the certificate {cert_file}.")
    return signer


def sign_pdf(data: bytes) -> bytes:
    """`data` with the platform's PAdES signature (B-B) added as an incremental update.

    The signature covers the whole file: a changed byte anywhere makes validation fail.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    key_file, cert_file, passphrase = signing_files()
    signer = _signer(str(key_file), str(cert_file), passphrase or "")
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=_("平台签发任务书"), location=settings.SITE_URL)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    pdf_signer = signers.PdfSigner(meta, signer=signer)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return pdf_signer.sign_pdf(writer).getvalue()
    # pyHanko's sign_pdf calls asyncio.run(), which refuses to start inside a running event loop (an
    # async caller; Playwright's sync API in the browser tests): sign in a thread of its own then.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(pdf_signer.sign_pdf, writer).result().getvalue()
