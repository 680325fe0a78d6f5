from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.validators import (
    normalize_credit_code,
    validate_credit_code,
    validate_mobile,
)
from core.forms import PortalFormMixin, UploadField
from demands.models import TechField

from .models import ExpertConflict, ExpertProfile


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name}（{obj.credit_code}）"


class ProfileForm(PortalFormMixin, forms.ModelForm):
    """The profile's own fields. The account it belongs to is never a field: the view decides it."""

    unit = UnitChoiceField(queryset=Organisation.objects.order_by("name"), label=_("工作单位"),
                           help_text=_("单位须已在平台登记；区内/区外由单位所在地区确定。"))
    fields = forms.ModelMultipleChoiceField(
        queryset=TechField.objects.filter(is_active=True), label=_("技术领域"),
        widget=forms.CheckboxSelectMultiple, error_messages={"required": _("请至少选择一个技术领域。")},
    )

    class Meta:
        model = ExpertProfile
        fields = ["unit", "title", "fields", "specialties", "phone", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].error_messages["required"] = _("请至少选择一个技术领域。")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ExpertAccountForm(PortalFormMixin, forms.Form):
    """Staff: the person behind a new expert (their account)."""

    full_name = forms.CharField(label=_("姓名"), max_length=64)
    mobile = forms.CharField(label=_("手机"), max_length=11, validators=[validate_mobile])
    email = forms.EmailField(label=_("电子邮箱"), max_length=254, help_text=_("用于接收设置密码的链接。"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # An existing account's mobile and e-mail are kept in user management, not here.
            del self.fields["mobile"], self.fields["email"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Fieldset(_("账号"), *self.fields))

    def clean_mobile(self):
        return self.cleaned_data["mobile"].strip()


class DeactivateForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("停用原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ConflictForm(PortalFormMixin, forms.ModelForm):
    unit_name = forms.CharField(label=_("单位名称"), max_length=200, required=False,
                                help_text=_("已在平台注册的单位可不填，按信用代码自动带出。"))

    class Meta:
        model = ExpertConflict
        fields = ["credit_code", "unit_name", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        return code

    def validate_unique(self):
        """The uniqueness per profile is checked by the service, which knows the profile."""


class ImportForm(PortalFormMixin, forms.Form):
    file = UploadField(label=_("Excel 文件（.xlsx）"), help_text=_("请使用下载的模板填写；每次最多 2000 行。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
