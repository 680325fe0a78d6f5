"""Read-only open data: published lists with their bangs. Nothing private (no invitees, no drafts)."""

from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination

from core.money import format_wan

from .models import Bang, BangList, Contact, Indicator
from .selectors import bang_list_browsable, list_prefetch


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["name", "target", "unit", "test_method"]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["purpose", "department", "name", "phone", "bang_numbers"]


class BangSerializer(serializers.ModelSerializer):
    field = serializers.CharField(source="field.name")
    kind_display = serializers.CharField(source="get_kind_display")
    issuers = serializers.SerializerMethodField()
    subsidy_cap = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    indicators = IndicatorSerializer(many=True)

    class Meta:
        model = Bang
        fields = [
            "id", "number", "title", "kind", "kind_display", "field", "issuers", "background", "objectives",
            "field_test", "period_months", "total_investment", "subsidy_cap", "solver_requirements", "ip_terms",
            "max_teams", "contact_name", "contact_department", "contact_phone", "indicators",
        ]

    def get_issuers(self, obj) -> list[str]:
        return [org.name for org in obj.issuers.all()]


class BangListSerializer(serializers.ModelSerializer):
    organiser = serializers.CharField(source="organiser.name")
    status = serializers.CharField(source="status_label")
    total_investment = serializers.SerializerMethodField()
    bangs = BangSerializer(many=True)
    contacts = ContactSerializer(many=True)

    class Meta:
        model = BangList
        fields = [
            "id", "title", "organiser", "status", "published_at", "opens_at", "deadline", "recommend_deadline",
            "conditions", "process", "max_partners", "total_investment", "bangs", "contacts",
        ]

    def get_total_investment(self, obj) -> str:
        return format_wan(sum((b.total_investment for b in obj.bangs.all()), start=0))


class OpenDataPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class BangListViewSet(viewsets.ReadOnlyModelViewSet):
    """Published 揭榜挂帅 lists with their bangs, indicators and contacts."""

    serializer_class = BangListSerializer
    pagination_class = OpenDataPagination
    authentication_classes: list = []
    permission_classes: list = []

    def get_queryset(self):
        # Anonymous view on purpose: open data never includes targeted lists.
        return bang_list_browsable(None).prefetch_related(*list_prefetch()).order_by("-published_at", "pk")
