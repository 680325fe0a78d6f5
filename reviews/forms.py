from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from bangs.forms import datetime_field
from core.forms import PortalFormMixin, RowFormMixin, row_formset
from demands.models import TechField

from .enums import DEFAULT_RUBRIC, MIN_PANEL_SIZE, Recommendation
from .models import ReviewPlan


class Untagged:
    """Rendered with {% crispy form %} inside a <form> the template writes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class PlanForm(PortalFormMixin, forms.ModelForm):
    deadline = datetime_field(_("评审截止时间"), help_text=_("北京时间，精确到秒。截止后不能再提交评分。"))

    class Meta:
        model = ReviewPlan
        fields = ["panel_size", "out_of_region_share", "blind", "deadline", "visibility", "divergence_threshold",
                  "load_cap", "response_hours", "share_comments"]
        help_texts = {"panel_size": _("至少3人，默认5人。每个技术榜一个评审组，同一技术榜的申报由同一组专家评审。")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel_size"].min_value = MIN_PANEL_SIZE
        self.helper = FormHelper()
        self.helper.form_tag = False


class CriterionRowForm(RowFormMixin, forms.Form):
    name = forms.CharField(label=_("评分项"), max_length=100)
    weight = forms.IntegerField(label=_("权重"), min_value=1, max_value=100)
    max_score = forms.DecimalField(label=_("满分"), min_value=1, max_value=1000, decimal_places=1)


CriterionFormSet = row_formset(CriterionRowForm, rows=12, extra=1)


def default_rubric() -> list[dict]:
    return [{"name": str(name), "weight": weight, "max_score": max_score} for name, weight, max_score in DEFAULT_RUBRIC]


class ReasonForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DeadlineForm(Untagged, PortalFormMixin, forms.Form):
    deadline = datetime_field(_("新的评审截止时间"))
    reason = forms.CharField(label=_("调整理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DrawForm(Untagged, PortalFormMixin, forms.Form):
    extra_fields = forms.ModelMultipleChoiceField(
        label=_("扩大到以下领域（可选）"), queryset=TechField.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("仅在本领域专家不足时使用，须填写理由并记入抽取记录。"))
    widen_reason = forms.CharField(label=_("扩大领域的理由"), max_length=1000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, bang=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bang is not None:
            self.fields["extra_fields"].queryset = TechField.objects.filter(is_active=True).exclude(pk=bang.field_id)

    def clean(self):
        data = super().clean()
        if data.get("extra_fields") and not (data.get("widen_reason") or "").strip():
            self.add_error("widen_reason", _("扩大抽取领域须填写理由。"))
        return data


class RespondForm(Untagged, PortalFormMixin, forms.Form):
    ANSWERS = [("accept", _("确认与申报单位无利益冲突，接受评审")), ("conflict", _("存在利益冲突，申请回避")),
               ("decline", _("谢绝本次评审"))]
    answer = forms.ChoiceField(label=_("您的答复"), choices=ANSWERS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("申请回避时必填：请说明与哪家单位存在何种关系。"))

    def clean(self):
        data = super().clean()
        if data.get("answer") == "conflict" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请说明利益冲突的情况。"))
        return data


class ScoreForm(PortalFormMixin, forms.Form):
    """One field per criterion (c<id>) and its comment (n<id>), the overall comment and the
    recommendation. Nothing is required here: a draft may be partial; the service decides what a
    submission needs."""

    comment = forms.CharField(label=_("总体意见"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    recommendation = forms.ChoiceField(label=_("推荐意见"), required=False,
                                       choices=[("", _("请选择")), *Recommendation.choices])

    def __init__(self, *args, criteria=(), score=None, **kwargs):
        initial = {}
        if score is not None:
            initial = {"comment": score.comment, "recommendation": score.recommendation}
            for key, value in score.values.items():
                initial[f"c{key}"] = value
            for key, value in score.criterion_comments.items():
                initial[f"n{key}"] = value
        super().__init__(*args, initial=initial, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = forms.DecimalField(
                label=_("%(name)s（满分%(max)s，权重%(weight)d）") % {
                    "name": criterion.name, "max": criterion.max_score, "weight": criterion.weight},
                required=False, min_value=Decimal("0"), max_value=criterion.max_score, decimal_places=1,
                widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": str(criterion.max_score)}))
            self.fields[f"n{criterion.pk}"] = forms.CharField(
                label=_("“%(name)s”评分说明") % {"name": criterion.name}, required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}), help_text=_("得分低于满分60%时必填。"))
        self.order_fields([n for c in self.criteria for n in (f"c{c.pk}", f"n{c.pk}")] + ["comment", "recommendation"])
        self.helper = FormHelper()
        self.helper.form_tag = False

    def values(self) -> dict:
        return {str(c.pk): self.cleaned_data.get(f"c{c.pk}") for c in self.criteria
                if self.cleaned_data.get(f"c{c.pk}") is not None}

    def comments(self) -> dict:
        return {str(c.pk): self.cleaned_data.get(f"n{c.pk}") or "" for c in self.criteria}


class OpinionForm(Untagged, PortalFormMixin, forms.Form):
    willing = forms.TypedChoiceField(label=_("合作意愿"), choices=[("1", _("愿意合作")), ("0", _("不愿意合作"))],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ProposalForm(PortalFormMixin, forms.Form):
    applications = forms.MultipleChoiceField(label=_("拟立项团队"), required=False, widget=forms.CheckboxSelectMultiple)
    passover_reason = forms.CharField(label=_("未按排名选择的理由"), max_length=2000, required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("未选择排名更靠前的团队时必填。"))
    declined_reason = forms.CharField(label=_("选择发榜企业不愿合作团队的理由"), max_length=2000, required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(label=_("一事一议理由"), max_length=2000, required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("补助合计超过本榜上限时必填，并填写批准人。"))
    override_approver = forms.CharField(label=_("一事一议批准人"), max_length=100, required=False)

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(str(r.pk), r.lead_name) for r in rows]


class CarryForm(PortalFormMixin, forms.Form):
    into = forms.ModelChoiceField(label=_("转入榜单（草稿）"), queryset=None)

    def __init__(self, *args, lists=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = lists
