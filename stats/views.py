"""The programme's figures (统计): a public page, a staff section, an Excel sheet per breakdown."""

import tempfile

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.rules import is_portal_staff

from .exports import breakdown_workbook
from .figures import BREAKDOWNS, public_figures, staff_figures


def _staff_scope(user):
    """A superuser sees every organiser's figures; other staff their own organiser's."""
    return None if user.is_superuser else user.organisation_id


def index(request):
    figures = public_figures()
    data = figures.as_dict()
    breakdowns = [
        {"key": key, "title": title, "label": label, "rows": figures.breakdowns.get(key, [])}
        for key, title, label in BREAKDOWNS
    ]
    # What the chart script draws (the tables beside the charts are the source of truth).
    chart_data = {
        "labels": {"bangs": _("技术榜数"), "signed": _("达成合作"), "investment": _("协议研发总投入（万元）"),
                   "subsidy": _("财政补助（万元）"), "projects": _("项目数")},
        "breakdowns": {b["key"]: [{"label": r["label"], "bangs": r["bangs"], "signed": r["signed"],
                                   "investment": str(r["investment"]), "subsidy": str(r["subsidy"])}
                                  for r in data["breakdowns"][b["key"]]] for b in breakdowns},
        "outcomes": [{"label": o["label"], "count": o["count"]} for o in figures.outcomes],
    }
    staff = None
    if is_portal_staff(request.user):
        staff = staff_figures(organiser_id=_staff_scope(request.user))
    return render(request, "stats/index.html", {
        "figures": figures, "breakdowns": breakdowns, "chart_data": chart_data, "staff": staff,
    })


def export(request, key: str):
    """One breakdown as an Excel workbook (public, like the page)."""
    spec = {k: (title, label) for k, title, label in BREAKDOWNS}.get(key)
    if spec is None:
        raise Http404
    title, label = spec
    figures = public_figures()
    out = tempfile.TemporaryFile()
    breakdown_workbook(title=str(title), label=str(label), rows=figures.breakdowns.get(key, []), out=out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"stats-{key}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
