"""The task book's content: how a draft is filled from what was decided, what the lead may change,
and the rules the content must keep (checked in the service on every save and again at 定稿).

Content is a JSON document; amounts are Decimal strings with 2 places (万元), dates ISO strings.
"""

import calendar
import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from applications.enums import CostCategory, FundingSource

from . import indicators as indicator_rule

SCHEMA = 1
CENT = Decimal("0.01")
SOURCES = [s.value for s in FundingSource]
CATEGORIES = [c.value for c in CostCategory]
MIN_LEAD_MONTHS = 6


class Condition:
    """When a tranche of the subsidy may be paid (issue 13 checks them before a disbursement)."""

    SIGNING = "signing"
    MIDTERM = "midterm"
    ACCEPTANCE = "acceptance"
    OTHER = "other"

    @staticmethod
    def choices():
        return [(Condition.SIGNING, _("任务书生效后")), (Condition.MIDTERM, _("中期评估通过后")),
                (Condition.ACCEPTANCE, _("验收通过后")), (Condition.OTHER, _("其他条件"))]


DEFAULT_ORDER = (
    "本单位作为“{project}”（项目编号：{number}）的牵头单位，郑重立下军令状：\n"
    "一、于{end}前完成任务书约定的全部考核指标，并通过发榜企业组织的实测：\n{indicators}\n"
    "二、自主开展技术路线调整和经费使用，如实记录、及时报告，接受发榜企业和组织单位的监督。\n"
    "三、未能按期完成上述指标且不属于容错情形的，本单位自愿：（一）退还已拨付的财政补助资金；"
    "（二）接受将有关情况记入科研诚信记录；（三）自验收结论作出之日起{bar_years}年内不以牵头单位身份申报揭榜挂帅项目。\n"
    "立此军令状，如有违反，甘愿承担相应责任。"
)


def money(value) -> Decimal:
    """A stored or typed amount as Decimal 万元 with 2 places; raises ValueError if it is not one."""
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as error:
        raise ValueError(str(value)) from error
    if not amount.is_finite():
        raise ValueError(str(value))
    return amount


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_tranches(subsidy: Decimal) -> list[dict]:
    """40% on signing, 40% after the mid-term review, the rest after acceptance."""
    first = (subsidy * Decimal("0.4")).quantize(CENT, rounding=ROUND_HALF_UP)
    second = (subsidy * Decimal("0.4")).quantize(CENT, rounding=ROUND_HALF_UP)
    return [
        {"label": _("第一笔"), "condition": Condition.SIGNING, "amount": str(first)},
        {"label": _("第二笔"), "condition": Condition.MIDTERM, "amount": str(second)},
        {"label": _("第三笔"), "condition": Condition.ACCEPTANCE, "amount": str(subsidy - first - second)},
    ]


PLACEHOLDERS = ("project", "number", "lead", "end", "indicators", "bar_years")
_PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def template_problem(template: str) -> str | None:
    """Why a military-order template cannot be used, or None. Only the bare placeholders are allowed:
    no format specs, conversions or attribute access (the text is staff input, never str.format'ed)."""
    rest = _PLACEHOLDER_RE.sub("", template or "")
    if "{" in rest or "}" in rest:
        return _("文本中的花括号只能用于占位符 {project}、{number}、{lead}、{end}、{indicators}、{bar_years}。")
    return None


def render_template(template: str, values: dict) -> str:
    return _PLACEHOLDER_RE.sub(lambda match: str(values[match.group(1)]), template)


def order_text(template: str, content: dict, bar_years: int) -> str:
    """The military order's wording for this task book, from the organiser's template."""
    lines = "\n".join(
        f"  {i}. {row['name']}：{row['target']}{row.get('unit') or ''}"
        + (f"（{_('测试方法')}：{row['test_method']}）" if row.get("test_method") else "")
        for i, row in enumerate(content.get("indicators", []), start=1))
    values = {"project": content["project"]["name"], "number": content["project"]["number"],
              "lead": content["parties"]["lead"]["name"], "end": content["project"]["end"],
              "indicators": lines, "bar_years": bar_years}
    if template_problem(template):
        template = DEFAULT_ORDER
    return render_template(template, values)


def totals(content: dict) -> dict:
    """Budget totals by source, by category and overall; the disbursement plan's sum."""
    by_source = {s: Decimal("0.00") for s in SOURCES}
    by_line = []
    for line in content.get("budget", []):
        amounts = {s: money(line.get(s)) for s in SOURCES}
        for s, v in amounts.items():
            by_source[s] += v
        by_line.append({"category": line.get("category"), **amounts, "total": sum(amounts.values(), Decimal("0.00"))})
    return {
        "by_source": by_source, "lines": by_line, "total": sum(by_source.values(), Decimal("0.00")),
        "disbursed": sum((money(t.get("amount")) for t in content.get("disbursement", [])), Decimal("0.00")),
    }


def references(row: dict) -> list[str]:
    return [r for r in (row.get("bang_target", ""), row.get("committed", "")) if (r or "").strip()]


def indicator_verdict(row: dict) -> str:
    """ok / weaker / unknown against the bang's target and the team's commitment (added rows: ok)."""
    return indicator_rule.judge(row.get("target", ""), references(row))


def needs_confirmation(row: dict) -> bool:
    """A row that cannot be compared as numbers and that staff have not confirmed for this target."""
    return indicator_verdict(row) == indicator_rule.UNKNOWN and row.get("confirmed") != row.get("target")


def errors(content: dict, *, subsidy: Decimal, period_months: int, final: bool = False) -> dict[str, list[str]]:
    """What breaks the rules, by section. `final` adds what 定稿 needs on top of a save."""
    found: dict[str, list[str]] = {}

    def add(section, message):
        found.setdefault(section, []).append(message)

    project = content.get("project", {})
    start = end = None
    try:
        start = datetime.date.fromisoformat(project.get("start", ""))
        end = datetime.date.fromisoformat(project.get("end", ""))
    except (TypeError, ValueError):
        add("project", _("请填写项目起止日期。"))
    else:
        if end <= start:
            add("project", _("结束日期须晚于开始日期。"))
        elif end > add_months(start, period_months):
            add("project", _("实施期不能超过本榜的实施周期（%(n)d个月），最晚至%(last)s。")
                % {"n": period_months, "last": add_months(start, period_months).isoformat()})
    if not (content.get("objectives") or "").strip():
        add("objectives", _("请填写目标与主要内容。"))
    if not (content.get("route") or "").strip():
        add("route", _("请填写技术路线。"))

    rows = content.get("indicators", [])
    if not rows:
        add("indicators", _("请至少填写一项考核指标。"))
    for row in rows:
        if not (row.get("name") or "").strip() or not (row.get("target") or "").strip():
            add("indicators", _("每项指标都须填写名称和目标值。"))
            continue
        verdict = indicator_verdict(row)
        if verdict == indicator_rule.WEAKER:
            refs = []
            if row.get("bang_target"):
                refs.append(_("榜单要求“%(v)s”") % {"v": row["bang_target"]})
            if row.get("committed"):
                refs.append(_("承诺值“%(v)s”") % {"v": row["committed"]})
            add("indicators", _("指标“%(name)s”的目标值“%(target)s”低于%(refs)s，不能降低。")
                % {"name": row["name"], "target": row["target"], "refs": _("、").join(refs)})
        elif final and needs_confirmation(row):
            add("indicators", _("指标“%(name)s”无法按数值比较，须由管理人员确认不低于榜单要求和承诺值。")
                % {"name": row["name"]})

    schedule = content.get("schedule", [])
    if not schedule:
        add("schedule", _("请填写阶段目标与时间节点。"))
    for row in schedule:
        try:
            due = datetime.date.fromisoformat(row.get("due_date", ""))
        except (TypeError, ValueError):
            add("schedule", _("阶段“%(goal)s”缺少日期。") % {"goal": row.get("goal", "")})
            continue
        if start and end and not start <= due <= end:
            add("schedule", _("阶段“%(goal)s”的日期%(due)s不在项目起止日期内。") % {"goal": row.get("goal", ""),
                                                                                "due": due.isoformat()})

    staffing = content.get("staffing", [])
    roles = [row.get("role") for row in staffing]
    if "chief" not in roles:
        add("staffing", _("人员名单须包括首席科学家。"))
    if "lead" not in roles:
        add("staffing", _("人员名单须包括项目负责人。"))
    for row in staffing:
        try:
            months = int(row.get("months", 0))
        except (TypeError, ValueError):
            months = -1
        if not 0 <= months <= 12:
            add("staffing", _("%(name)s的投入时间须为0至12个月/年。") % {"name": row.get("name", "")})
        elif row.get("role") == "lead" and months < MIN_LEAD_MONTHS:
            add("staffing", _("项目负责人每年投入本项目的时间不得少于%(n)d个月。") % {"n": MIN_LEAD_MONTHS})

    try:
        sums = totals(content)
    except ValueError:
        add("budget", _("预算和拨付金额须为数字（万元）。"))
        return found
    if sums["by_source"]["subsidy"] != subsidy:
        add("budget", _("财政补助合计%(sum)s万元，须等于立项补助%(subsidy)s万元。")
            % {"sum": sums["by_source"]["subsidy"], "subsidy": subsidy})
    if any(v < 0 for line in sums["lines"] for v in line.values() if isinstance(v, Decimal)):
        add("budget", _("预算金额不能为负数。"))
    tranches = content.get("disbursement", [])
    if not tranches:
        add("disbursement", _("请填写拨付计划。"))
    if any(money(t.get("amount")) <= 0 for t in tranches):
        add("disbursement", _("每笔拨付金额须大于0。"))
    if sums["disbursed"] != subsidy:
        add("disbursement", _("拨付计划合计%(sum)s万元，须等于立项补助%(subsidy)s万元。")
            % {"sum": sums["disbursed"], "subsidy": subsidy})
    return found
