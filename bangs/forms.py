from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import Organisation, User
from accounts.validators import validate_phone_list
from core.forms import PortalFormMixin, RowFormMixin, UploadField, row_formset
from demands.models import Demand, TechField

from .enums import AttachmentCondition, AttachmentKind
from .models import MAX_PARTNERS_LIMIT, Bang, BangList

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    """A browser date-time picker with seconds (deadlines hold to the second)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(attrs={"step": "1"}, format="%Y-%m-%dT%H:%M:%S", **kwargs)


def datetime_field(label, required=True, help_text=""):
    return forms.DateTimeField(
        label=label, required=required, widget=DateTimeLocalInput(), input_formats=DATETIME_FORMATS,
        help_text=help_text,
    )


class LinesField(forms.CharField):
    """A list of strings edited as one item per line."""

    widget = forms.Textarea(attrs={"rows": 8})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


class BangListForm(PortalFormMixin, forms.ModelForm):
    conditions = LinesField(label=_("揭榜条件"), required=False, help_text=_("每行一条。"))
    opens_at = datetime_field(_("申报开始时间"))
    deadline = datetime_field(_("申报截止时间"), help_text=_("北京时间，精确到秒，例如 2024-04-12 23:59:59。"))
    recommend_deadline = datetime_field(_("推荐截止时间"), required=False)
    invited = forms.ModelMultipleChoiceField(
        label=_("定向邀请单位"), queryset=Organisation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}), help_text=_("仅定向发榜时填写；其他单位看不到该榜单。"),
    )

    class Meta:
        model = BangList
        fields = [
            "title", "preamble", "conditions", "process", "opens_at", "deadline", "recommend_deadline",
            "max_partners", "notice_days", "correction_days", "is_targeted", "invited",
        ]
        widgets = {"preamble": forms.Textarea(attrs={"rows": 4}), "process": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A placeholder's name was typed by an applicant: only registered units can be invited.
        # Each partner is a row of the application's table form, which holds a bounded number of rows.
        self.fields["max_partners"].validators.append(MaxValueValidator(MAX_PARTNERS_LIMIT))
        self.fields["max_partners"].widget.attrs["max"] = MAX_PARTNERS_LIMIT
        self.fields["invited"].queryset = (
            Organisation.objects.exclude(kind="government").filter(is_placeholder=False).order_by("name")
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "title", "preamble", "conditions", "process",
            Row(Column("opens_at"), Column("deadline"), Column("recommend_deadline")),
            Row(Column("max_partners"), Column("notice_days"), Column("correction_days")),
            "is_targeted", "invited",
        )

    def clean(self):
        data = super().clean()
        opens, deadline = data.get("opens_at"), data.get("deadline")
        if opens and deadline and opens >= deadline:
            self.add_error("deadline", _("截止时间必须晚于开始时间。"))
        if data.get("is_targeted") and not data.get("invited"):
            self.add_error("invited", _("定向发榜须至少邀请一个单位。"))
        return data


class ChecklistRowForm(RowFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=[("", "---------"), *AttachmentKind.choices])
    title = forms.CharField(label=_("材料名称"), max_length=200)
    required = forms.BooleanField(label=_("必须提交"), required=False)
    condition = forms.ChoiceField(label=_("适用情形"), choices=[("", "---------"), *AttachmentCondition.choices])


class ContactRowForm(RowFormMixin, forms.Form):
    purpose = forms.CharField(label=_("事项"), max_length=100)
    department = forms.CharField(label=_("部门"), max_length=100, required=False)
    name = forms.CharField(label=_("联系人"), max_length=64)
    phone = forms.CharField(label=_("电话"), max_length=64, validators=[validate_phone_list])
    bang_numbers = forms.CharField(label=_("对应榜单序号"), max_length=50, required=False)


CHECKLIST_ROWS = 30
CONTACT_ROWS = 20
ChecklistFormSet = row_formset(ChecklistRowForm, rows=CHECKLIST_ROWS)
ContactFormSet = row_formset(ContactRowForm, rows=CONTACT_ROWS)


class IndicatorRowForm(RowFormMixin, forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=200)
    target = forms.CharField(label=_("目标值"), max_length=100)
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)
    test_method = forms.CharField(label=_("测试方法"), max_length=300, required=False)


INDICATOR_ROWS = 30
IndicatorFormSet = row_formset(IndicatorRowForm, rows=INDICATOR_ROWS, extra=3)


class BangForm(PortalFormMixin, forms.ModelForm):
    demands = forms.ModelMultipleChoiceField(
        label=_("来源需求（需求库）"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("可选择一个或多个已入库的需求凝练为一个技术榜。"),
    )
    issuers = forms.ModelMultipleChoiceField(
        label=_("发榜企业"), queryset=Organisation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}), help_text=_("留空时取来源需求的企业。"),
    )

    class Meta:
        model = Bang
        fields = [
            "title", "kind", "field", "demands", "issuers", "background", "objectives", "field_test",
            "period_months", "total_investment", "subsidy_override", "override_reason", "override_approver",
            "solver_requirements", "ip_terms", "max_teams", "contact_name", "contact_department", "contact_phone",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("background", "objectives", "field_test", "solver_requirements", "ip_terms", "override_reason")
        }
        # The model's verbose_name says 榜单名称 (changing it would need a migration); on this form it is
        # one bang of the list that is being named.
        labels = {"title": _("技术榜名称")}

    def __init__(self, *args, pool=None, **kwargs):
        super().__init__(*args, **kwargs)
        pool_ids = list(pool.values_list("pk", flat=True)) if pool is not None else []
        current_ids = list(self.instance.demands.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["demands"].queryset = Demand.objects.filter(pk__in=pool_ids + current_ids).select_related(
            "organisation"
        )
        self.fields["demands"].label_from_instance = lambda d: f"{d.name}（{d.organisation.name}）"
        self.fields["issuers"].queryset = Organisation.objects.filter(kind="enterprise", is_placeholder=False).order_by(
            "name"
        )
        self.fields["field"].queryset = TechField.objects.filter(is_active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(_("基本信息"), "title", Row(Column("kind"), Column("field")), "demands", "issuers"),
            Fieldset(_("需求与目标"), "background", "objectives", "field_test", "solver_requirements", "ip_terms"),
            Fieldset(
                _("周期与经费"),
                Row(Column("period_months"), Column("total_investment"), Column("max_teams")),
                Row(Column("subsidy_override"), Column("override_approver")), "override_reason",
            ),
            Fieldset(_("业务联系人"), Row(Column("contact_name"), Column("contact_department"), Column("contact_phone"))),
        )


class AmendmentForm(PortalFormMixin, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 5}))
    new_deadline = datetime_field(_("延期至（选填）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ListWithdrawForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ListFileForm(PortalFormMixin, forms.Form):
    title = forms.CharField(label=_("文件名称"), max_length=200, required=False)
    file = UploadField()


class AssignExpertsForm(PortalFormMixin, forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("筛选专家"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, demand=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = User.objects.filter(role_grants__role=Role.EXPERT, is_active=True).select_related("organisation")
        if demand is not None:
            qs = qs.exclude(organisation_id=demand.organisation_id).exclude(demand_opinions__demand=demand)
        self.fields["experts"].queryset = qs.distinct().order_by("full_name")
        self.fields["experts"].label_from_instance = lambda u: f"{u.display_name}（{u.organisation or ''} {u.title}）"


class OpinionForm(PortalFormMixin, forms.Form):
    recommend = forms.TypedChoiceField(
        label=_("是否推荐发榜"), choices=[("1", _("推荐")), ("0", _("不推荐"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
