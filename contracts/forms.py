"""The task-book forms: the lead's draft (project dates and texts, the bang's indicators, added
indicators, schedule, staffing, budget grid, disbursement plan), comments, signing, amendment.

The forms are the first line only: contracts.services re-checks every rule (contracts.content)."""

import datetime
from types import SimpleNamespace

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.enums import FundingSource
from applications.forms import BudgetForm
from core.forms import PortalFormMixin, RowFormMixin, UploadField, formset_rows, row_formset

from .content import Condition, money
from .enums import StaffRole

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(PortalFormMixin, forms.Form):
    start = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    objectives = forms.CharField(label=_("目标与主要内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    route = forms.CharField(label=_("技术路线"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    ip = forms.CharField(label=_("知识产权约定"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                         max_length=10000)
    benefit = forms.CharField(label=_("利益分配"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=10000)
    note = forms.CharField(label=_("修改说明（选填）"), required=False, max_length=200)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("结束日期须晚于开始日期。"))
        return cleaned


class IndicatorsForm(PortalFormMixin, forms.Form):
    """The bang's own indicators: their names, units and the references are fixed; the lead sets the
    task book's target (not weaker than the bang's and the committed value) and the test method."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for row in rows:
            key = row["key"]
            self.fields[f"t_{key}"] = forms.CharField(
                label=_("%(name)s 目标值") % {"name": row["name"]}, max_length=100, initial=row.get("target", ""),
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
            self.fields[f"m_{key}"] = forms.CharField(
                label=_("%(name)s 测试方法") % {"name": row["name"]}, max_length=300, required=False,
                initial=row.get("test_method", ""), widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
            self.rows.append((row, self[f"t_{key}"], self[f"m_{key}"]))

    def values(self) -> list[dict]:
        return [{"key": row["key"], "target": self.cleaned_data[f"t_{row['key']}"].strip(),
                 "test_method": self.cleaned_data[f"m_{row['key']}"].strip()} for row, _t, _m in self.rows]


class ExtraIndicatorForm(RowFormMixin, forms.Form):
    name = forms.CharField(label=_("新增指标名称"), max_length=200)
    target = forms.CharField(label=_("目标值"), max_length=100)
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)
    test_method = forms.CharField(label=_("测试方法"), max_length=300, required=False)


class ScheduleForm(RowFormMixin, forms.Form):
    due_date = forms.DateField(label=_("时间节点"), widget=DATE_WIDGET)
    goal = forms.CharField(label=_("阶段目标"), max_length=300)
    indicator = forms.CharField(label=_("考核内容"), max_length=300, required=False)


class StaffingForm(RowFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    unit = forms.CharField(label=_("单位"), max_length=200)
    title = forms.CharField(label=_("职称/职务"), max_length=64, required=False)
    role = forms.ChoiceField(label=_("项目分工"), choices=[("", "---------"), *StaffRole.choices])
    months = forms.IntegerField(label=_("每年投入（月）"), min_value=0, max_value=12)


class TrancheForm(RowFormMixin, forms.Form):
    label = forms.CharField(label=_("批次"), max_length=60)
    condition = forms.ChoiceField(label=_("拨付条件"), choices=lambda: [("", "---------"), *Condition.choices()])
    amount = forms.DecimalField(label=_("金额（万元）"), min_value=0, max_digits=12, decimal_places=2)


ExtraIndicatorFormSet = row_formset(ExtraIndicatorForm, rows=20)
ScheduleFormSet = row_formset(ScheduleForm, rows=40)
StaffingFormSet = row_formset(StaffingForm, rows=40)
TrancheFormSet = row_formset(TrancheForm, rows=12, extra=1)


def budget_form(data, content: dict) -> BudgetForm:
    lines = [SimpleNamespace(category=line.get("category"), **{s.value: line.get(s.value) for s in FundingSource})
             for line in content.get("budget", [])]
    return BudgetForm(data, lines=lines)


class DraftForms:
    """Every part of the draft form, bound or not, and the content they make together."""

    def __init__(self, content: dict, data=None):
        project = content.get("project", {})
        bang_rows = [r for r in content.get("indicators", []) if r.get("key", "").startswith("b")]
        added = [r for r in content.get("indicators", []) if not r.get("key", "").startswith("b")]
        self.project = ProjectForm(data, initial={
            "start": project.get("start"), "end": project.get("end"), "objectives": content.get("objectives", ""),
            "route": content.get("route", ""), "ip": content.get("ip", ""), "benefit": content.get("benefit", "")})
        self.indicators = IndicatorsForm(data, rows=bang_rows)
        self.extra = ExtraIndicatorFormSet(data, prefix="extra", initial=[
            {k: r.get(k, "") for k in ("name", "target", "unit", "test_method")} for r in added])
        self.schedule = ScheduleFormSet(data, prefix="schedule", initial=[
            {"due_date": _date(r.get("due_date")), "goal": r.get("goal", ""), "indicator": r.get("indicator", "")}
            for r in content.get("schedule", [])])
        self.staffing = StaffingFormSet(data, prefix="staffing", initial=content.get("staffing", []))
        self.budget = budget_form(data, content)
        self.tranches = TrancheFormSet(data, prefix="tranches", initial=content.get("disbursement", []))

    @property
    def all(self):
        return [self.project, self.indicators, self.extra, self.schedule, self.staffing, self.budget, self.tranches]

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all])

    def content(self) -> dict:
        """What was posted, in the content's shape (the service keeps only what the lead may change)."""
        p = self.project.cleaned_data
        indicators = self.indicators.values() + [
            {"key": "", **{k: (row.get(k) or "").strip() for k in ("name", "target", "unit", "test_method")}}
            for row in formset_rows(self.extra)]
        budget = []
        for category, amounts in self.budget.grid().items():
            if any(v for v in amounts.values()):
                budget.append({"category": category, **{s: str(money(v)) for s, v in amounts.items()}})
        return {
            "project": {"start": p["start"].isoformat(), "end": p["end"].isoformat()},
            "objectives": p["objectives"].strip(), "route": p["route"].strip(), "ip": p["ip"].strip(),
            "benefit": p["benefit"].strip(), "indicators": indicators,
            "schedule": [{"due_date": r["due_date"].isoformat(), "goal": r["goal"].strip(),
                          "indicator": (r.get("indicator") or "").strip()} for r in formset_rows(self.schedule)],
            "staffing": [{"name": r["name"].strip(), "unit": r["unit"].strip(), "title": (r.get("title") or "").strip(),
                          "role": r["role"], "months": r["months"]} for r in formset_rows(self.staffing)],
            "budget": budget,
            "disbursement": [{"label": r["label"].strip(), "condition": r["condition"], "amount": str(money(r["amount"]))}
                             for r in formset_rows(self.tranches)],
        }


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


class CommentForm(PortalFormMixin, forms.Form):
    body = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ReasonForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class SignForm(PortalFormMixin, forms.Form):
    scan = UploadField(label=_("盖章后的扫描件（PDF、JPG 或 PNG）"))
    signer_name = forms.CharField(label=_("签署人（法定代表人或授权代表）"), max_length=64)
    signer_title = forms.CharField(label=_("职务"), max_length=64)
    confirm = forms.BooleanField(label=_("我确认上传的是本单位盖章后的任务书，且与平台签发的版本一致。"))
