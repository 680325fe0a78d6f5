from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.enums import OrganisationKind
from accounts.forms import RegionChoiceField
from bangs.models import MAX_PARTNERS_LIMIT
from core.forms import PortalFormMixin, RowFormMixin, UploadField, mark_required_on_submit, row_formset

from .enums import CostCategory, FundingSource
from .models import MAX_AVOIDED, Application
from .services import DRAFT_FIELDS, REQUIRED_FOR_SUBMIT


class ApplicationForm(PortalFormMixin, forms.ModelForm):
    """The plan's text and people. All optional here: a draft may be incomplete."""

    class Meta:
        model = Application
        fields = DRAFT_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ("route_description", "objectives", "route_innovation", "basis", "team", "ip_arrangements",
                         "risks")
        }
        help_texts = {
            "route_label": _("用于赛马制按技术路线分组，如“高纯多晶硅改良西门子法”"),
            "lead_months": _("不少于6个月"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        mark_required_on_submit(self, REQUIRED_FOR_SUBMIT)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("技术路线"), "route_label", "route_description"),
            Fieldset(_("首席科学家"), Row(Column("chief_name"), Column("chief_title"), Column("chief_unit"))),
            Fieldset(
                _("项目负责人"),
                Row(Column("lead_name"), Column("lead_title"), Column("lead_unit")),
                Row(Column("lead_phone"), Column("lead_email"), Column("lead_months")),
            ),
            Fieldset(_("实施方案"), "objectives", "route_innovation", "basis", "team", "ip_arrangements", "risks"),
        )


class PartnerRowForm(RowFormMixin, forms.Form):
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    name = forms.CharField(label=_("单位名称（未注册单位填写）"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("单位类型"), required=False, choices=[("", "---------"), *OrganisationKind.choices]
    )
    region = RegionChoiceField(required=False, help_text="")
    role = forms.CharField(label=_("承担任务"), max_length=200)
    work_share = forms.DecimalField(label=_("工作量占比（%）"), min_value=0, max_value=100, decimal_places=2)


class MilestoneRowForm(RowFormMixin, forms.Form):
    due_date = forms.DateField(
        label=_("时间节点"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    deliverable = forms.CharField(label=_("阶段成果"), max_length=300)
    indicator = forms.CharField(label=_("考核指标"), max_length=300, required=False)


class AvoidedRowForm(RowFormMixin, forms.Form):
    """One expert the applicant asks not to be reviewed by. A blank row is ignored; a row begun needs
    all three (the service checks the same, and the limit)."""

    name = forms.CharField(label=_("专家姓名"), max_length=64, required=False)
    unit = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    reason = forms.CharField(label=_("回避理由"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(name) for name in ("name", "unit", "reason")) and not cleaned.get("DELETE"):
            for name in ("name", "unit", "reason"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("此项为必填项。"))
        return cleaned


# A list allows at most MAX_PARTNERS_LIMIT partners; a few more rows leave room to delete and re-add.
PARTNER_ROWS = MAX_PARTNERS_LIMIT + 5
MILESTONE_ROWS = 30
PartnerFormSet = row_formset(PartnerRowForm, rows=PARTNER_ROWS)
MilestoneFormSet = row_formset(MilestoneRowForm, rows=MILESTONE_ROWS)
AvoidedFormSet = row_formset(AvoidedRowForm, rows=MAX_AVOIDED, extra=MAX_AVOIDED)


class BudgetForm(forms.Form):
    """The budget grid: one row per cost category, one column per funding source (万元)."""

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        current = {line.category: line for line in lines}
        for category in CostCategory:
            row = []
            for source in FundingSource:
                name = f"{category.value}__{source.value}"
                line = current.get(category.value)
                label = f"{category.label}·{source.label}"
                self.fields[name] = forms.DecimalField(
                    label=label, required=False, min_value=0, max_digits=12,
                    decimal_places=2, initial=getattr(line, source.value) if line else None,
                    # The grid shows the label as its row and column headers; a screen reader reaching
                    # a cell needs both in one name.
                    widget=forms.NumberInput(
                        attrs={"step": "0.01", "class": "form-control form-control-sm", "aria-label": label}
                    ),
                )
                row.append(self[name])
            self.rows.append((category.label, row))

    def grid(self) -> dict[str, dict]:
        data: dict[str, dict] = {}
        for name, value in self.cleaned_data.items():
            category, source = name.split("__")
            data.setdefault(category, {})[source] = value
        return data


class CommitmentsForm(PortalFormMixin, forms.Form):
    def __init__(self, *args, commitments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for commitment in commitments:
            name = f"c_{commitment.indicator_id}"
            self.fields[name] = forms.CharField(
                label=commitment.indicator.name, required=False, max_length=100, initial=commitment.value,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.rows.append((commitment, self[name]))

    def values(self) -> dict[int, str]:
        return {int(name[2:]): value for name, value in self.cleaned_data.items()}


class DecisionForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予推荐或退回补正时必填，申报单位可见。"),
    )


class AttachmentForm(PortalFormMixin, forms.Form):
    file = UploadField()


class RecommenderRouteForm(PortalFormMixin, forms.Form):
    region = forms.ModelChoiceField(label=_("申报单位所在盟市或省份"), queryset=None)
    recommender = forms.ModelChoiceField(label=_("推荐单位"), queryset=None)

    def __init__(self, *args, **kwargs):
        from accounts.models import Organisation, Region

        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(level__in=["city", "province"]).order_by("code")
        self.fields["recommender"].queryset = Organisation.objects.filter(
            kind="government", is_placeholder=False
        ).order_by("name")
