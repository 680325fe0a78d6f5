from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PortalFormMixin, mark_required_on_submit

from .models import TEXT_LIMITS, CollectionRound, Demand, TechField
from .services import REQUIRED_FOR_SUBMIT


def counted_textarea(limit: int | None, rows: int = 6) -> forms.Textarea:
    attrs = {"rows": rows}
    if limit:
        # The live counter reads data-limit; no maxlength, so the server gives the message.
        attrs["data-limit"] = str(limit)
    return forms.Textarea(attrs=attrs)


class DemandForm(PortalFormMixin, forms.ModelForm):
    """The 需求表. Every field is optional here: a draft may be incomplete; submit checks the rest."""

    class Meta:
        model = Demand
        fields = [
            "round", "field", "field_other", "contact_name", "contact_title", "contact_mobile", "contact_email",
            "name", "cooperation_mode", "cooperation_other", "background", "content", "basis",
            "solver_requirements", "ip_terms", "field_test", "period_months", "total_investment",
        ]
        widgets = {
            "cooperation_mode": forms.RadioSelect,
            "field": forms.RadioSelect,
            "background": counted_textarea(TEXT_LIMITS["background"]),
            "content": counted_textarea(TEXT_LIMITS["content"], rows=10),
            "basis": counted_textarea(TEXT_LIMITS["basis"]),
            "solver_requirements": counted_textarea(TEXT_LIMITS["solver_requirements"]),
            "ip_terms": counted_textarea(TEXT_LIMITS["ip_terms"]),
            "field_test": counted_textarea(None, rows=4),
        }
        help_texts = {
            "background": _("限1000字"),
            "content": _("具体需求或技术痛点问题概述、技术解决的价值意义、产品目标和具体技术参数要求等，限3000字"),
            "basis": _("已开展的工作、所处阶段、投入资金和人力、仪器设备、生产条件等，限1000字"),
            "solver_requirements": _("希望与哪类单位开展合作，对合作方所属领域和水平的要求，限1000字"),
            "ip_terms": _("限1000字"),
            "field_test": _("实测时间、地点、方法、指标等"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.now()
        current_round = self.instance.round_id if self.instance.pk else None
        open_rounds = Q(opens_at__lte=now) & (Q(closes_on__isnull=True) | Q(closes_on__gte=timezone.localdate()))
        self.fields["round"].queryset = CollectionRound.objects.filter(
            open_rounds | Q(pk=current_round)
        ).order_by("-opens_at")
        self.fields["field"].queryset = TechField.objects.filter(Q(is_active=True) | Q(pk=self.instance.field_id))
        self.fields["field"].empty_label = None
        self.fields["cooperation_mode"].choices = [c for c in self.fields["cooperation_mode"].choices if c[0]]
        for field in self.fields.values():
            field.required = False
        mark_required_on_submit(self, REQUIRED_FOR_SUBMIT)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("联系人"),
                Row(Column("contact_name"), Column("contact_title")),
                Row(Column("contact_mobile"), Column("contact_email")),
            ),
            Fieldset(
                _("二、项目需求信息"),
                "round", "field", "field_other", "name", "cooperation_mode", "cooperation_other",
                "background", "content", "basis", "solver_requirements", "ip_terms", "field_test",
                Row(Column("period_months"), Column("total_investment")),
            ),
        )


class ScreeningForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("意见（企业可见）"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回修改或不予通过时必填。"),
    )
    internal_note = forms.CharField(
        label=_("内部备注（仅管理人员可见）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class WithdrawForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤回原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RoundForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = CollectionRound
        fields = ["title", "opens_at", "closes_on", "min_self_investment", "max_period_months", "fields"]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "fields": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opens_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["closes_on"].help_text = _("需求填报截至当日24时（北京时间）；留空表示常年开放。")
        self.helper = FormHelper()
        self.helper.form_tag = False


class TechFieldForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = TechField
        fields = ["name", "department", "sort_order", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
