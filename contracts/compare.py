"""A task book's content as labelled lines, and a field-by-field comparison of two versions."""

from django.utils.translation import gettext as _

from applications.enums import CostCategory, FundingSource

from .content import Condition
from .enums import StaffRole


def lines(content: dict) -> list[tuple[str, str, str]]:
    """(key, label, text) for every comparable field, in the task book's order."""
    project = content.get("project", {})
    conditions = dict(Condition.choices())
    roles, categories = dict(StaffRole.choices), dict(CostCategory.choices)
    out = [
        ("start", _("开始日期"), project.get("start", "")),
        ("end", _("结束日期"), project.get("end", "")),
        ("objectives", _("目标与主要内容"), content.get("objectives", "")),
        ("route", _("技术路线"), content.get("route", "")),
    ]
    for row in content.get("indicators", []):
        text = f"{row.get('target', '')}{row.get('unit', '')}"
        if row.get("test_method"):
            text += f"（{_('测试方法')}：{row['test_method']}）"
        out.append((f"indicator:{row.get('key')}:{row.get('name')}", _("指标：%(name)s") % {"name": row.get("name", "")}, text))
    out.append(("schedule", _("进度安排"), "\n".join(
        f"{r.get('due_date', '')} {r.get('goal', '')}" + (f"（{r['indicator']}）" if r.get("indicator") else "")
        for r in content.get("schedule", []))))
    out.append(("staffing", _("参加人员"), "\n".join(
        f"{r.get('name', '')}，{r.get('unit', '')}，{r.get('title', '')}，{roles.get(r.get('role'), r.get('role'))}，"
        + _("%(n)s个月/年") % {"n": r.get("months", "")} for r in content.get("staffing", []))))
    out.append(("budget", _("经费预算（万元）"), "\n".join(
        f"{categories.get(r.get('category'), r.get('category'))}：" + "，".join(
            f"{s.label} {r.get(s.value, '0.00')}" for s in FundingSource) for r in content.get("budget", []))))
    out.append(("disbursement", _("拨付计划（万元）"), "\n".join(
        f"{r.get('label', '')}：{conditions.get(r.get('condition'), r.get('condition'))} {r.get('amount', '')}"
        for r in content.get("disbursement", []))))
    out += [
        ("ip", _("知识产权约定"), content.get("ip", "")),
        ("benefit", _("利益分配"), content.get("benefit", "")),
        ("order", _("军令状"), content.get("order", {}).get("text", "")),
    ]
    return out


def compare(before: dict, after: dict) -> list[dict]:
    """Every field of either version, with both texts and whether it changed."""
    old = {key: (label, text) for key, label, text in lines(before)}
    rows, seen = [], set()
    for key, label, text in lines(after):
        previous = old.get(key, (label, ""))[1]
        rows.append({"label": label, "before": previous, "after": text, "changed": previous != text})
        seen.add(key)
    for key, (label, text) in old.items():
        if key not in seen:
            rows.append({"label": label, "before": text, "after": "", "changed": True})
    return rows
