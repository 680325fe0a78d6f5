"""Forms of the mid-term decision and acceptance pages (issue 13). The first line only: the services
in contracts/midterm.py and contracts/acceptance.py decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalFormMixin, UploadField

from .enums import AcceptanceOutcome, MidtermOutcome, Verdict

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class _MergeChoices(forms.Form):
    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merged_into"].choices = [("", _("请选择"))] + [
            (str(p.pk), f"{p.project_number} {p.award.application.lead.name}") for p in candidates]


class MidtermForm(PortalFormMixin, _MergeChoices):
    outcome = forms.ChoiceField(label=_("评估结论"), choices=MidtermOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    new_subsidy = forms.DecimalField(label=_("调整后的财政补助（万元）"), required=False, **MONEY,
                                     help_text=_("增加或减少支持时填写，不得低于已拨付金额。"))
    spent = forms.DecimalField(label=_("已使用的财政资金（万元）"), required=False, **MONEY,
                               help_text=_("终止时填写，用于计算应退回金额；不填则按已拨付金额全部退回。"))
    merged_into = forms.ChoiceField(label=_("并入的团队"), required=False, help_text=_("合并时选择同一技术榜的其他团队。"))


class _ApplyFields(forms.Form):
    """One block of fields per indicator: <key>__measured, __method, __place, __tested_on, __report
    (added before PortalFormMixin sets the portal's messages, which it then does for these too)."""

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_rows = []
        for row in indicators:
            key = row["key"]
            self.fields[f"{key}__measured"] = forms.CharField(label=_("实测值"), max_length=100)
            self.fields[f"{key}__method"] = forms.CharField(label=_("测试方法"), max_length=300,
                                                            initial=row.get("test_method", ""))
            self.fields[f"{key}__place"] = forms.CharField(label=_("测试地点"), max_length=200)
            self.fields[f"{key}__tested_on"] = forms.DateField(label=_("测试日期"),
                                                               widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"{key}__report"] = UploadField(label=_("第三方测试报告（PDF、JPG 或 PNG）"))
            self.indicator_rows.append({**row, "fields": [self[f"{key}__{name}"] for name in
                                                          ("measured", "method", "place", "tested_on", "report")]})


class ApplyForm(PortalFormMixin, _ApplyFields):
    summary = forms.CharField(label=_("项目完成情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10000)
    early = forms.BooleanField(label=_("提前申请验收（实施期尚未结束）"), required=False)

    def tests(self) -> dict:
        data = self.cleaned_data
        return {row["key"]: {name: data.get(f"{row['key']}__{name}") for name in
                             ("measured", "method", "place", "tested_on", "report")} for row in self.indicator_rows}


class _JudgeFields(forms.Form):
    def __init__(self, *args, tests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.test_rows = []
        for test in tests:
            self.fields[f"{test.key}__verdict"] = forms.ChoiceField(label=_("是否达到"), choices=Verdict.choices,
                                                                    widget=forms.RadioSelect)
            self.fields[f"{test.key}__comment"] = forms.CharField(label=_("评价意见"), max_length=2000,
                                                                  widget=forms.Textarea(attrs={"rows": 2}))
            self.test_rows.append({"test": test, "fields": [self[f"{test.key}__verdict"], self[f"{test.key}__comment"]]})


class JudgeForm(PortalFormMixin, _JudgeFields):
    verdict = forms.ChoiceField(label=_("总体评价"), choices=Verdict.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("总体评价意见"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def verdicts(self) -> dict:
        data = self.cleaned_data
        return {row["test"].key: {"verdict": data.get(f"{row['test'].key}__verdict"),
                                  "comment": data.get(f"{row['test'].key}__comment")} for row in self.test_rows}


class DecideForm(PortalFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("验收结论"), choices=AcceptanceOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("结论说明"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    evidence = UploadField(label=_("原始研究记录（容错时必传；PDF、JPG 或 PNG）"), required=False)
    spent = forms.DecimalField(label=_("已使用的财政资金（万元）"), required=False, **MONEY,
                               help_text=_("未通过时填写，用于计算应退回金额；不填则按已拨付金额全部退回。"))
