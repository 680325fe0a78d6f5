from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from core.forms import PortalFormMixin

from .enums import Role
from .models import Organisation, Region, User
from .validators import normalize_credit_code, validate_credit_code


class RegionChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Region.objects.select_related("parent").order_by("code"))
        kwargs.setdefault("label", _("所在地区"))
        kwargs.setdefault("help_text", _("内蒙古的单位请选择所在旗县区；区外单位选择所在省份。"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Region) -> str:
        if obj.level == "city":
            return f"{obj.name}（{_('盟市本级')}）"
        return str(obj)


class RegisterForm(PortalFormMixin, forms.Form):
    role = forms.ChoiceField(
        label=_("注册身份"),
        choices=[(Role.ENTERPRISE, _("发榜企业（提交技术需求）")), (Role.APPLICANT, _("揭榜单位（申报揭榜）"))],
        widget=forms.RadioSelect,
    )
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=1)
    name = forms.CharField(label=_("单位名称"), max_length=200)
    kind = forms.ChoiceField(label=_("单位类型"), choices=Organisation._meta.get_field("kind").choices)
    region = RegionChoiceField()
    address = forms.CharField(label=_("单位地址"), max_length=200, required=False)
    postcode = forms.CharField(label=_("邮编"), max_length=6, required=False)
    username = forms.CharField(label=_("登录名"), max_length=150, help_text=_("字母、数字或 @/./+/-/_"))
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    mobile = forms.CharField(label=_("手机"), max_length=11)
    email = forms.EmailField(label=_("电子邮箱"))
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "role",
            Fieldset(_("单位信息"), "credit_code", "name", "kind", "region", "address", "postcode"),
            Fieldset(_("账号信息"), "username", "full_name", "mobile", "email", "password1", "password2"),
            Submit("submit", _("注册")),
        )

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        return code

    def clean_username(self):
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该登录名已被使用。"))
        return username

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password1")
        if password:
            probe = User(username=self.cleaned_data.get("username", ""), email=self.cleaned_data.get("email", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        # Run the model validators (mobile, postcode) so their messages sit next to the fields.
        for name, model, field in (("mobile", User, "mobile"), ("postcode", Organisation, "postcode")):
            value = self.cleaned_data.get(name)
            if value:
                try:
                    model._meta.get_field(field).run_validators(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)

    def unit_data(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("credit_code", "name", "kind", "region", "address", "postcode")}

    def user_data(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("username", "full_name", "mobile", "email")}


class OrganisationForm(PortalFormMixin, forms.ModelForm):
    """The unit's own particulars, edited by its members (not the credit code)."""

    region = RegionChoiceField()

    class Meta:
        model = Organisation
        fields = [
            "name", "kind", "region", "address", "postcode", "legal_rep", "legal_rep_phone",
            "economic_nature", "staff_size", "last_year_output",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("保存")))


class StaffUserForm(PortalFormMixin, forms.ModelForm):
    """An administrator's account form. It has no password: the owner sets it from an e-mailed link."""

    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False,
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "mobile", "email", "title", "organisation", "department", "is_active"]

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_placeholder=False).order_by("name")
        self.fields["email"].required = True
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.role_codes)
        else:
            self.fields["email"].help_text = _("账号建立后，系统向此邮箱发送设置密码的链接。")
        if self.instance.pk and self.instance.pk == by.pk:
            # Disabled fields ignore whatever is posted: nobody moves or re-roles themselves.
            for name in ("organisation", "department", "is_active", "roles"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("不能修改自己的此项，请由其他管理员办理。")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div("username", "full_name", "mobile", "email", "title"),
            Div("organisation", "department", "roles", "is_active"),
            Submit("submit", _("保存")),
        )


    def clean_username(self):
        username = self.cleaned_data["username"]
        if self.instance.pk and username == User.objects.get(pk=self.instance.pk).username:
            return username  # unchanged: an older clash in case does not block other edits
        taken = User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("该登录名已被使用（不区分大小写）。"))
        return username

    def clean(self):
        data = super().clean()
        department, organisation = data.get("department"), data.get("organisation")
        if department is not None and department.organisation_id not in (None, getattr(organisation, "pk", None)):
            self.add_error("department", _("所选处室不属于该账号的所属单位。"))
        return data


class DishonestForm(PortalFormMixin, forms.Form):
    is_dishonest = forms.BooleanField(label=_("列入失信名单"), required=False)
    note = forms.CharField(label=_("说明（仅管理人员可见）"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("保存"), css_class="btn-warning"))


class TwoFactorCodeForm(forms.Form):
    """A six-digit code from the authenticator app (sign-in, enrolment, and changes to the factor)."""

    code = forms.CharField(
        label=_("验证码"), max_length=12, help_text=_("身份验证器应用中显示的6位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("恢复码"), max_length=32, help_text=_("启用两步验证时保存的恢复码之一，每个只能使用一次。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "autofocus": True}),
    )
