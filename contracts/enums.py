from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskBookState(models.TextChoices):
    DRAFTING = "drafting", _("起草中")
    RETURNED = "returned", _("已退回修改")
    FINALISED = "finalised", _("已定稿，待签署")
    SIGNING = "signing", _("签署中")
    IN_FORCE = "in_force", _("已生效")
    # An amendment (变更) came into force: this revision stays, readable and verifiable, but is no longer the one in force.
    SUPERSEDED = "superseded", _("已被变更取代")


TASK_BOOK_TRANSITIONS = {
    TaskBookState.DRAFTING: {TaskBookState.RETURNED, TaskBookState.FINALISED},
    TaskBookState.RETURNED: {TaskBookState.DRAFTING, TaskBookState.FINALISED},
    TaskBookState.FINALISED: {TaskBookState.SIGNING, TaskBookState.IN_FORCE},
    TaskBookState.SIGNING: {TaskBookState.IN_FORCE},
    TaskBookState.IN_FORCE: {TaskBookState.SUPERSEDED},
}
EDITABLE = (TaskBookState.DRAFTING, TaskBookState.RETURNED)
AWAITING_SIGNATURES = (TaskBookState.FINALISED, TaskBookState.SIGNING)
ISSUED = (TaskBookState.FINALISED, TaskBookState.SIGNING, TaskBookState.IN_FORCE, TaskBookState.SUPERSEDED)


class PartyKind(models.TextChoices):
    LEAD = "lead", _("牵头单位（乙方）")
    ISSUER = "issuer", _("发榜企业（丙方）")
    ORGANISER = "organiser", _("组织单位（甲方）")
    PARTNER = "partner", _("联合体成员单位")


class StaffRole(models.TextChoices):
    CHIEF = "chief", _("首席科学家")
    LEAD = "lead", _("项目负责人")
    MEMBER = "member", _("骨干成员")
