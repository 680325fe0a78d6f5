"""Forms of the stage reports and self-management pages (issue 13 section 2). They are the first line
only: `contracts.reports` checks everything again."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from applications.enums import CostCategory
from core.forms import PortalFormMixin

from .enums import ChangeKind
from .reports import MAX_PROGRESS, MAX_TEXT


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def _amount_field(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal(0), max_digits=12, decimal_places=2,
                              error_messages={"invalid": _("请填写金额（万元），如 12.50。"),
                                              "min_value": _("金额不能为负数。"),
                                              "max_decimal_places": _("金额最多保留两位小数（万元）。"),
                                              "max_digits": _("金额过大，请核对（单位为万元）。"),
                                              "max_whole_digits": _("金额过大，请核对（单位为万元）。")},
                              widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
                              **kwargs)


class ReportForm(PortalFormMixin, forms.Form):
    """One progress field per indicator of the task book in force, then spending and problems. The
    attachments are a plain multiple file input in the template, handed to the service as a list."""

    spending = _amount_field(_("截至目前累计支出（万元）"))
    problems = forms.CharField(label=_("存在问题及拟采取的措施"), required=False, max_length=MAX_TEXT,
                               widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        progress = {}
        for row in self.indicators:
            name = f"progress_{row['key']}"
            progress[name] = forms.CharField(
                label=_("%(name)s（目标：%(target)s）") % {"name": row.get("name", ""), "target": row.get("target", "")},
                max_length=MAX_PROGRESS, widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("请填写该指标的进展。")})
        # The indicators first, in the task book's order.
        self.fields = {**progress, **self.fields}
        for name in progress:
            self.fields[name].error_messages["required"] = _("请填写该指标的进展。")
        self.helper = _helper()

    def progress(self) -> dict[str, str]:
        return {row["key"]: self.cleaned_data.get(f"progress_{row['key']}", "") for row in self.indicators}


class CommentForm(PortalFormMixin, forms.Form):
    comment = forms.CharField(label=_("发榜企业意见"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ReturnForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写退回理由。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("请填写退回理由。")
        self.helper = _helper()


class ChangeForm(PortalFormMixin, forms.Form):
    """A route adjustment or a budget reallocation. For a reallocation, each cost category has a
    "before" (prefilled with the subsidy it has now) and an "after" amount."""

    kind = forms.ChoiceField(label=_("调整类型"), choices=ChangeKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(label=_("调整内容及理由"), max_length=MAX_TEXT,
                                  widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        self.categories = []
        for value, label in CostCategory.choices:
            before = current.get(value, Decimal("0.00"))
            self.fields[f"from_{value}"] = _amount_field(_("%(c)s 调剂前") % {"c": label}, required=False,
                                                         initial=before)
            self.fields[f"to_{value}"] = _amount_field(_("%(c)s 调剂后") % {"c": label}, required=False,
                                                       initial=before)
            self.categories.append((value, label))
        self.helper = _helper()

    def rows(self):
        """The budget table's rows for the template: (label, before field, after field)."""
        return [(label, self[f"from_{value}"], self[f"to_{value}"]) for value, label in self.categories]

    def details(self) -> list[dict]:
        """The rows with an amount, as the service takes them ("from"/"to" as strings)."""
        rows = []
        for value, _label in self.categories:
            before, after = self.cleaned_data.get(f"from_{value}"), self.cleaned_data.get(f"to_{value}")
            if before is None and after is None:
                continue
            rows.append({"category": value, "from": str(before if before is not None else Decimal("0.00")),
                         "to": str(after if after is not None else Decimal("0.00"))})
        return rows
