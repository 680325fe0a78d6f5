import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from accounts.models import Organisation
from accounts.validators import validate_phone, validate_phone_list
from core.choices import choice_display
from core.files import RandomUploadPath
from demands.models import Demand, TechField

from .enums import (
    SUBSIDY_CAPS,
    SUBSIDY_RATE,
    AttachmentCondition,
    AttachmentKind,
    BangKind,
    BangListState,
)

CENT = Decimal("0.01")
# The most partners a list may allow (checked by the list form): each is a row of the application's table form.
MAX_PARTNERS_LIMIT = 15


def subsidy_cap(kind: str, total_investment: Decimal | None) -> Decimal | None:
    """The largest subsidy the rule allows: 30% of total R&D investment, capped by kind."""
    if total_investment is None:
        return None
    by_rate = (Decimal(total_investment) * SUBSIDY_RATE).quantize(CENT, rounding=ROUND_DOWN)
    return min(by_rate, SUBSIDY_CAPS[kind])


class DemandOpinion(models.Model):
    """An expert's screening opinion on a pooled demand (筛选、凝练、论证)."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("需求"))
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="demand_opinions", verbose_name=_("专家")
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    recommend = models.BooleanField(_("是否推荐"), null=True)
    comments = models.TextField(_("意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("专家筛选意见")
        verbose_name_plural = _("专家筛选意见")
        ordering = ["assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["demand", "expert"], name="one_opinion_per_expert")]

    def __str__(self) -> str:
        expert = str(self.expert) if self.expert_id else gettext("（未指派专家）")
        demand = str(self.demand) if self.demand_id else gettext("（未命名草稿）")
        return f"{expert} · {demand}"


class BangList(models.Model):
    """榜单: a published call with its announcement and its bangs."""

    organiser = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="organised_lists", verbose_name=_("组织单位")
    )
    title = models.CharField(_("榜单名称"), max_length=200)
    state = models.CharField(_("状态"), max_length=16, choices=BangListState.choices, default=BangListState.DRAFT)
    get_state_display = choice_display("state", BangListState)
    preamble = models.TextField(_("通知正文"), blank=True)
    conditions = models.JSONField(_("揭榜条件"), default=list, blank=True)
    process = models.TextField(_("揭榜流程"), blank=True)
    opens_at = models.DateTimeField(_("申报开始时间"))
    deadline = models.DateTimeField(_("申报截止时间"))
    recommend_deadline = models.DateTimeField(_("推荐截止时间"), null=True, blank=True)
    max_partners = models.PositiveSmallIntegerField(_("联合体成员单位上限"), default=5)
    notice_days = models.PositiveSmallIntegerField(_("公示期（天数）"), default=5, validators=[MinValueValidator(1)])
    notice_in_calendar_days = models.BooleanField(
        _("公示期按自然日计算"), default=False, help_text=_("默认按工作日（含调休）计算。"))
    correction_days = models.PositiveSmallIntegerField(
        _("退回补正期限（工作日）"), default=3, validators=[MinValueValidator(1)]
    )
    is_targeted = models.BooleanField(_("定向发榜"), default=False)
    invited = models.ManyToManyField(
        Organisation, blank=True, related_name="invited_lists", verbose_name=_("定向邀请单位")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("榜单")
        verbose_name_plural = _("榜单")
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return self.title or gettext("（未命名草稿）")

    def accepts_at(self, at: datetime.datetime) -> bool:
        """Whether the deadline allows a submission at `at`, to the second: a deadline of 23:59:59
        accepts 23:59:59 (and its fractions) and refuses 00:00:00."""
        return self.opens_at <= at and at.replace(microsecond=0) <= self.deadline

    def is_open(self, at: datetime.datetime | None = None) -> bool:
        """Open for applications: published, and between its opening time and its deadline."""
        return self.state == BangListState.PUBLISHED and self.accepts_at(at or timezone.now())

    @property
    def is_closed(self) -> bool:
        return self.state != BangListState.DRAFT and timezone.now().replace(microsecond=0) > self.deadline

    @property
    def is_editable(self) -> bool:
        return self.state == BangListState.DRAFT

    def status_label(self) -> str:
        if self.state != BangListState.PUBLISHED:
            return self.get_state_display()
        now = timezone.now()
        if now < self.opens_at:
            return _("未开始")
        return _("申报中") if self.accepts_at(now) else _("已截止")


class Bang(models.Model):
    """技术榜: one problem to solve, made from one or more accepted demands."""

    bang_list = models.ForeignKey(BangList, on_delete=models.PROTECT, related_name="bangs", verbose_name=_("所属榜单"))
    number = models.PositiveSmallIntegerField(_("榜单序号"))
    title = models.CharField(_("榜单名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=16, choices=BangKind.choices, default=BangKind.TACKLING)
    get_kind_display = choice_display("kind", BangKind)
    field = models.ForeignKey(TechField, on_delete=models.PROTECT, related_name="bangs", verbose_name=_("技术领域"))
    issuers = models.ManyToManyField(Organisation, related_name="issued_bangs", verbose_name=_("发榜企业"))
    demands = models.ManyToManyField(Demand, blank=True, related_name="bangs", verbose_name=_("来源需求"))
    background = models.TextField(_("需求背景"), blank=True)
    objectives = models.TextField(_("攻关目标"), blank=True)
    field_test = models.TextField(_("实测要求"), blank=True)
    period_months = models.PositiveSmallIntegerField(_("实施周期（月）"), default=36)
    total_investment = models.DecimalField(
        _("研发总投入（万元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    subsidy_override = models.DecimalField(
        _("一事一议补助额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    override_reason = models.TextField(_("一事一议理由"), blank=True)
    override_approver = models.CharField(_("一事一议批准人"), max_length=100, blank=True)
    solver_requirements = models.TextField(_("对揭榜方要求"), blank=True)
    ip_terms = models.TextField(_("知识产权约定"), blank=True)
    max_teams = models.PositiveSmallIntegerField(_("最多支持团队数（赛马）"), default=1, validators=[MinValueValidator(1)])
    contact_name = models.CharField(_("业务联系人"), max_length=64, blank=True)
    contact_department = models.CharField(_("联系人部门"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    # A bang nobody solved (未揭榜) put into a later list keeps where it came from.
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="carried_to",
        verbose_name=_("转自（未揭榜的技术榜）"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("技术榜")
        verbose_name_plural = _("技术榜")
        ordering = ["bang_list", "number"]
        constraints = [models.UniqueConstraint(fields=["bang_list", "number"], name="unique_bang_number")]

    def __str__(self) -> str:
        return self.title or gettext("（未命名草稿）")

    @property
    def rule_cap(self) -> Decimal | None:
        return subsidy_cap(self.kind, self.total_investment)

    @property
    def subsidy_cap(self) -> Decimal | None:
        """The cap that applies: a recorded 一事一议 amount, else the rule."""
        if self.subsidy_override is not None:
            return self.subsidy_override
        return self.rule_cap

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name and self.contact_phone)


class Indicator(models.Model):
    bang = models.ForeignKey(Bang, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("指标名称"), max_length=200)
    target = models.CharField(_("目标值"), max_length=100)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    test_method = models.CharField(_("测试方法"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.target}{self.unit}".strip() or gettext("（未命名）")


class ChecklistItem(models.Model):
    """One required (or optional) application attachment of a list."""

    bang_list = models.ForeignKey(BangList, on_delete=models.CASCADE, related_name="checklist")
    kind = models.CharField(_("材料类型"), max_length=32, choices=AttachmentKind.choices)
    title = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必须提交"), default=True)
    condition = models.CharField(
        _("适用情形"), max_length=32, choices=AttachmentCondition.choices, default=AttachmentCondition.ALWAYS
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("申报材料清单")
        verbose_name_plural = _("申报材料清单")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title or gettext("（未命名）")


class Contact(models.Model):
    """A contact of the announcement: for the list, or for one bang (seed 002)."""

    bang_list = models.ForeignKey(BangList, on_delete=models.CASCADE, related_name="contacts")
    purpose = models.CharField(_("事项"), max_length=100, help_text=_("如：业务咨询、组织申报、系统技术支持"))
    department = models.CharField(_("部门"), max_length=100, blank=True)
    name = models.CharField(_("联系人"), max_length=64)
    phone = models.CharField(_("电话"), max_length=64, validators=[validate_phone_list])
    bang_numbers = models.CharField(_("对应榜单序号"), max_length=50, blank=True, help_text=_("如“1、2”；留空表示全部"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("联系方式")
        verbose_name_plural = _("联系方式")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.name}".strip() or gettext("（未命名）")

    def applies_to(self, number: int) -> bool:
        """Whether this contact answers for bang `number` ("1、2", "1,2"; empty means every bang)."""
        if not self.bang_numbers.strip():
            return True
        numbers = self.bang_numbers.replace("，", "、").replace(",", "、").split("、")
        return str(number) in {n.strip() for n in numbers}


class ListFile(models.Model):
    """A file attached to the announcement, such as the official notice."""

    bang_list = models.ForeignKey(BangList, on_delete=models.PROTECT, related_name="files")
    title = models.CharField(_("文件名称"), max_length=200)
    file = models.FileField(upload_to=RandomUploadPath("lists"))
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title or gettext("（未命名）")


class Amendment(models.Model):
    """更正/补充通知: a dated, visible change to a published list."""

    bang_list = models.ForeignKey(BangList, on_delete=models.PROTECT, related_name="amendments")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    old_deadline = models.DateTimeField(_("原截止时间"), null=True, blank=True)
    new_deadline = models.DateTimeField(_("新截止时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("更正/补充通知")
        verbose_name_plural = _("更正/补充通知")
        ordering = ["published_at", "pk"]

    def __str__(self) -> str:
        return self.title or gettext("（未命名）")
