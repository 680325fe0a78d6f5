from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .models import SOURCE_FIELDS


def _partner_cell(org) -> str:
    """A partner as the 汇总表 shows it; a placeholder's typed name is marked unverified."""
    notes = [_("区内") if org.region.in_region else _("区外")]
    if org.is_placeholder:
        notes.append(_("未注册·信息未核实"))
    return f"{org.name}（{'，'.join(str(n) for n in notes)}）"


def summary_workbook(applications) -> bytes:
    """项目汇总表: one row per application, with partners, chief scientist and budget by source."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("项目汇总表")
    header = [
        _("申报编号"), _("榜单序号"), _("技术榜"), _("技术路线"), _("牵头单位"), _("统一社会信用代码"), _("区内/区外"),
        _("联合体成员"), _("首席科学家"), _("项目负责人"), _("申请财政补助（万元）"), _("发榜企业投入（万元）"),
        _("自筹（万元）"), _("其他（万元）"), _("合计（万元）"), _("推荐单位"), _("状态"), _("提交时间"),
    ]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for application in applications:
        lines = list(application.budget_lines.all())
        sums = [sum((getattr(line, s) for line in lines), 0) for s in SOURCE_FIELDS]
        partners = "；".join(_partner_cell(p.organisation) for p in application.partners.all())
        ws.append([
            application.number, application.bang.number, application.bang.title, application.route_label,
            application.lead.name, application.lead.credit_code,
            _("区内") if application.lead.region.in_region else _("区外"), partners,
            f"{application.chief_name} {application.chief_title}".strip(),
            application.lead_name, *sums, sum(sums),
            application.recommender.name if application.recommender else _("组织单位直接审查"),
            application.get_state_display(),
            timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M:%S") if application.submitted_at else "",
        ])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
