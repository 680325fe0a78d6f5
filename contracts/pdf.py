"""The issued task book (任务书) with its military order (军令状) as a PDF.

Rendered from the frozen content alone (plus the signing parties), so what is printed is what the
fingerprint covers. Every page's footer carries the fingerprint and a QR code to the public verify
page; the fingerprint is also written into the PDF's metadata (Subject and Keywords), where the
verify page reads back which task book an uploaded file claims to be.
"""

import datetime
from decimal import Decimal
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from applications.enums import CostCategory, FundingSource
from core.pdf import html_to_pdf

from . import content as rules_of
from .enums import StaffRole

# Read back by the verify page: "<label><64 hex>" in the Subject, the bare fingerprint in the Keywords.
METADATA_LABEL = "jiebang-taskbook-fingerprint:"


def verify_url(fingerprint: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('verify:verify')}?{urlencode({'fp': fingerprint})}"


def qr_data_uri(url: str) -> str:
    """A QR code for `url` as a PNG data URI, made here: no network, no image files. PNG rather than
    SVG: one image object shared by every page, where an SVG is drawn again on each (10% of the render)."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=4, border=0)


def _date(value: str) -> str:
    try:
        day = datetime.date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return value or ""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _budget(content: dict) -> dict:
    """The budget table: one row per category (labelled), one column per source, with totals."""
    sums = rules_of.totals(content)
    sources = [(s, _label(FundingSource, s)) for s in rules_of.SOURCES]
    rows = [{"label": _label(CostCategory, line["category"]), "amounts": [line[s] for s, _l in sources],
             "total": line["total"]} for line in sums["lines"]]
    return {"sources": sources, "rows": rows, "by_source": [sums["by_source"][s] for s, _l in sources],
            "total": sums["total"], "disbursed": sums["disbursed"]}


def task_book_context(task_book, parties) -> dict:
    content = task_book.content
    project = content.get("project", {})
    conditions = dict(rules_of.Condition.choices())
    tranches = [{"label": t.get("label", ""), "condition": conditions.get(t.get("condition"), t.get("condition", "")),
                 "amount": rules_of.money(t.get("amount"))} for t in content.get("disbursement", [])]
    staffing = [{**row, "role_label": _label(StaffRole, row.get("role"))} for row in content.get("staffing", [])]
    schedule = [{**row, "due": _date(row.get("due_date", ""))} for row in content.get("schedule", [])]
    url = verify_url(task_book.fingerprint)
    return {
        "task_book": task_book,
        "content": content,
        "project": project,
        "start": _date(project.get("start", "")),
        "end": _date(project.get("end", "")),
        "parties_content": content.get("parties", {}),
        "indicators": content.get("indicators", []),
        "schedule": schedule,
        "staffing": staffing,
        "budget": _budget(content),
        "tranches": tranches,
        "subsidy": rules_of.money(content.get("subsidy")),
        "investment": rules_of.money(content.get("investment")) if content.get("investment") else Decimal("0.00"),
        "order": content.get("order", {}),
        "signing_parties": parties,
        "fingerprint": task_book.fingerprint,
        "metadata_subject": f"{METADATA_LABEL}{task_book.fingerprint}",
        "verify_url": url,
        "verify_base": f"{settings.SITE_URL.rstrip('/')}{reverse('verify:verify')}",
        "qr": qr_data_uri(url),
    }


def render_task_book(task_book, parties) -> bytes:
    """The task book's PDF (unsigned): `task_book.fingerprint` must be set already."""
    return html_to_pdf(render_to_string("pdf/task_book.html", task_book_context(task_book, parties)))
