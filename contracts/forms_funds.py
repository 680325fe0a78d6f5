"""The money forms (issue 13): the enterprise's payment, the lead's answer, the staff disbursement.
The first line only: contracts.funds re-checks every rule inside its transaction."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalFormMixin, UploadField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _amount_field(label):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                              error_messages={"invalid": _("请填写有效的金额（万元）。"),
                                              "min_value": _("金额须大于0。"),
                                              "max_digits": _("金额过大。"),
                                              "max_decimal_places": _("金额最多保留两位小数。"),
                                              "max_whole_digits": _("金额过大。")})


def _date_field(label):
    return forms.DateField(label=label, widget=DATE_WIDGET, error_messages={"invalid": _("请填写有效的日期。")})


class PaymentForm(PortalFormMixin, forms.Form):
    amount = _amount_field(_("金额（万元）"))
    paid_on = _date_field(_("付款日期"))
    receipt = UploadField(label=_("银行回单（PDF、JPG 或 PNG）"))


class ConfirmForm(PortalFormMixin, forms.Form):
    arrived_on = _date_field(_("到账日期"))


class DisputeForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class DisbursementForm(PortalFormMixin, forms.Form):
    amount = _amount_field(_("拨付金额（万元）"))
    paid_on = _date_field(_("拨付日期"))
    document_number = forms.CharField(label=_("拨付文号"), max_length=100)
