import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from accounts.models import Organisation, Region
from accounts.validators import validate_phone
from bangs.models import Bang, ChecklistItem, Indicator
from core.choices import choice_display
from core.files import RandomUploadPath

from .enums import EDITABLE_STATES, ApplicationState, CostCategory, FundingSource

MIN_LEAD_MONTHS = 6
# 申请回避: how many experts an applicant may ask not to be reviewed by.
MAX_AVOIDED = 3


class RecommenderRoute(models.Model):
    """Which recommending body (推荐单位) pre-checks applications from units of a 盟市 or province."""

    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="recommender_route",
                                  verbose_name=_("申报单位所在地区"))
    recommender = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="recommender_routes",
                                    verbose_name=_("推荐单位"))

    class Meta:
        verbose_name = _("推荐单位对应关系")
        verbose_name_plural = _("推荐单位对应关系")
        ordering = ["region__code"]

    def __str__(self) -> str:
        region = str(self.region) if self.region_id else gettext("（未选择地区）")
        recommender = str(self.recommender) if self.recommender_id else gettext("（未选择推荐单位）")
        return f"{region} → {recommender}"


class Application(models.Model):
    """实施方案: a lead unit's (and its partners') plan to solve one bang."""

    bang = models.ForeignKey(Bang, on_delete=models.PROTECT, related_name="applications", verbose_name=_("技术榜"))
    lead = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_applications",
                             verbose_name=_("牵头单位"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=ApplicationState.choices, default=ApplicationState.DRAFT)
    get_state_display = choice_display("state", ApplicationState)
    number = models.CharField(_("申报编号"), max_length=32, blank=True, db_index=True)
    # Technical route: racehorse awards are grouped by it.
    route_label = models.CharField(_("技术路线（简称）"), max_length=60, blank=True)
    route_description = models.TextField(_("技术路线说明"), blank=True)
    # People
    chief_name = models.CharField(_("首席科学家姓名"), max_length=64, blank=True)
    chief_title = models.CharField(_("首席科学家职称"), max_length=64, blank=True)
    chief_unit = models.CharField(_("首席科学家单位"), max_length=200, blank=True)
    lead_name = models.CharField(_("项目负责人姓名"), max_length=64, blank=True)
    lead_title = models.CharField(_("项目负责人职称"), max_length=64, blank=True)
    lead_unit = models.CharField(_("项目负责人单位"), max_length=200, blank=True)
    lead_phone = models.CharField(_("项目负责人电话"), max_length=32, blank=True, validators=[validate_phone])
    lead_email = models.EmailField(_("项目负责人电子邮箱"), blank=True)
    lead_months = models.PositiveSmallIntegerField(
        _("项目负责人每年投入时间（月）"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(12)],
    )
    # Plan sections
    objectives = models.TextField(_("目标与主要内容"), blank=True)
    route_innovation = models.TextField(_("技术路线与创新点"), blank=True)
    basis = models.TextField(_("现有基础"), blank=True)
    team = models.TextField(_("团队情况"), blank=True)
    ip_arrangements = models.TextField(_("知识产权安排"), blank=True)
    risks = models.TextField(_("风险分析与对策"), blank=True)
    # Bookkeeping
    # What list rows and the 汇总表 show of the latest submitted version (`submitted_summary()`),
    # copied from it in the transaction that submits it: the lists need not read the versions.
    submitted_summary = models.JSONField(default=dict, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    recommender = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="routed_applications",
        verbose_name=_("推荐单位"),
    )
    correction_deadline = models.DateTimeField(_("补正截止时间"), null=True, blank=True)
    # "修改后重新提交": the lead edits a working copy while the submitted version keeps counting.
    revising = models.BooleanField(_("修改中（未重新提交）"), default=False)
    # The partners of the latest submitted version: they, not the working copy's, may read it.
    submitted_partners = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("已提交版本的联合体成员"),
    )
    decided_version = models.ForeignKey(
        "ApplicationVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("形式审查所依据的版本"),
    )
    decided_at = models.DateTimeField(_("形式审查时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("揭榜申报")
        verbose_name_plural = _("揭榜申报")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["bang", "lead", "state"], name="application_bang_lead_idx")]

    def __str__(self) -> str:
        lead = str(self.lead) if self.lead_id else ""
        bang = str(self.bang) if self.bang_id else ""
        return " · ".join(part for part in (lead, bang) if part) or gettext("（未命名草稿）")

    def content_refusal(self, at: datetime.datetime | None = None) -> str | None:
        """Why the plan, partners, milestones, budget, commitments and attachments cannot be changed
        now, or None if they can.

        Submitted means frozen: a submitted application changes only through a revision (the
        submitted version keeps counting until the new one is submitted), a withdrawal, or a return
        for correction. After the deadline nothing changes but a return inside its window.
        """
        at = at or timezone.now()
        bang_list = self.bang.bang_list
        if self.state == ApplicationState.RETURNED:
            if self.correction_deadline is None or at.replace(microsecond=0) > self.correction_deadline:
                return _("补正期限已过，申报内容不能再修改。")
            return None
        if self.state not in EDITABLE_STATES:
            return _("当前状态为“%(state)s”，申报内容不能修改。") % {"state": self.get_state_display()}
        if self.state == ApplicationState.SUBMITTED and not self.revising:
            return _("申报已提交，内容不能直接修改。如需修改，请在截止前点击“修改申报”（已提交的版本在重新提交前继续有效）或撤回申报。")
        if not bang_list.is_open(at):
            return _("申报已于%(deadline)s截止，申报内容不能再修改。") % {
                "deadline": timezone.localtime(bang_list.deadline).strftime("%Y-%m-%d %H:%M:%S")}
        return None

    @property
    def is_editable(self) -> bool:
        return self.content_refusal() is None

    @property
    def can_revise(self) -> bool:
        """A submitted application may be reopened for changes until the deadline."""
        return (self.state == ApplicationState.SUBMITTED and not self.revising
                and self.bang.bang_list.is_open())

    @property
    def bang_list(self):
        return self.bang.bang_list

    @property
    def is_consortium(self) -> bool:
        return self.partners.exists()

    @property
    def in_region(self) -> bool:
        return self.lead.region.in_region


class Partner(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnerships",
                                     verbose_name=_("成员单位"))
    # What this applicant typed for a unit that is not registered (a placeholder): its own words,
    # never shown as another applicant's or as the unit's identity.
    typed_name = models.CharField(_("填写的单位名称"), max_length=200, blank=True)
    typed_kind = models.CharField(_("填写的单位类型"), max_length=16, blank=True)
    typed_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("填写的所在地区"))
    role = models.CharField(_("承担任务"), max_length=200)
    work_share = models.DecimalField(_("工作量占比（%）"), max_digits=5, decimal_places=2,
                                     validators=[MinValueValidator(0), MaxValueValidator(100)])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("联合体成员")
        verbose_name_plural = _("联合体成员")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["application", "organisation"], name="unique_partner")]

    @property
    def shown_name(self) -> str:
        """A registered unit's own name; for a placeholder, what this applicant typed."""
        if self.organisation.is_placeholder and self.typed_name:
            return self.typed_name
        return self.organisation.name

    @property
    def shown_region(self) -> Region:
        """A registered unit's region; for a placeholder, the one this applicant typed."""
        if self.organisation.is_placeholder and self.typed_region_id:
            return self.typed_region
        return self.organisation.region


class Milestone(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="milestones")
    due_date = models.DateField(_("时间节点"))
    deliverable = models.CharField(_("阶段成果"), max_length=300)
    indicator = models.CharField(_("考核指标"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("进度安排")
        verbose_name_plural = _("进度安排")
        ordering = ["due_date", "order"]


class AvoidedExpert(models.Model):
    """申请回避: an expert the applicant asks not to review it, named as the applicant knows them
    (name and unit), never chosen from the expert pool, which applicants do not see. Shown to the lead
    and to those who pre-check the application, never to experts."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="avoided_experts")
    name = models.CharField(_("专家姓名"), max_length=64)
    unit = models.CharField(_("工作单位"), max_length=200)
    reason = models.CharField(_("回避理由"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("申请回避的专家")
        verbose_name_plural = _("申请回避的专家")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class BudgetLine(models.Model):
    """One cost category, split by funding source (万元)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("科目"), max_length=16, choices=CostCategory.choices)
    subsidy = models.DecimalField(_("申请财政补助"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                  validators=[MinValueValidator(0)])
    enterprise = models.DecimalField(_("发榜企业投入"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                     validators=[MinValueValidator(0)])
    self_raised = models.DecimalField(_("自筹"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                      validators=[MinValueValidator(0)])
    other = models.DecimalField(_("其他"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("经费预算")
        verbose_name_plural = _("经费预算")
        constraints = [models.UniqueConstraint(fields=["application", "category"], name="one_line_per_category")]

    @property
    def total(self) -> Decimal:
        return self.subsidy + self.enterprise + self.self_raised + self.other


SOURCE_FIELDS = [s.value for s in FundingSource]

_TARGET_RE = re.compile(r"^\s*(≥|>=|>|≤|<=|<|=)?\s*(-?\d+(?:\.\d+)?)")


def is_weaker(target: str, committed: str) -> bool:
    """Whether a committed value falls short of the bang's target ("≥1.2" vs "1.1").

    Only comparable numbers are judged; anything else is not flagged.
    """
    t, c = _TARGET_RE.match(target or ""), _TARGET_RE.match(committed or "")
    if not t or not c:
        return False
    op, goal = t.group(1) or "≥", Decimal(t.group(2))
    value = Decimal(c.group(2))
    if op in {"≥", ">=", ">", "="} and (c.group(1) in {None, "≥", ">=", ">", "="}):
        return value < goal
    if op in {"≤", "<=", "<"} and (c.group(1) in {None, "≤", "<=", "<", "="}):
        return value > goal
    return False


class Commitment(models.Model):
    """The applicant's committed value for one of the bang's indicators."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="commitments")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("承诺值"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("指标承诺")
        verbose_name_plural = _("指标承诺")
        ordering = ["indicator__order", "indicator__pk"]
        constraints = [models.UniqueConstraint(fields=["application", "indicator"], name="one_commitment")]

    @property
    def is_weaker(self) -> bool:
        return is_weaker(self.indicator.target, self.value)


class Attachment(models.Model):
    """An uploaded file for one checklist item. A replaced file is kept (superseded), never deleted."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="attachments")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=RandomUploadPath("applications"))
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    superseded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("申报附件")
        verbose_name_plural = _("申报附件")
        ordering = ["item__order", "-uploaded_at"]


# The plan fields a list row or the 汇总表 shows; the rest of a version (its texts) only its own page.
SUMMARY_FIELDS = ("route_label", "chief_name", "chief_title", "lead_name")


def submitted_summary(data: dict) -> dict:
    """The part of a submitted version's data that list rows and the 汇总表 show: the lead and the
    partners as submitted, a few plan fields, the budget by source."""
    fields = data.get("fields", {})
    return {
        "lead": data.get("lead", {}),
        "partners": data.get("partners", []),
        "fields": {name: fields.get(name, "") for name in SUMMARY_FIELDS},
        "budget": {"by_source": data.get("budget", {}).get("by_source", {})},
    }


class ApplicationVersion(models.Model):
    """What was submitted, as submitted: every submission is kept."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    receipt = models.CharField(_("回执编号"), max_length=40, unique=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField()
    digest = models.CharField(_("内容摘要（SHA-256）"), max_length=64)

    class Meta:
        verbose_name = _("申报版本")
        verbose_name_plural = _("申报版本")
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return self.receipt or gettext("（无回执编号）")
