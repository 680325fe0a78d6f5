"""The public verify page's look-ups (`/verify/`): which issued task book or acceptance certificate
(验收结论书) a fingerprint or an uploaded file is, and which one a file that is not the issued one
claims to be.

Only what the public may know is loaded: the task book's identity, state and parties; the
certificate's project number and name, outcome and date. The content (budget, staffing, people,
measured values, reasons) and the scans are never read here.
"""

import hashlib
import io
import logging
import re

from django.db.models import QuerySet

from .certificate import METADATA_LABEL as CERTIFICATE_LABEL
from .enums import ISSUED
from .models import Acceptance, TaskBook
from .pdf import METADATA_LABEL

logger = logging.getLogger(__name__)

_HEX = re.compile(r"\b([0-9a-fA-F]{64})\b")
_LABELLED = re.compile(rb"(?:" + re.escape(METADATA_LABEL).encode() + rb"|" + re.escape(CERTIFICATE_LABEL).encode()
                       + rb")\s*([0-9a-fA-F]{64})")


def _public_qs() -> QuerySet[TaskBook]:
    return (TaskBook.objects.filter(state__in=ISSUED)
            .select_related("amendment", "amends")
            .prefetch_related("parties")
            .only("pk", "revision", "state", "project_number", "project_name", "fingerprint", "finalised_at",
                  "in_force_at", "pdf_sha256", "amends", "amends__revision", "amends__fingerprint",
                  "amendment__revision", "amendment__fingerprint", "amendment__state"))


def task_books_by_fingerprint(fp: str) -> list[TaskBook]:
    """Issued task books whose content has this fingerprint (normally one), newest revision first."""
    return list(_public_qs().filter(fingerprint=fp).order_by("-revision", "-pk"))


def task_book_by_pdf(data: bytes) -> TaskBook | None:
    """The issued task book whose signed PDF is byte for byte `data`, or None."""
    digest = hashlib.sha256(data).hexdigest()
    return _public_qs().filter(pdf_sha256=digest).order_by("-pk").first()


def claimed_fingerprint(data: bytes) -> str | None:
    """The fingerprint a PDF says it carries (its metadata, as `render_task_book` writes it), or None.

    The file is anybody's upload: whatever it holds is read defensively and never trusted beyond
    naming a task book to compare with.
    """
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        reader = PdfFileReader(io.BytesIO(data), strict=False)
        info = reader.trailer_view.get("/Info")
        if info is not None:
            info = info.get_object() if hasattr(info, "get_object") else info
            for key in ("/Subject", "/Keywords"):
                value = str(info.get(key, "") or "")
                if METADATA_LABEL in value or CERTIFICATE_LABEL in value or key == "/Keywords":
                    match = _HEX.search(value.replace(METADATA_LABEL, " ").replace(CERTIFICATE_LABEL, " "))
                    if match:
                        return match.group(1).lower()
    except Exception as error:  # noqa: BLE001 - a broken or hostile file is simply not recognised
        # A visitor's broken file is expected, not a fault: one line, no traceback.
        logger.info("verify: could not read the metadata of an uploaded PDF (%s: %s)", type(error).__name__, error)
    # A file too damaged for the reader may still carry the label in plain bytes.
    match = _LABELLED.search(data)
    return match.group(1).decode().lower() if match else None


# --- acceptance certificates (issue 13) ------------------------------------------------------------


def _certificates_qs() -> QuerySet[Acceptance]:
    return (Acceptance.objects.exclude(outcome="").exclude(fingerprint="")
            .select_related("project__task_book")
            .only("pk", "outcome", "decided_at", "fingerprint", "pdf_sha256", "project__project_number",
                  "project__task_book__project_name"))


def certificates_by_fingerprint(fp: str) -> list[Acceptance]:
    """Issued acceptance certificates whose content has this fingerprint (normally one)."""
    return list(_certificates_qs().filter(fingerprint=fp).order_by("-pk"))


def certificate_by_pdf(data: bytes) -> Acceptance | None:
    """The acceptance certificate whose signed PDF is byte for byte `data`, or None."""
    digest = hashlib.sha256(data).hexdigest()
    return _certificates_qs().filter(pdf_sha256=digest).order_by("-pk").first()
