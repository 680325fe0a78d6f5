"""The acceptance certificate (验收结论书) as a PDF, made like the task book's (contracts/pdf.py):
rendered from the frozen certificate content alone, every page's footer carrying the fingerprint and
a QR code to /verify/?fp=, the fingerprint also in the PDF's metadata (Subject and Keywords)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from core.pdf import html_to_pdf

from .enums import AcceptanceOutcome, Verdict
from .pdf import _date, _label, qr_data_uri, verify_url

# Read back by the verify page (the Keywords carry the bare fingerprint, as for a task book).
METADATA_LABEL = "jiebang-acceptance-fingerprint:"


def certificate_context(acceptance) -> dict:
    content = acceptance.content
    project = content.get("project", {})
    rows = [{**row, "tested": _date(row.get("tested_on", "")), "verdict_label": _label(Verdict, row.get("verdict"))}
            for row in content.get("indicators", [])]
    verdict = content.get("verdict", {})
    dates = content.get("dates", {})
    url = verify_url(acceptance.fingerprint)
    return {
        "content": content,
        "project": project,
        "start": _date(project.get("start", "")),
        "end": _date(project.get("end", "")),
        "parties_content": content.get("parties", {}),
        "indicators": rows,
        "verdict_label": _label(Verdict, verdict.get("verdict")),
        "verdict_comment": verdict.get("comment", ""),
        "verdict_date": _date(verdict.get("date", "")),
        "outcome_label": _label(AcceptanceOutcome, content.get("outcome")),
        "outcome": content.get("outcome"),
        "reason": content.get("reason", ""),
        "applied": _date(dates.get("applied", "")),
        "decided": _date(dates.get("decided", "")),
        "fingerprint": acceptance.fingerprint,
        "metadata_subject": f"{METADATA_LABEL}{acceptance.fingerprint}",
        "verify_url": url,
        "verify_base": f"{settings.SITE_URL.rstrip('/')}{reverse('verify:verify')}",
        "qr": qr_data_uri(url),
    }


def render_certificate(acceptance) -> bytes:
    """The certificate's PDF (unsigned): `acceptance.content` and `.fingerprint` must be set."""
    return html_to_pdf(render_to_string("pdf/acceptance_certificate.html", certificate_context(acceptance)))
