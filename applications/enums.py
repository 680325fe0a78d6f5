from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    WITHDRAWN = "withdrawn", _("已撤回")
    RETURNED = "returned", _("退回补正")
    ELIGIBLE = "eligible", _("形式审查通过（已推荐）")
    INELIGIBLE = "ineligible", _("形式审查未通过")
    UNDER_REVIEW = "under_review", _("评审中")
    AWARDED = "awarded", _("揭榜成功")
    NOT_AWARDED = "not_awarded", _("未入选")


S = ApplicationState
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED},
    # Before the deadline a submitted application may be withdrawn or resubmitted (a new version).
    S.SUBMITTED: {S.SUBMITTED, S.WITHDRAWN, S.ELIGIBLE, S.INELIGIBLE, S.RETURNED},
    S.WITHDRAWN: {S.SUBMITTED},
    S.RETURNED: {S.SUBMITTED},
    S.ELIGIBLE: {S.UNDER_REVIEW},
    S.INELIGIBLE: set(),
    S.UNDER_REVIEW: {S.AWARDED, S.NOT_AWARDED},
    S.AWARDED: set(),
    S.NOT_AWARDED: set(),
}

EDITABLE_STATES = {S.DRAFT, S.SUBMITTED, S.WITHDRAWN, S.RETURNED}
# An application that still competes: the lead may not open a second one on the same bang.
ACTIVE_STATES = [s for s in S if s not in {S.WITHDRAWN, S.INELIGIBLE, S.NOT_AWARDED}]


class FundingSource(models.TextChoices):
    SUBSIDY = "subsidy", _("申请财政补助")
    ENTERPRISE = "enterprise", _("发榜企业投入")
    SELF_RAISED = "self_raised", _("自筹")
    OTHER = "other", _("其他")


class CostCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("设备费")
    MATERIALS = "materials", _("材料费")
    TESTING = "testing", _("测试化验加工费")
    LABOUR = "labour", _("劳务费")
    CONSULTANCY = "consultancy", _("专家咨询费")
    OTHER_DIRECT = "other_direct", _("其他直接费用")
    INDIRECT = "indirect", _("间接费用")
