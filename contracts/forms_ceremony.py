"""The military-order template form (the ceremony page's actions are plain buttons)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalFormMixin

from .content import template_problem

PLACEHOLDERS = [
    ("{project}", _("项目名称")),
    ("{number}", _("项目编号")),
    ("{lead}", _("牵头单位名称")),
    ("{end}", _("实施期结束日期")),
    ("{indicators}", _("考核指标清单（每项一行：名称、目标值、测试方法）")),
    ("{bar_years}", _("限制牵头申报的年限（下方所填年数）")),
]


class OrderTemplateForm(PortalFormMixin, forms.Form):
    body = forms.CharField(label=_("军令状文本"), max_length=5000, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("可使用下列占位符，生成任务书时替换为该项目的内容；其他花括号不可使用。"))
    bar_years = forms.IntegerField(label=_("限制牵头申报年限（年）"), min_value=1, max_value=10,
                                   help_text=_("未完成任务且不属于容错情形的，自验收结论作出之日起若干年内不得以牵头单位身份申报，1至10年。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_body(self) -> str:
        # The service refuses the same; checked here too so that a preview shows the error.
        body = self.cleaned_data["body"].strip()
        if problem := template_problem(body):
            raise forms.ValidationError(problem)
        return body
