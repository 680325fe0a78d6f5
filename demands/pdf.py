from django.template.loader import render_to_string

from core.pdf import html_to_pdf

from .models import Demand


def demand_pdf(demand: Demand) -> bytes:
    """The 需求表 laid out like the official form (附件1)."""
    return html_to_pdf(render_to_string("pdf/demand.html", {"demand": demand, "for_browser": False}))
