"""Read-only open data: published lists (with a short entry per bang) and, paginated on their own,
the bangs with their full text. Nothing private (no invitees, no drafts).

A page of lists does not nest every bang's full text: that made one page of 20 lists weigh about
1 MB. A bang's text is at /api/v1/bangs/<id>/, or /api/v1/bangs/?list=<id> for a list's bangs."""

from django.db.models import Prefetch
from django.utils.decorators import method_decorator
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination

from core.money import format_wan
from core.pagecache import public_page
from core.params import parse_int

from .models import Bang, BangList, Contact, Indicator
from .selectors import bang_browse, bang_list_browsable, bang_prefetch


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["name", "target", "unit", "test_method"]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["purpose", "department", "name", "phone", "bang_numbers"]


class BangSerializer(serializers.ModelSerializer):
    bang_list = serializers.IntegerField(source="bang_list_id")
    list_title = serializers.CharField(source="bang_list.title")
    field = serializers.CharField(source="field.name")
    kind_display = serializers.CharField(source="get_kind_display")
    issuers = serializers.SerializerMethodField()
    subsidy_cap = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    indicators = IndicatorSerializer(many=True)

    class Meta:
        model = Bang
        fields = [
            "id", "bang_list", "list_title", "number", "title", "kind", "kind_display", "field", "issuers", "background", "objectives",
            "field_test", "period_months", "total_investment", "subsidy_cap", "solver_requirements", "ip_terms",
            "max_teams", "contact_name", "contact_department", "contact_phone", "indicators",
        ]

    def get_issuers(self, obj) -> list[str]:
        return [org.name for org in obj.issuers.all()]


class BangSummarySerializer(serializers.ModelSerializer):
    """A bang within its list: enough to choose it; the text is at `url`."""

    subsidy_cap = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api-bangs-detail")

    class Meta:
        model = Bang
        fields = ["id", "number", "title", "kind", "total_investment", "subsidy_cap", "max_teams", "url"]


class BangListSerializer(serializers.ModelSerializer):
    organiser = serializers.CharField(source="organiser.name")
    status = serializers.CharField(source="status_label")
    total_investment = serializers.SerializerMethodField()
    bangs = BangSummarySerializer(many=True)
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


@method_decorator(public_page, name="dispatch")
class BangListViewSet(viewsets.ReadOnlyModelViewSet):
    """Published 揭榜挂帅 lists with their contacts and a short entry per bang."""

    serializer_class = BangListSerializer
    pagination_class = OpenDataPagination
    authentication_classes: list = []
    permission_classes: list = []

    def get_queryset(self):
        # Anonymous view on purpose: open data never includes targeted lists.
        summaries = Bang.objects.only(
            "pk", "bang_list_id", "number", "title", "kind", "total_investment", "subsidy_override", "max_teams"
        ).order_by("number")
        return (
            bang_list_browsable(None)
            .prefetch_related(Prefetch("bangs", queryset=summaries),
                              Prefetch("contacts", queryset=Contact.objects.order_by("order", "pk")))
            .order_by("-published_at", "pk")
        )


@method_decorator(public_page, name="dispatch")
class BangViewSet(viewsets.ReadOnlyModelViewSet):
    """The bangs of published lists, with their full text, indicators and issuing enterprises.
    `?list=<id>` gives one list's bangs."""

    serializer_class = BangSerializer
    pagination_class = OpenDataPagination
    authentication_classes: list = []
    permission_classes: list = []

    def get_queryset(self):
        qs = bang_browse(None).prefetch_related(*bang_prefetch()).defer(
            "bang_list__conditions", "bang_list__process")
        list_id = parse_int(self.request.query_params.get("list"))
        if list_id is not None:
            qs = qs.filter(bang_list_id=list_id)
        return qs.order_by("-bang_list__published_at", "bang_list_id", "number")
