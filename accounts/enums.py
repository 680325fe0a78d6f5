from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY = "university", _("高等院校")
    INSTITUTE = "institute", _("科研院所")
    NEW_RD = "new_rd", _("新型研发机构")
    GOVERNMENT = "government", _("政府部门")
    OTHER = "other", _("其他")


class EconomicNature(models.TextChoices):
    STATE = "state", _("国有")
    COLLECTIVE = "collective", _("集体")
    PRIVATE = "private", _("私营")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("发榜企业")
    APPLICANT = "applicant", _("揭榜单位")
    EXPERT = "expert", _("专家")
    RECOMMENDER = "recommender", _("推荐单位")
    STAFF = "staff", _("管理人员")
    # Manages accounts (create, edit, re-role, send password resets); the superuser has it implicitly.
    ADMIN = "admin", _("平台管理员")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("盟市")
    COUNTY = "county", _("旗县")


class JoinRequestState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已拒绝")
