"""Each breakdown as an Excel sheet (the same rows as the page's table)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from applications.exports import _safe


def breakdown_workbook(*, title: str, label: str, rows, out) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append([_("揭榜挂帅统计"), title, timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append([label, _("技术榜数"), _("达成合作（签订任务书）"), _("研发总投入预算（万元）"),
               _("协议研发总投入（万元）"), _("财政补助（万元）")])
    for row in rows:
        ws.append([_safe(ws, row.label), row.bangs, row.signed, row.budget, row.investment, row.subsidy])
    wb.save(out)
