"""Open data: the result notices (公示) with what each says about its bangs, and their corrections.
Nothing about objections or objectors: the entries are what the notice published, frozen."""

from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from bangs.api import OpenDataPagination
from core.pagecache import public_page

from .models import Notice, NoticeAmendment, NoticeBang
from .selectors import notice_detail_qs


class AwardSerializer(serializers.Serializer):
    lead = serializers.CharField(help_text="牵头单位")
    partners = serializers.ListField(child=serializers.CharField(), help_text="参与单位")
    chief = serializers.CharField(help_text="首席科学家（项目负责人）")
    route = serializers.CharField(help_text="技术路线（赛马制时区分各团队）")
    subsidy = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="财政补助（万元）")


class NoticeEntrySerializer(serializers.ModelSerializer):
    bang = serializers.IntegerField(source="bang_id")
    number = serializers.SerializerMethodField(help_text="技术榜编号")
    title = serializers.SerializerMethodField(help_text="技术榜名称")
    issuers = serializers.SerializerMethodField(help_text="发榜企业")
    outcome = serializers.SerializerMethodField(help_text="awarded（拟立项）或 unawarded（未揭榜）")
    reason = serializers.SerializerMethodField(help_text="未揭榜的原因")
    racehorse = serializers.SerializerMethodField(help_text="是否赛马（多个团队并行）")
    awards = serializers.SerializerMethodField()
    state_display = serializers.CharField(source="get_state_display")

    class Meta:
        model = NoticeBang
        fields = ["bang", "number", "title", "issuers", "outcome", "reason", "racehorse", "awards", "state",
                  "state_display", "settled_at"]

    def get_number(self, obj) -> int | None:
        return obj.content.get("number")

    def get_title(self, obj) -> str:
        return obj.content.get("title", "")

    def get_issuers(self, obj) -> list[str]:
        return list(obj.content.get("issuers", []))

    def get_outcome(self, obj) -> str:
        return obj.content.get("outcome", "")

    def get_reason(self, obj) -> str:
        return obj.content.get("reason", "")

    def get_racehorse(self, obj) -> bool:
        return bool(obj.content.get("racehorse"))

    @extend_schema_field(AwardSerializer(many=True))
    def get_awards(self, obj):
        keys = ("lead", "partners", "chief", "route", "subsidy")
        return [{key: award.get(key) for key in keys} for award in obj.content.get("awards", [])]


class NoticeAmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeAmendment
        fields = ["title", "body", "published_at"]


class NoticeSerializer(serializers.ModelSerializer):
    list = serializers.IntegerField(source="bang_list_id")
    list_title = serializers.CharField(source="bang_list.title")
    period_unit_display = serializers.CharField(source="get_period_unit_display")
    entries = NoticeEntrySerializer(many=True)
    amendments = NoticeAmendmentSerializer(many=True)

    class Meta:
        model = Notice
        fields = ["id", "title", "list", "list_title", "basis", "how_to_object", "published_at", "ends_at",
                  "period_unit", "period_unit_display", "period_days", "entries", "amendments"]


@method_decorator(public_page, name="dispatch")
class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """揭榜结果公示: each notice's period (`ends_at` is the last second, Beijing time), what it says
    about each bang (lead unit, partners, chief scientist, subsidy in 万元, racehorse), the entry's
    state (公示中 / 已确认 / 已撤销), and dated corrections."""

    serializer_class = NoticeSerializer
    pagination_class = OpenDataPagination
    authentication_classes: list = []
    permission_classes: list = []

    def get_queryset(self):
        return notice_detail_qs()
