"""The public's forms: filing an objection (异议) by real name, and reading its status."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import validate_upload
from core.forms import PortalFormMixin, UploadField, mark_required_on_submit

from . import services
from .enums import ObjectorKind

PERSON_FIELDS = ("name", "id_number", "mobile")
ORGANISATION_FIELDS = ("unit_name", "credit_code", "legal_rep", "contact_name", "contact_phone", "letter")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleUploadField(UploadField):
    """Several files from one input (Django's documented pattern); each is checked by the service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleUploadField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ObjectionForm(PortalFormMixin, forms.Form):
    entry = forms.TypedChoiceField(label=_("异议对象（技术榜）"), coerce=int)
    kind = forms.ChoiceField(label=_("异议人类型"), choices=ObjectorKind.choices, widget=forms.RadioSelect,
                             initial=ObjectorKind.PERSON)
    # 个人
    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False,
                                help_text=_("18位，最后一位可为X。"),
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    mobile = forms.CharField(label=_("手机"), max_length=11, required=False,
                             help_text=_("用于凭受理编号查询办理情况。"))
    # 单位
    unit_name = forms.CharField(label=_("单位名称"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    legal_rep = forms.CharField(label=_("法定代表人"), max_length=64, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False,
                                    help_text=_("用于凭受理编号查询办理情况。"))
    letter = UploadField(label=_("异议函（法定代表人签字并加盖公章）"), required=False,
                         help_text=_("PDF、JPG或PNG，按文件内容识别格式。"))
    # Both
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False, help_text=_("书面答复将同时发送至此邮箱。"))
    grounds = forms.CharField(label=_("异议理由"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 8, "data-limit": 2000}),
                              help_text=_("不超过2000字，请写明具体事实和理由。"))
    evidence = MultipleUploadField(label=_("证明材料（选填）"), required=False,
                                   help_text=_("最多%(n)d个文件：PDF、JPG、PNG或Office文档。") % {
                                       "n": services.MAX_EVIDENCE})
    pledge = forms.BooleanField(label=_("本人承诺所提供信息真实，并对其真实性负责"),
                                error_messages={"required": _("请确认所提供信息真实。")})

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", _("请选择"))] + [
            (entry.pk, f"{entry.content.get('number', '')}. {entry.content.get('title', '')}") for entry in entries]
        self.fields["pledge"].error_messages["required"] = _("请确认所提供信息真实。")
        if len(entries) == 1:
            self.fields["entry"].initial = entries[0].pk
        # Required for the chosen kind only: the service says which are missing; mark them all.
        mark_required_on_submit(self, PERSON_FIELDS + ORGANISATION_FIELDS)

    def clean_letter(self):
        letter = self.cleaned_data.get("letter")
        if letter is not None and self.data.get("kind") == ObjectorKind.ORGANISATION:
            validate_upload(letter, services.LETTER_TYPES)  # by content; the service checks again
        return letter

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        if len(files) > services.MAX_EVIDENCE:
            raise forms.ValidationError(_("证明材料最多%(n)d个。") % {"n": services.MAX_EVIDENCE})
        for upload in files:
            try:
                validate_upload(upload, services.EVIDENCE_TYPES)
            except forms.ValidationError as error:
                raise forms.ValidationError(f"{upload.name}：{' '.join(error.messages)}") from error
        return files

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind:
            for name, message in services.identity_errors(kind, cleaned, letter=cleaned.get("letter")).items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in (
            "name", "id_number", "mobile", "email", "unit_name", "credit_code", "legal_rep", "contact_name",
            "contact_phone")}

    def add_service_errors(self, error) -> None:
        """A refusal of the service, each message next to its field (files next to the upload)."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for name, messages in error.message_dict.items():
            field = {"files": "evidence", "__all__": None}.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class StatusForm(PortalFormMixin, forms.Form):
    number = forms.CharField(label=_("受理编号"), max_length=32)
    phone = forms.CharField(label=_("提交时填写的联系电话"), max_length=32)
