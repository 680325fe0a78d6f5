from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from .models import SOURCE_FIELDS


def _partner_cell(partner: dict, flag: str) -> str:
    """A submitted partner as the 汇总表 shows it; a unit not registered or not verified is marked."""
    notes = [_("区内") if partner.get("in_region") else _("区外")]
    if flag == "placeholder":
        notes.append(_("未注册·信息未核实"))
    elif flag == "unverified":
        notes.append(_("未核验"))
    return f"{partner.get('name', '')}（{'，'.join(str(n) for n in notes)}）"


def _cell(ws, value, **style):
    cell = WriteOnlyCell(ws, value)
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _safe(ws, value):
    """Text that starts with "=" stays text: a unit name is never run as a formula."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"
        return cell
    return value


def summary_workbook(applications, out) -> None:
    """项目汇总表 into the file `out`: one row per application, with partners, chief scientist and
    budget by source. Written as a stream (openpyxl's write-only mode), so memory does not grow
    with the number of rows; `applications` may be a generator."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("项目汇总表"))
    ws.freeze_panes = "A2"
    for column, width in (("C", 30), ("F", 20), ("I", 40)):
        ws.column_dimensions[column].width = width
    header = [
        _("申报编号"), _("榜单序号"), _("技术榜"), _("财政补助上限（万元）"), _("技术路线"), _("牵头单位"),
        _("统一社会信用代码"), _("区内/区外"), _("联合体成员"), _("首席科学家"), _("项目负责人"), _("申请财政补助（万元）"),
        _("发榜企业投入（万元）"), _("自筹（万元）"), _("其他（万元）"), _("合计（万元）"), _("推荐单位"), _("状态"), _("提交时间"),
    ]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    ws.append([_cell(ws, h, font=bold) for h in header])
    for application in applications:
        # What was submitted (the latest version), never the lead's unsubmitted working copy.
        data = application.submitted_summary
        fields, lead, budget = data.get("fields", {}), data.get("lead", {}), data.get("budget", {})
        sums = [Decimal(budget.get("by_source", {}).get(s, "0")) for s in SOURCE_FIELDS]
        partners = "；".join(_partner_cell(p, flag) for p, flag in application.partner_rows)
        row = [
            application.number, application.bang.number, application.bang.title, application.bang.subsidy_cap,
            fields.get("route_label", ""), lead.get("name", application.lead.name),
            lead.get("credit_code", application.lead.credit_code),
            _("区内") if lead.get("in_region", application.lead.region.in_region) else _("区外"),
            _cell(ws, partners, alignment=wrap, data_type="s"),
            f"{fields.get('chief_name', '')} {fields.get('chief_title', '')}".strip(),
            fields.get("lead_name", ""), *sums, sum(sums, Decimal("0")),
            application.recommender.name if application.recommender else _("组织单位直接审查"),
            application.get_state_display(),
            timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M:%S") if application.submitted_at else "",
        ]
        ws.append([_safe(ws, value) for value in row])
    wb.save(out)
