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


class ProjectState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("实施中")
    TERMINATED = "terminated", _("已终止")
    MERGED = "merged", _("已并入其他团队")
    ACCEPTANCE = "acceptance", _("验收中")
    PASSED = "passed", _("验收通过")
    FAILED = "failed", _("验收未通过")
    TOLERATED = "tolerated", _("未通过（容错）")


PROJECT_TRANSITIONS = {
    ProjectState.IN_PROGRESS: {ProjectState.TERMINATED, ProjectState.MERGED, ProjectState.ACCEPTANCE},
    ProjectState.ACCEPTANCE: {ProjectState.PASSED, ProjectState.FAILED, ProjectState.TOLERATED,
                              ProjectState.IN_PROGRESS},
}
# A project that may still receive money and file reports.
RUNNING = (ProjectState.IN_PROGRESS, ProjectState.ACCEPTANCE)


class PaymentState(models.TextChoices):
    RECORDED = "recorded", _("待确认到账")
    CONFIRMED = "confirmed", _("已确认到账")
    DISPUTED = "disputed", _("有异议")


class ReportState(models.TextChoices):
    DUE = "due", _("待提交")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


REPORT_TRANSITIONS = {
    ReportState.DUE: {ReportState.SUBMITTED},
    ReportState.RETURNED: {ReportState.SUBMITTED},
    ReportState.SUBMITTED: {ReportState.ACCEPTED, ReportState.RETURNED},
}


class ChangeKind(models.TextChoices):
    ROUTE = "route", _("技术路线调整")
    BUDGET = "budget", _("经费调剂")


class MidtermOutcome(models.TextChoices):
    CONTINUE = "continue", _("继续支持")
    INCREASE = "increase", _("增加支持")
    REDUCE = "reduce", _("减少支持")
    TERMINATE = "terminate", _("终止")
    MERGE = "merge", _("合并")


class Verdict(models.TextChoices):
    MET = "met", _("达到")
    NOT_MET = "not_met", _("未达到")


class AcceptanceOutcome(models.TextChoices):
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")
    TOLERATED = "tolerated", _("未通过（容错）")
