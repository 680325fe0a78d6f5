"""Forms of the staff side of notices (publish, amend, handle, record) and the lead unit's response."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from bangs.forms import datetime_field
from core.forms import PortalFormMixin, UploadField

from .enums import ObjectorKind, RefusalGround


class Untagged:
    """Rendered with {% crispy form %} inside a <form> the template writes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class PublishForm(Untagged, PortalFormMixin, forms.Form):
    bangs = forms.MultipleChoiceField(label=_("公示的技术榜"), widget=forms.CheckboxSelectMultiple,
                                      help_text=_("默认全部拟定结果；也可分批公示。"))
    title = forms.CharField(label=_("标题"), max_length=200)
    basis = forms.CharField(label=_("依据与评审过程"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    how_to_object = forms.CharField(label=_("异议方式"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))
    confirm_warnings = forms.BooleanField(label=_("已知悉，确认发布"), required=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bangs"].choices = choices


class AmendForm(Untagged, PortalFormMixin, forms.Form):
    title = forms.CharField(label=_("更正标题"), max_length=200)
    body = forms.CharField(label=_("更正内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class RefuseForm(PortalFormMixin, forms.Form):
    ground = forms.ChoiceField(label=_("不予受理的理由"), choices=RefusalGround.choices)
    reply = forms.CharField(label=_("书面答复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AskForm(PortalFormMixin, forms.Form):
    question = forms.CharField(label=_("需要牵头单位说明的事项"), max_length=3000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    deadline = datetime_field(_("答复期限"))


class DecideForm(PortalFormMixin, forms.Form):
    UPHELD, DISMISSED = "upheld", "dismissed"
    outcome = forms.ChoiceField(label=_("处理结论"), choices=[(UPHELD, _("异议成立")), (DISMISSED, _("异议不成立"))],
                                widget=forms.RadioSelect)
    reply = forms.CharField(label=_("书面答复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(PortalFormMixin, forms.Form):
    text = forms.CharField(label=_("内部备注"), max_length=3000, widget=forms.Textarea(attrs={"rows": 2}))


class RecordForm(Untagged, PortalFormMixin, forms.Form):
    """录入: an objection that arrived by letter, typed in by staff, with the scanned letter."""

    entry = forms.ChoiceField(label=_("异议对象（技术榜）"))
    kind = forms.ChoiceField(label=_("异议人类型"), choices=ObjectorKind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False)
    mobile = forms.CharField(label=_("手机"), max_length=11, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    unit_name = forms.CharField(label=_("单位名称"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    legal_rep = forms.CharField(label=_("法定代表人"), max_length=64, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    grounds = forms.CharField(label=_("异议理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    received_at = datetime_field(_("收到时间（邮戳或签收时间）"),
                                 help_text=_("按收到时间判断是否在公示期内，北京时间。"))
    scan = UploadField(label=_("书面异议扫描件（PDF/JPG/PNG）"))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = entries


class AnswerForm(Untagged, PortalFormMixin, forms.Form):
    answer = forms.CharField(label=_("书面说明"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    upload = UploadField(label=_("附件（可选）"), required=False)
