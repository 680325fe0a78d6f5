from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回修改")
    ACCEPTED = "accepted", _("已入库")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")
    LISTED = "listed", _("已发榜")


class CooperationMode(models.TextChoices):
    COMMISSIONED = "commissioned", _("委托研发")
    RETROFIT = "retrofit", _("技术改造（设备、研发生产条件）")
    PURCHASE = "purchase", _("技术购买")
    PILOT_BASE = "pilot_base", _("共建中试、熟化基地")
    OTHER = "other", _("其他")


# Which states a demand may move to from each state. Every change goes through services.py.
TRANSITIONS: dict[str, set[str]] = {
    DemandState.DRAFT: {DemandState.SUBMITTED},
    DemandState.WITHDRAWN: {DemandState.SUBMITTED},
    DemandState.RETURNED: {DemandState.SUBMITTED},
    DemandState.SUBMITTED: {
        DemandState.ACCEPTED,
        DemandState.RETURNED,
        DemandState.REJECTED,
        DemandState.WITHDRAWN,
    },
    DemandState.ACCEPTED: {DemandState.LISTED},
    DemandState.REJECTED: set(),
    DemandState.LISTED: set(),
}

EDITABLE_STATES = {DemandState.DRAFT, DemandState.RETURNED, DemandState.WITHDRAWN}
