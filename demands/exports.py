from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font



def _columns():
    def unit(key):
        return lambda d: d.enterprise.get(key, "")

    return [
        (_("需求编号"), lambda d: d.number),
        (_("状态"), lambda d: d.get_state_display()),
        (_("征集批次"), lambda d: d.round.title),
        (_("技术攻关领域"), lambda d: d.field.name if d.field else ""),
        (_("负责处室"), lambda d: d.field.department.name if d.field else ""),
        (_("单位名称"), unit("name")),
        (_("统一社会信用代码"), unit("credit_code")),
        (_("所在地区"), unit("region")),
        (_("区内/区外"), lambda d: _("区内") if d.enterprise.get("in_region") else _("区外")),
        (_("单位地址"), unit("address")),
        (_("邮编"), unit("postcode")),
        (_("上年度产值（万元）"), unit("last_year_output")),
        (_("人员规模"), unit("staff_size")),
        (_("经济性质"), unit("economic_nature")),
        (_("法定代表人"), unit("legal_rep")),
        (_("法定代表人电话"), unit("legal_rep_phone")),
        (_("联系人"), lambda d: d.contact_name),
        (_("职务"), lambda d: d.contact_title),
        (_("手机"), lambda d: d.contact_mobile),
        (_("电子邮箱"), lambda d: d.contact_email),
        (_("项目需求名称"), lambda d: d.name),
        (_("项目合作方式"), lambda d: d.cooperation_display()),
        (_("需求背景"), lambda d: d.background),
        (_("需求内容描述"), lambda d: d.content),
        (_("现有基础情况"), lambda d: d.basis),
        (_("对揭榜方要求"), lambda d: d.solver_requirements),
        (_("产权归属、利益分配"), lambda d: d.ip_terms),
        (_("实测要求"), lambda d: d.field_test),
        (_("时限要求（月）"), lambda d: d.period_months),
        (_("拟总投入（万元）"), lambda d: d.total_investment),
        (_("提交时间"), lambda d: timezone.localtime(d.submitted_at).strftime("%Y-%m-%d %H:%M:%S") if d.submitted_at else ""),
    ]


def demand_queue_workbook(demands) -> bytes:
    """One row per demand, every field of the 需求表, as an .xlsx file."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("需求汇总")
    columns = _columns()
    ws.append([title for title, _get in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for demand in demands.iterator(chunk_size=500) if hasattr(demands, "iterator") else demands:
        row = []
        for _title, get in columns:
            value = get(demand)
            row.append(value if value is not None else "")
        ws.append(row)
        for cell in ws[ws.max_row]:
            # Text typed by users is never a formula, whatever it starts with.
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
