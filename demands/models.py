import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from accounts.models import Department, Organisation
from accounts.validators import validate_mobile
from core.choices import choice_display

from .enums import EDITABLE_STATES, CooperationMode, DemandState

# Length limits of the 需求表 (附件1): one Chinese character counts as one.
TEXT_LIMITS = {
    "background": 1000,
    "content": 3000,
    "basis": 1000,
    "solver_requirements": 1000,
    "ip_terms": 1000,
}


def end_of_day(day: datetime.date) -> datetime.datetime:
    """'8月30日24时' in Beijing time: the first instant of the next day, exclusive."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min),
        timezone.get_default_timezone(),
    )


class TechField(models.Model):
    """技术攻关领域, routed to the department that screens its demands."""

    name = models.CharField(_("领域名称"), max_length=64, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="fields", verbose_name=_("负责处室"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("技术领域")
        verbose_name_plural = _("技术领域")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name or gettext("（未命名）")


class CollectionRound(models.Model):
    """征集批次: a call for demands, with its own rules."""

    title = models.CharField(_("批次名称"), max_length=200)
    opens_at = models.DateTimeField(_("开启时间"))
    closes_on = models.DateField(
        _("截止日期（当日24时）"), null=True, blank=True, help_text=_("留空表示常年开放。")
    )
    min_self_investment = models.DecimalField(
        _("企业最低投入（万元）"), max_digits=12, decimal_places=2, default=Decimal("500.00"),
        validators=[MinValueValidator(0)],
    )
    max_period_months = models.PositiveSmallIntegerField(_("最长实施周期（月）"), default=36)
    fields = models.ManyToManyField(TechField, verbose_name=_("接受的领域"), related_name="rounds")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("征集批次")
        verbose_name_plural = _("征集批次")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.title or gettext("（未命名）")

    @property
    def closes_at(self) -> datetime.datetime | None:
        return end_of_day(self.closes_on) if self.closes_on else None

    @property
    def is_year_round(self) -> bool:
        return self.closes_on is None

    def is_open(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        if at < self.opens_at:
            return False
        return self.closes_at is None or at < self.closes_at


class Demand(models.Model):
    """One 需求表 (附件1), filed by an enterprise in a collection round."""

    round = models.ForeignKey(CollectionRound, on_delete=models.PROTECT, related_name="demands", verbose_name=_("征集批次"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="demands", verbose_name=_("发榜企业"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人"))
    state = models.CharField(_("状态"), max_length=16, choices=DemandState.choices, default=DemandState.DRAFT)
    get_state_display = choice_display("state", DemandState)
    field = models.ForeignKey(
        TechField, null=True, blank=True, on_delete=models.PROTECT, related_name="demands", verbose_name=_("技术攻关领域")
    )
    field_other = models.CharField(_("其他领域说明"), max_length=100, blank=True)
    # 联系人
    contact_name = models.CharField(_("联系人姓名"), max_length=64, blank=True)
    contact_title = models.CharField(_("联系人职务"), max_length=64, blank=True)
    contact_mobile = models.CharField(_("联系人手机"), max_length=11, blank=True, validators=[validate_mobile])
    contact_email = models.EmailField(_("联系人电子邮箱"), blank=True)
    # 二、项目需求信息
    name = models.CharField(_("项目需求名称"), max_length=200, blank=True)
    cooperation_mode = models.CharField(_("项目合作方式"), max_length=16, choices=CooperationMode.choices, blank=True)
    cooperation_other = models.CharField(_("其他合作方式"), max_length=100, blank=True)
    background = models.TextField(_("需求背景、国内外相关情况介绍"), blank=True)
    content = models.TextField(_("需求内容描述"), blank=True)
    basis = models.TextField(_("现有基础情况"), blank=True)
    solver_requirements = models.TextField(_("对揭榜方要求"), blank=True)
    ip_terms = models.TextField(_("产权归属、利益分配等要求"), blank=True)
    field_test = models.TextField(_("实测要求"), blank=True)
    period_months = models.PositiveSmallIntegerField(_("时限要求（月）"), null=True, blank=True)
    total_investment = models.DecimalField(
        _("项目拟总投入金额（万元）"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    enterprise_snapshot = models.JSONField(_("企业信息（提交时）"), default=dict, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("项目需求")
        verbose_name_plural = _("项目需求")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [models.Index(fields=["state", "field"], name="demand_state_field_idx")]

    def __str__(self) -> str:
        # A draft may have no name yet; __str__ must return a str, not a lazy translation.
        return self.name or gettext("（未命名草稿）")

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def number(self) -> str:
        # The year in Beijing time: a demand made on 1 January before 08:00 belongs to the new year.
        return f"XQ{timezone.localtime(self.created_at):%Y}{self.pk:05d}"

    @property
    def enterprise(self) -> dict:
        """The unit's particulars: as submitted once submitted, live before."""
        return self.enterprise_snapshot or self.organisation.snapshot()

    def cooperation_display(self) -> str:
        if self.cooperation_mode == CooperationMode.OTHER and self.cooperation_other:
            return f"{self.get_cooperation_mode_display()}：{self.cooperation_other}"
        return self.get_cooperation_mode_display()
