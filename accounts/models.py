from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import choice_display

from .enums import EconomicNature, JoinRequestState, OrganisationKind, RegionLevel, Role
from .validators import validate_credit_code, validate_mobile, validate_phone, validate_postcode

HOME_PROVINCE_CODE = "150000"  # 内蒙古自治区
IN_REGION_PREFIX = "15"


class Region(models.Model):
    """A province, or an Inner Mongolia 盟市 or 旗县 (administrative division)."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级")
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        # Only a county reads its parent (a city or the province itself needs no query).
        parent = self.parent.name if self.level == RegionLevel.COUNTY and self.parent_id else None
        return self.label(self.name, self.level, parent)

    @staticmethod
    def label(name: str, level: str, parent_name: str | None) -> str:
        """How a region is written: a county with its city before it. For rows that carry the names
        as columns (`{% region_label %}`), without Region objects."""
        if level == RegionLevel.COUNTY and parent_name:
            return f"{parent_name} {name}"
        return name or ""

    @property
    def in_region(self) -> bool:
        """Inner Mongolia's division codes all start with 15."""
        return self.code.startswith(IN_REGION_PREFIX)

    @property
    def city(self):
        """The 盟市 this region belongs to, or None for a province."""
        if self.level == RegionLevel.CITY:
            return self
        if self.level == RegionLevel.COUNTY:
            return self.parent
        return None


class Organisation(models.Model):
    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code],
        error_messages={"unique": _("该统一社会信用代码已注册。")},
    )
    kind = models.CharField(_("单位类型"), max_length=16, choices=OrganisationKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("所在地区"))
    address = models.CharField(_("单位地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True, validators=[validate_postcode])
    legal_rep = models.CharField(_("法定代表人"), max_length=64, blank=True)
    legal_rep_phone = models.CharField(_("法定代表人电话"), max_length=32, blank=True, validators=[validate_phone])
    economic_nature = models.CharField(_("经济性质"), max_length=16, choices=EconomicNature.choices, blank=True)
    staff_size = models.PositiveIntegerField(_("人员规模（人）"), null=True, blank=True)
    last_year_output = models.DecimalField(
        _("上年度产值（万元）"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    first_user = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("首个用户"),
        help_text=_("注册本单位的用户，审批加入本单位的申请。"),
    )
    is_verified = models.BooleanField(_("已核验"), default=False)
    # A unit an applicant typed in as a partner: nobody has registered it, so its name is unchecked.
    is_placeholder = models.BooleanField(
        _("代填单位（未注册）"), default=False,
        help_text=_("由申报单位代为填写的成员单位，名称等信息未经该单位确认。"),
    )
    is_dishonest = models.BooleanField(_("列入失信名单"), default=False)
    dishonest_note = models.TextField(_("失信说明"), blank=True)
    created_at = models.DateTimeField(_("注册时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def in_region(self) -> bool:
        return self.region.in_region

    def snapshot(self) -> dict:
        """The unit's particulars as they stood at a moment (kept on submitted forms)."""
        return {
            "name": self.name,
            "credit_code": self.credit_code,
            "kind": self.get_kind_display(),
            "region": str(self.region),
            "in_region": self.region.in_region,
            "address": self.address,
            "postcode": self.postcode,
            "legal_rep": self.legal_rep,
            "legal_rep_phone": self.legal_rep_phone,
            "economic_nature": self.get_economic_nature_display(),
            "staff_size": self.staff_size,
            "last_year_output": str(self.last_year_output) if self.last_year_output is not None else "",
        }


class Department(models.Model):
    """A division of an organiser (e.g. 高新技术处), with its own screening queue."""

    name = models.CharField(_("处室名称"), max_length=100, unique=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="departments",
        verbose_name=_("所属单位"),
    )

    class Meta:
        verbose_name = _("处室")
        verbose_name_plural = _("处室")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members",
        verbose_name=_("所属单位"),
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
        verbose_name=_("所属处室"),
    )
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    mobile = models.CharField(_("手机"), max_length=11, blank=True, validators=[validate_mobile])
    title = models.CharField(_("职务/职称"), max_length=64, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        if not self.is_authenticated or self.pk is None:
            return frozenset()
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, role: str) -> bool:
        return role in self.role_codes

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleGrant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self) -> str:
        return self.get_role_display()


class JoinRequest(models.Model):
    """A user asks to join a unit whose credit code is already registered."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="join_requests")
    role = models.CharField(_("申请角色"), max_length=16, choices=Role.choices)
    state = models.CharField(_("状态"), max_length=16, choices=JoinRequestState.choices, default=JoinRequestState.PENDING)
    get_state_display = choice_display("state", JoinRequestState)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("加入单位申请")
        verbose_name_plural = _("加入单位申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class CreditRecord(models.Model):
    """A unit's credit record (科研诚信记录), e.g. a failed acceptance without tolerance under the
    military order. While `barred_until` has not passed, the unit may not lead a new application."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credit_records",
                                     verbose_name=_("单位"))
    reason = models.TextField(_("事由"))
    source = models.CharField(_("来源"), max_length=200, blank=True, help_text=_("如项目编号"))
    barred_until = models.DateField(_("限制牵头申报至"), null=True, blank=True)
    created_by = models.ForeignKey("User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-created_at", "-pk"]
