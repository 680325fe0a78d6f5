"""The ledger sheet of a list (Excel): one row per project with its money figures."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from applications.exports import _safe

HEADER = (
    gettext_lazy("项目编号"),
    gettext_lazy("项目名称"),
    gettext_lazy("技术榜"),
    gettext_lazy("牵头单位"),
    gettext_lazy("状态"),
    gettext_lazy("财政补助（万元）"),
    gettext_lazy("企业投入计划（万元）"),
    gettext_lazy("企业资金确认到账（万元）"),
    gettext_lazy("待确认（万元）"),
    gettext_lazy("有异议（万元）"),
    gettext_lazy("本年应拨付（万元）"),
    gettext_lazy("已拨付（万元）"),
    gettext_lazy("应退回（万元）"),
)


def ledger_workbook(bang_list, ledgers, out) -> None:
    """Write the sheet into the file `out`. `ledgers` is contracts.funds.ledgers(...): no query per row."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("资金台账"))
    ws.append([_safe(ws, bang_list.title), _("资金台账"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    ws.append([str(h) for h in HEADER])
    for row in ledgers:
        project = row.project
        ws.append([
            project.project_number, _safe(ws, project.task_book.project_name), project.award.decision.bang.number,
            _safe(ws, project.award.application.lead.name), str(project.get_state_display()), row.subsidy_planned,
            row.enterprise_planned, row.arrived, row.pending, row.disputed, row.due.due, row.disbursed, row.refund_due,
        ])
    wb.save(out)
