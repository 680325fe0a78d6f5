import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Region
from demands.models import TechField

from .enums import BangKind, BangListState
from .models import Bang, BangList
from .selectors import bang_issuer_q

STATUS_CHOICES = [("open", _("申报中")), ("closed", _("已截止"))]


def _status_q(prefix: str, value: str) -> Q:
    now = timezone.now()
    second = now.replace(microsecond=0)  # deadlines hold to the second (BangList.accepts_at)
    open_q = Q(**{f"{prefix}state": BangListState.PUBLISHED, f"{prefix}opens_at__lte": now, f"{prefix}deadline__gte": second})
    if value == "open":
        return open_q
    if value == "closed":
        return Q(**{f"{prefix}deadline__lt": second}) | ~Q(**{f"{prefix}state": BangListState.PUBLISHED})
    return Q()


class BangFilter(django_filters.FilterSet):
    """Public search over bangs: Chinese substrings match anywhere in the text."""

    q = django_filters.CharFilter(label=_("关键词"), method="search")
    field = django_filters.ModelChoiceFilter(label=_("领域"), queryset=TechField.objects.all(), empty_label=_("全部领域"))
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=BangKind.choices, empty_label=_("全部类别"))
    organiser = django_filters.ModelChoiceFilter(
        label=_("组织单位"), field_name="bang_list__organiser",
        queryset=Organisation.objects.filter(organised_lists__isnull=False).distinct(), empty_label=_("全部组织单位"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("发榜企业所在盟市"), queryset=Region.objects.filter(level="city"), method="by_region",
        empty_label=_("全部盟市"),
    )
    # Bounded like the column: an amount it cannot hold is refused by the form (and ignored with a
    # warning) rather than sent to the database.
    budget_min = django_filters.NumberFilter(
        label=_("投入不低于（万元）"), field_name="total_investment", lookup_expr="gte", max_digits=12, decimal_places=2
    )
    budget_max = django_filters.NumberFilter(
        label=_("投入不高于（万元）"), field_name="total_investment", lookup_expr="lte", max_digits=12, decimal_places=2
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=STATUS_CHOICES, method="by_status", empty_label=_("全部状态"))
    # An enterprise's own bangs (the workbench's 全部 link); not a visible control.
    issuer = django_filters.NumberFilter(label=_("发榜企业"), method="by_issuer", widget=forms.HiddenInput,
                                         min_value=1, max_value=2**63 - 1)

    class Meta:
        model = Bang
        fields = ["q", "field", "kind", "organiser", "region", "budget_min", "budget_max", "status", "issuer"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(background__icontains=value) | Q(objectives__icontains=value)
            | Q(bang_list__title__icontains=value)
            | Q(pk__in=Bang.issuers.through.objects.filter(organisation__name__icontains=value).values("bang_id"))
        )

    def by_region(self, queryset, name, region):
        matching = Bang.issuers.through.objects.filter(organisation__region__code__startswith=region.code[:4])
        return queryset.filter(pk__in=matching.values("bang_id"))

    def by_status(self, queryset, name, value):
        return queryset.filter(_status_q("bang_list__", value))

    def by_issuer(self, queryset, name, value):
        return queryset.filter(bang_issuer_q(int(value)))


class BangListFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), field_name="title", lookup_expr="icontains")
    organiser = django_filters.ModelChoiceFilter(
        label=_("组织单位"), queryset=Organisation.objects.filter(organised_lists__isnull=False).distinct(),
        empty_label=_("全部组织单位"),
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=STATUS_CHOICES, method="by_status", empty_label=_("全部状态"))

    class Meta:
        model = BangList
        fields = ["q", "organiser", "status"]

    def by_status(self, queryset, name, value):
        return queryset.filter(_status_q("", value))


def style_filter_form(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
        field.widget.attrs.setdefault("aria-label", str(field.label))
        field.widget.attrs.setdefault("placeholder", str(field.label))
    return form
