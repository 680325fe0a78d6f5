from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.forms import BaseFormSet, formset_factory
from django.db.models import BLANK_CHOICE_DASH
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

# One wording wherever a value is missing: the forms' own check and the services' submission checks.
REQUIRED_MESSAGE = _("此项为必填项。")
CHOOSE_PROMPT = _("请选择")
NUL_MESSAGE = _("内容中含有空字符（\\0），请删除后重新输入。")
_DASH = BLANK_CHOICE_DASH[0][1]


class PortalFormMixin:
    """Every form of the portal: a missing value reads 此项为必填项。 and an empty choice reads 请选择,
    not Django's "---------" (which comes from ModelChoiceField.empty_label and from the blank choice
    model fields and our own ChoiceFields start with)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, UploadField):
                field.error_messages["required"] = REQUIRED_MESSAGE
            for validator in field.validators:
                if isinstance(validator, ProhibitNullCharactersValidator):
                    validator.message = NUL_MESSAGE  # Django's own Chinese wording reads "empty string"
            if isinstance(field, forms.ModelMultipleChoiceField) and field.to_field_name is None:
                _refuse_impossible_ids(field)
            elif isinstance(field, forms.ModelChoiceField):
                if field.empty_label is not None:
                    field.empty_label = CHOOSE_PROMPT
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
                field.choices = [(value, CHOOSE_PROMPT if value == "" and label == _DASH else label)
                                 for value, label in field.choices]


def _refuse_impossible_ids(field: forms.ModelMultipleChoiceField) -> None:
    """A posted id that cannot be a primary key ("99999999999999999999", "-1") is an invalid choice,
    as any other unknown id is. Django would hand it to the database, which on SQLite overflows (500)."""
    from .params import parse_int

    check_values = field._check_values

    def checked(value):
        for pk in value:
            if parse_int(str(pk)) is None:
                raise forms.ValidationError(field.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return check_values(value)

    field._check_values = checked


def mark_required_on_submit(form, names) -> None:
    """Mark the fields submission needs. A draft form leaves them optional so a draft can be saved,
    so crispy's own asterisk (drawn for `required` fields) does not show; draw the same one."""
    for name in names:
        field = form.fields.get(name)
        if field is None:
            continue
        field.label = format_html('{}<span class="asteriskField field-required">*</span>', field.label)


class RowFormMixin(PortalFormMixin):
    """Small Bootstrap classes for forms shown as table rows (formsets)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            else:
                widget.attrs.setdefault("class", "form-control form-control-sm")
            widget.attrs.setdefault("aria-label", str(field.label))


class UploadField(forms.FileField):
    """A file input whose refusals read the same in every upload form (the content is checked later,
    by core.files.prepare_upload, with the same wording for an empty file)."""

    default_error_messages = {
        "required": _("请选择要上传的文件。"),
        "missing": _("请选择要上传的文件。"),
        "invalid": _("未收到文件，请重新选择后上传。"),
        "empty": _("文件为空。"),
        "max_length": _("文件名过长，请改短后重新上传。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("文件"))
        super().__init__(**kwargs)


def upload_error(form, field: str = "file") -> str:
    """The refusal of an upload form's file field as one sentence, for a message or a JSON answer."""
    errors = form.errors.get(field) or [_("请选择要上传的文件。")]
    return " ".join(str(e) for e in errors)


class PortalFormSet(BaseFormSet):
    """Every table form of the portal: its refusals are plain Chinese, not Django's "Please submit at
    most 1000 forms" or "ManagementForm data is missing or has been tampered with"."""

    default_error_messages = {
        "missing_management_form": _("表格数据不完整，请刷新页面后重新填写。"),
        "too_many_forms": _("最多填写 %(num)d 行。"),
        "too_few_forms": _("至少填写 %(num)d 行。"),
    }

    def clean(self):
        """A negative row count (a forged TOTAL_FORMS) would build no rows and so silently empty the
        table: refuse it like any other tampered management form."""
        super().clean()
        counts = self.management_form.cleaned_data if self.management_form.is_valid() else {}
        if any((counts.get(name) or 0) < 0 for name in ("TOTAL_FORMS", "INITIAL_FORMS")):
            raise forms.ValidationError(self.error_messages["missing_management_form"], code="missing_management_form")


def row_formset(form, *, rows: int, extra: int = 2):
    """A table form of at most `rows` rows: a forged TOTAL_FORMS builds no more forms than that
    (absolute_max) and is refused (validate_max), so one request cannot be made to build thousands."""
    return formset_factory(form, formset=PortalFormSet, extra=extra, can_delete=True,
                           max_num=rows, absolute_max=rows, validate_max=True)


def formset_rows(formset) -> list[dict]:
    """The filled, not-deleted rows of a valid formset, in order: rows shown with initial data count
    even when untouched; blank extra rows do not (their cleaned_data is empty)."""
    rows = []
    for form in formset.forms:
        data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        if not any(v not in (None, "", False) for v in data.values()) or form.cleaned_data.get("DELETE"):
            continue
        rows.append(data)
    return rows


class CalendarDayForm(PortalFormMixin, forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    is_workday = forms.BooleanField(label=_("调休上班（工作日）"), required=False,
                                    help_text=_("法定节假日不勾选；周末调休上班的日期勾选。"))
    name = forms.CharField(label=_("名称"), max_length=64, required=False)


class FormTemplateForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(label=_("说明"), max_length=300, required=False)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=0)
    upload = UploadField(label=_("文件"), required=False,
                         help_text=_("PDF、DOC、DOCX、XLS、XLSX；按文件内容识别格式。更新时留空表示不替换文件。"))

    def __init__(self, *args, **kwargs):
        from crispy_forms.helper import FormHelper
        from crispy_forms.layout import Submit

        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("保存")))
