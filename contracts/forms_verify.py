"""The public verify page's forms: a typed fingerprint (or the QR code's ?fp=), an uploaded PDF."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.files import validate_upload
from core.forms import PortalFormMixin, UploadField

from .fingerprint import normalise


class FingerprintForm(PortalFormMixin, forms.Form):
    fp = forms.CharField(label=_("内容指纹（SHA-256）"), max_length=200,
                         help_text=_("任务书每页页脚印有64位的内容指纹，可直接粘贴，大小写和空格不限。"))

    def clean_fp(self):
        fp = normalise(self.cleaned_data["fp"])
        if fp is None:
            raise forms.ValidationError(_("这不是有效的内容指纹：应为64位十六进制字符（0-9、a-f），请核对后重新输入。"))
        return fp


class UploadForm(PortalFormMixin, forms.Form):
    file = UploadField(label=_("任务书PDF文件"), help_text=_("上传从平台下载或他人提供的任务书PDF，核对是否与平台签发的文件一致。"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_upload(upload, allowed=("pdf",))
        return upload
