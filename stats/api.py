"""Open data: the programme's public figures (no staff-only figure: no objections, no timing, no money paid)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from .figures import public_figures

MONEY = {"max_digits": 14, "decimal_places": 2}


class BreakdownRowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="年度、组织单位或技术领域")
    bangs = serializers.IntegerField(help_text="技术榜数")
    signed = serializers.IntegerField(help_text="达成合作（签订任务书）的技术榜数")
    budget = serializers.DecimalField(help_text="技术榜研发总投入预算（万元）", **MONEY)
    investment = serializers.DecimalField(help_text="协议研发总投入（万元）", **MONEY)
    subsidy = serializers.DecimalField(help_text="协议财政补助（万元）", **MONEY)


class BreakdownsSerializer(serializers.Serializer):
    year = BreakdownRowSerializer(many=True, help_text="按榜单发布年度")
    organiser = BreakdownRowSerializer(many=True, help_text="按组织单位")
    field = BreakdownRowSerializer(many=True, help_text="按技术领域")


class OutcomeSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="项目状态代码")
    label = serializers.CharField(help_text="项目状态")
    count = serializers.IntegerField(help_text="项目数")


class StatsSerializer(serializers.Serializer):
    lists = serializers.IntegerField(help_text="已发布榜单数")
    bangs = serializers.IntegerField(help_text="已发布技术榜数")
    budget = serializers.DecimalField(help_text="技术榜研发总投入预算（万元）", **MONEY)
    signed = serializers.IntegerField(help_text="达成合作（签订任务书）的技术榜数")
    investment = serializers.DecimalField(help_text="协议研发总投入（万元），任务书已生效的立项团队", **MONEY)
    subsidy = serializers.DecimalField(help_text="协议财政补助（万元），任务书已生效的立项团队", **MONEY)
    leads = serializers.IntegerField(help_text="揭榜成功的牵头单位数（去重）")
    leads_outside = serializers.IntegerField(help_text="其中区外单位数")
    outside_share = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True,
                                             help_text="区外揭榜单位占比（%）")
    issuers = serializers.IntegerField(help_text="发榜企业数（去重）")
    solvers = serializers.IntegerField(help_text="揭榜单位数（去重）")
    outcomes = OutcomeSerializer(many=True, help_text="项目按状态（实施中、验收通过、未通过等）")
    breakdowns = BreakdownsSerializer()


class StatsViewSet(viewsets.ViewSet):
    """揭榜挂帅统计: the headline figures, computed from the data when asked, with their breakdowns by
    year of publication, organiser and technical field. Amounts in 万元."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(responses=StatsSerializer)
    def list(self, request):
        return Response(StatsSerializer(public_figures().as_dict()).data)
