from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from accounts.models import Organisation
from accounts.validators import validate_credit_code, validate_phone
from applications.models import Application
from bangs.models import Bang, BangList
from core.choices import choice_display
from demands.models import TechField

from .enums import (
    DEFAULT_DIVERGENCE,
    DEFAULT_PANEL_SIZE,
    MIN_PANEL_SIZE,
    AssignmentState,
    DecisionOutcome,
    DecisionState,
    Recommendation,
    ScoreState,
    Visibility,
)


class ExpertProfile(models.Model):
    """An expert of the pool (专家库): where they work, what they know, whether they may be drawn."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile",
                                verbose_name=_("专家账号"))
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("工作单位"))
    title = models.CharField(_("职称"), max_length=64, blank=True)
    fields = models.ManyToManyField(TechField, related_name="+", verbose_name=_("技术领域"))
    specialties = models.CharField(_("研究专长（关键词）"), max_length=300, blank=True,
                                   help_text=_("多个关键词用顿号或逗号分隔。"))
    phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("在库（可被抽取）"), default=True)
    deactivated_reason = models.TextField(_("停用原因"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.user) if self.user_id else gettext("（未关联账号）")

    @property
    def in_region(self) -> bool:
        """区内 or 区外, from the unit's region: never typed."""
        return self.unit.region.in_region


class ExpertConflict(models.Model):
    """A unit the expert declared a conflict with (利益冲突申明), by credit code, with the reason."""

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="conflicts")
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    unit_name = models.CharField(_("单位名称"), max_length=200)
    reason = models.CharField(_("原因"), max_length=300, help_text=_("如：曾在该单位任职；近三年有合作项目或合作论文。"))
    declared_at = models.DateTimeField(_("申明时间"), default=timezone.now)

    class Meta:
        verbose_name = _("利益冲突申明")
        verbose_name_plural = _("利益冲突申明")
        ordering = ["declared_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["profile", "credit_code"], name="one_conflict_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit_name}（{self.credit_code}）"


class ReviewPlan(models.Model):
    """评审方案 of one list: how its panels are drawn and how its applications are scored."""

    bang_list = models.OneToOneField(BangList, on_delete=models.PROTECT, related_name="review_plan",
                                     verbose_name=_("榜单"))
    panel_size = models.PositiveSmallIntegerField(_("每个评审组专家人数"), default=DEFAULT_PANEL_SIZE,
                                                  validators=[MinValueValidator(MIN_PANEL_SIZE), MaxValueValidator(15)])
    out_of_region_share = models.DecimalField(
        _("区外专家最低比例"), max_digits=3, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("如 0.33 表示至少三分之一（向上取整）；留空表示不限。"),
    )
    blind = models.BooleanField(_("匿名评审（专家看不到申报单位和人员姓名）"), default=False)
    deadline = models.DateTimeField(_("评审截止时间"))
    visibility = models.CharField(_("提交后可否查看其他专家评分"), max_length=16, choices=Visibility.choices,
                                  default=Visibility.NEVER)
    divergence_threshold = models.DecimalField(_("分歧提示阈值（最高分−最低分）"), max_digits=5, decimal_places=2,
                                               default=DEFAULT_DIVERGENCE, validators=[MinValueValidator(0)])
    load_cap = models.PositiveSmallIntegerField(_("每位专家在本榜单最多参加的评审组数"), null=True, blank=True,
                                                validators=[MinValueValidator(1)], help_text=_("留空表示不限。"))
    share_comments = models.BooleanField(
        _("结果通知附专家意见（匿名）"), default=False,
        help_text=_("公示期满确认结果时，告知各申报单位的结果通知中附上专家的总体意见，不含专家姓名和分数。"))
    response_hours = models.PositiveSmallIntegerField(_("邀请确认期限（小时）"), default=48,
                                                      validators=[MinValueValidator(1), MaxValueValidator(720)])
    rubric_frozen_at = models.DateTimeField(_("评分标准锁定时间"), null=True, blank=True,
                                            help_text=_("首份评分提交时锁定。"))
    closed_at = models.DateTimeField(_("评分结束时间"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("启动时间"), default=timezone.now)

    class Meta:
        verbose_name = _("评审方案")
        verbose_name_plural = _("评审方案")

    def __str__(self) -> str:
        return str(self.bang_list) if self.bang_list_id else gettext("（评审方案）")

    def scoring_closed(self, at=None) -> bool:
        """Scoring is over: staff closed it, or its deadline passed (to the second)."""
        at = (at or timezone.now()).replace(microsecond=0)
        return self.closed_at is not None or at > self.deadline

    def accepts_scores(self, at=None) -> bool:
        return not self.scoring_closed(at)


class Criterion(models.Model):
    """One line of the rubric: its weight in the 100-point total and the most an expert may give."""

    plan = models.ForeignKey(ReviewPlan, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("评分项"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("权重"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    max_score = models.DecimalField(_("满分"), max_digits=5, decimal_places=1,
                                    validators=[MinValueValidator(Decimal("1"))])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class PanelDraw(models.Model):
    """The draw of one bang's panel, kept whole so that anyone can replay it."""

    bang = models.OneToOneField(Bang, on_delete=models.PROTECT, related_name="panel_draw", verbose_name=_("技术榜"))
    plan = models.ForeignKey(ReviewPlan, on_delete=models.PROTECT, related_name="draws")
    seed = models.CharField(_("随机种子"), max_length=64)
    size = models.PositiveSmallIntegerField(_("评审组人数"))
    out_of_region_share = models.DecimalField(_("区外专家最低比例"), max_digits=3, decimal_places=2, null=True,
                                              blank=True)
    # The technical fields candidates were taken from: the bang's, plus any staff widened to.
    field_names = models.JSONField(_("抽取领域"), default=list)
    widen_reason = models.TextField(_("扩大领域的理由"), blank=True)
    # [{"id", "name", "unit", "credit_code", "fields": [...], "out_of_region": bool}], as at the draw.
    candidates = models.JSONField(_("候选专家"), default=list)
    # [{"id", "name", "unit", "reasons": [...]}]: who could not be drawn, and why.
    excluded = models.JSONField(_("回避及排除的专家"), default=list)
    order = models.JSONField(_("抽取顺序"), default=list)
    panel = models.JSONField(_("评审组"), default=list)
    reserve = models.JSONField(_("候补顺序"), default=list)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("抽取时间"), default=timezone.now)

    class Meta:
        verbose_name = _("专家抽取记录")
        verbose_name_plural = _("专家抽取记录")
        ordering = ["pk"]

    def __str__(self) -> str:
        return gettext("抽取记录 %(pk)s") % {"pk": self.pk}


class Assignment(models.Model):
    """One expert's seat on one bang's panel."""

    draw = models.ForeignKey(PanelDraw, on_delete=models.PROTECT, related_name="assignments")
    bang = models.ForeignKey(Bang, on_delete=models.PROTECT, related_name="review_assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments",
                               verbose_name=_("专家"))
    state = models.CharField(_("状态"), max_length=16, choices=AssignmentState.choices,
                             default=AssignmentState.INVITED)
    get_state_display = choice_display("state", AssignmentState)
    # The expert's place in the draw order (0 is first), so replacements can be checked against it.
    position = models.PositiveSmallIntegerField(_("抽取顺序号"))
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("替补对象"))
    invited_at = models.DateTimeField(_("邀请时间"), default=timezone.now)
    respond_by = models.DateTimeField(_("确认期限"))
    responded_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.TextField(_("说明"), blank=True)
    # Each reminder is claimed by a conditional update before it is sent, so it goes once.
    reminded_3d_at = models.DateTimeField(null=True, blank=True)
    reminded_1d_at = models.DateTimeField(null=True, blank=True)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["bang", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "expert"], name="one_seat_per_expert")]
        indexes = [models.Index(fields=["expert", "state"], name="assignment_expert_state_idx")]

    def __str__(self) -> str:
        return f"{self.expert} · {self.bang}" if self.expert_id and self.bang_id else gettext("（评审任务）")


class Score(models.Model):
    """One expert's scores for one application: a draft until submitted, then locked."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="scores")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="review_scores")
    state = models.CharField(_("状态"), max_length=16, choices=ScoreState.choices, default=ScoreState.DRAFT)
    get_state_display = choice_display("state", ScoreState)
    values = models.JSONField(_("各项得分"), default=dict)  # {criterion id: "12.5"}
    criterion_comments = models.JSONField(_("各项意见"), default=dict)  # {criterion id: text}
    comment = models.TextField(_("总体意见"), blank=True)
    recommendation = models.CharField(_("推荐意见"), max_length=16, choices=Recommendation.choices, blank=True)
    get_recommendation_display = choice_display("recommendation", Recommendation)
    # The weighted total on 0–100, written when submitted.
    total = models.DecimalField(_("加权总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("专家评分")
        verbose_name_plural = _("专家评分")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["assignment", "application"], name="one_score_per_seat")]
        indexes = [models.Index(fields=["application", "state"], name="score_application_state_idx")]

    def __str__(self) -> str:
        return gettext("评分 %(pk)s") % {"pk": self.pk}


class EnterpriseOpinion(models.Model):
    """发榜方意见: whether the issuing enterprise is willing to work with this team, and why."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="enterprise_opinion")
    willing = models.BooleanField(_("是否愿意合作"))
    reason = models.TextField(_("理由"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发榜企业"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("发榜方意见")
        verbose_name_plural = _("发榜方意见")


class BangDecision(models.Model):
    """揭榜定帅: staff's proposal for one bang, one or more teams (赛马) or none (未揭榜)."""

    bang = models.ForeignKey(Bang, on_delete=models.PROTECT, related_name="review_decisions")
    outcome = models.CharField(_("结果"), max_length=16, choices=DecisionOutcome.choices)
    get_outcome_display = choice_display("outcome", DecisionOutcome)
    state = models.CharField(_("状态"), max_length=16, choices=DecisionState.choices, default=DecisionState.PROPOSED)
    get_state_display = choice_display("state", DecisionState)
    reason = models.TextField(_("未揭榜理由"), blank=True)
    passover_reason = models.TextField(_("未按排名选择的理由"), blank=True)
    declined_reason = models.TextField(_("选择发榜企业不愿合作团队的理由"), blank=True)
    override_reason = models.TextField(_("一事一议理由"), blank=True)
    override_approver = models.CharField(_("一事一议批准人"), max_length=100, blank=True)
    total_subsidy = models.DecimalField(_("补助合计（万元）"), max_digits=12, decimal_places=2, default=Decimal("0"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("拟定时间"), default=timezone.now)

    class Meta:
        verbose_name = _("揭榜定帅")
        verbose_name_plural = _("揭榜定帅")
        ordering = ["bang", "-decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["bang"], condition=models.Q(state__in=["proposed", "noticed", "confirmed"]),
                                    name="one_live_decision_per_bang"),
        ]

    def __str__(self) -> str:
        return f"{self.bang} · {self.get_outcome_display()}" if self.bang_id else gettext("（揭榜定帅）")


class Award(models.Model):
    """One team proposed for a bang, with the subsidy the rule gives it."""

    decision = models.ForeignKey(BangDecision, on_delete=models.PROTECT, related_name="awards")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="review_awards")
    route_label = models.CharField(_("技术路线"), max_length=60, blank=True)
    rank = models.PositiveSmallIntegerField(_("排名"))
    score = models.DecimalField(_("评审得分"), max_digits=6, decimal_places=2)
    investment = models.DecimalField(_("研发总投入（万元）"), max_digits=14, decimal_places=2)
    subsidy = models.DecimalField(_("拟补助（万元）"), max_digits=12, decimal_places=2)
    # Given when the award is confirmed after its notice (notices.services.notice_bang_confirm).
    project_number = models.CharField(_("项目编号"), max_length=40, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("拟立项团队")
        verbose_name_plural = _("拟立项团队")
        ordering = ["decision", "rank"]
        constraints = [models.UniqueConstraint(fields=["decision", "application"], name="one_award_per_team")]
