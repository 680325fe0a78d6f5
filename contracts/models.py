"""The task book (任务书) with its military order (军令状), issue 12.

A task book belongs to one confirmed award. Its content is one JSON document (see `content.py` for
its shape); every save by the lead keeps a `TaskBookVersion`. Finalising freezes the content, takes
its fingerprint (SHA-256 over canonical JSON, `fingerprint.py`) and issues a signed PDF. The parties
then each upload a sealed scan (`SigningParty`). An amendment (变更) after it is in force is a new
`TaskBook` row with the next revision: both stay.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from accounts.models import Organisation
from core.choices import choice_display
from core.files import RandomUploadPath
from reviews.models import Award

from .enums import (
    AcceptanceOutcome,
    ChangeKind,
    MidtermOutcome,
    PartyKind,
    PaymentState,
    ProjectState,
    ReportState,
    TaskBookState,
    Verdict,
)


class TaskBook(models.Model):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="task_books", verbose_name=_("立项团队"))
    revision = models.PositiveSmallIntegerField(_("版次"), default=1)
    amends = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="amendment", verbose_name=_("变更自"))
    amendment_reason = models.TextField(_("变更理由"), blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=TaskBookState.choices, default=TaskBookState.DRAFTING)
    get_state_display = choice_display("state", TaskBookState)
    content = models.JSONField(_("内容"), default=dict)
    # Denormalised for lists and the public verify page (the content carries the same).
    project_number = models.CharField(_("项目编号"), max_length=40, db_index=True)
    project_name = models.CharField(_("项目名称"), max_length=200)
    # Set when finalised (定稿): the content is frozen from then on.
    fingerprint = models.CharField(_("内容指纹（SHA-256）"), max_length=64, blank=True, db_index=True)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # The issued PDF (signed by the platform) and the SHA-256 of its bytes.
    pdf = models.FileField(upload_to=RandomUploadPath("taskbooks"), blank=True)
    pdf_sha256 = models.CharField(_("签发文件摘要（SHA-256）"), max_length=64, blank=True, db_index=True)
    in_force_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("任务书")
        verbose_name_plural = _("任务书")
        ordering = ["project_number", "revision"]
        constraints = [models.UniqueConstraint(fields=["award", "revision"], name="one_task_book_per_revision")]

    def __str__(self) -> str:
        if self.revision > 1:
            return gettext("%(number)s 任务书（第%(rev)d版）") % {"number": self.project_number, "rev": self.revision}
        return gettext("%(number)s 任务书") % {"number": self.project_number}

    @property
    def is_amendment(self) -> bool:
        return self.amends_id is not None


class TaskBookVersion(models.Model):
    """Every saved state of a task book's content while it is negotiated."""

    task_book = models.ForeignKey(TaskBook, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    content = models.JSONField()
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    saved_at = models.DateTimeField(_("保存时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("任务书版本")
        verbose_name_plural = _("任务书版本")
        ordering = ["task_book", "number"]
        constraints = [models.UniqueConstraint(fields=["task_book", "number"], name="one_task_book_version_number")]


class TaskBookComment(models.Model):
    """The issuing enterprise's or the organiser's comment on the draft; `returned` marks a return."""

    task_book = models.ForeignKey(TaskBook, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("意见"))
    returned = models.BooleanField(_("退回修改"), default=False)
    version_number = models.PositiveSmallIntegerField(_("针对版本"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("任务书意见")
        verbose_name_plural = _("任务书意见")
        ordering = ["task_book", "created_at", "pk"]


class SigningParty(models.Model):
    """One party that must seal the issued task book, fixed when it is finalised, and its signature."""

    task_book = models.ForeignKey(TaskBook, on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField(_("签署方"), max_length=16, choices=PartyKind.choices)
    get_kind_display = choice_display("kind", PartyKind)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="task_book_parties",
                                     verbose_name=_("单位"))
    name = models.CharField(_("单位名称"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    scan = models.FileField(upload_to=RandomUploadPath("signatures"), blank=True)
    scan_name = models.CharField(max_length=200, blank=True)
    scan_sha256 = models.CharField(_("盖章扫描件摘要（SHA-256）"), max_length=64, blank=True)
    signer_name = models.CharField(_("签署人"), max_length=64, blank=True)
    signer_title = models.CharField(_("职务"), max_length=64, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    # Claimed by the beat reminder (one reminder per party and revision).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("签署方")
        verbose_name_plural = _("签署方")
        ordering = ["task_book", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["task_book", "kind", "organisation"], name="one_signature_per_party")]

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


class OrderTemplate(models.Model):
    """The wording of the military order (军令状), edited by an organiser's staff. Placeholders:
    {project}, {number}, {lead}, {end}, {indicators}, {bar_years}."""

    organiser = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="order_template")
    body = models.TextField(_("军令状文本"))
    bar_years = models.PositiveSmallIntegerField(_("限制牵头申报年限"), default=3)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("军令状模板")
        verbose_name_plural = _("军令状模板")


# --- execution (issue 13): from the task book in force to acceptance -------------------------------


class Project(models.Model):
    """The project an award became when its task book came into force: money, reports, the
    mid-term review and acceptance hang off it."""

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="project", verbose_name=_("立项团队"))
    task_book = models.ForeignKey(TaskBook, on_delete=models.PROTECT, related_name="+", verbose_name=_("现行任务书"))
    state = models.CharField(_("状态"), max_length=16, choices=ProjectState.choices, default=ProjectState.IN_PROGRESS)
    get_state_display = choice_display("state", ProjectState)
    project_number = models.CharField(_("项目编号"), max_length=40, unique=True)
    # The subsidy agreed now (the award's, changed by a mid-term increase or reduction).
    subsidy = models.DecimalField(_("财政补助（万元）"), max_digits=12, decimal_places=2)
    midterm_passed_at = models.DateTimeField(_("中期评估通过时间"), null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
                                    verbose_name=_("并入团队"))
    refund_due = models.DecimalField(_("应退回财政资金（万元）"), max_digits=12, decimal_places=2, default=0)
    started_at = models.DateTimeField(_("开始执行时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["project_number"]

    def __str__(self) -> str:
        return self.project_number


class Payment(models.Model):
    """The issuing enterprise's payment to the lead unit; only a confirmed arrival (到账) counts."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("金额（万元）"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("付款日期"))
    receipt = models.FileField(upload_to=RandomUploadPath("receipts"))
    receipt_name = models.CharField(max_length=200)
    receipt_sha256 = models.CharField(max_length=64)
    state = models.CharField(_("状态"), max_length=16, choices=PaymentState.choices, default=PaymentState.RECORDED)
    get_state_display = choice_display("state", PaymentState)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    arrived_on = models.DateField(_("到账日期"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    dispute_reason = models.TextField(_("异议理由"), blank=True)

    class Meta:
        verbose_name = _("企业资金")
        verbose_name_plural = _("企业资金")
        ordering = ["project", "paid_on", "pk"]


class Disbursement(models.Model):
    """A disbursement (拨付) of the subsidy, recorded by staff."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("金额（万元）"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("拨付日期"))
    document_number = models.CharField(_("拨付文号"), max_length=100)
    tranche = models.PositiveSmallIntegerField(_("对应批次"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ["project", "paid_on", "pk"]


class StageReport(models.Model):
    """A stage report (阶段报告) due at one of the task book's schedule dates."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reports")
    stage = models.PositiveSmallIntegerField(_("阶段"))
    goal = models.CharField(_("阶段目标"), max_length=300)
    due_date = models.DateField(_("应提交日期"))
    state = models.CharField(_("状态"), max_length=16, choices=ReportState.choices, default=ReportState.DUE)
    get_state_display = choice_display("state", ReportState)
    # [{"key", "name", "target", "progress"}]: progress per indicator, as submitted.
    progress = models.JSONField(default=list, blank=True)
    spending = models.DecimalField(_("累计支出（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    enterprise_comment = models.TextField(_("发榜企业意见"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    # Each reminder claimed once (beat): 14 days before, 3 days before, once overdue.
    reminded_14_at = models.DateTimeField(null=True, blank=True)
    reminded_3_at = models.DateTimeField(null=True, blank=True)
    reminded_overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("阶段报告")
        verbose_name_plural = _("阶段报告")
        ordering = ["project", "stage"]
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="one_report_per_stage")]


class ProjectFile(models.Model):
    """An upload belonging to a project: a stage report's attachment, a field-test report, the
    original research records of a 容错 decision."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="files")
    report = models.ForeignKey(StageReport, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    purpose = models.CharField(max_length=32)
    file = models.FileField(upload_to=RandomUploadPath("projects"))
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("项目文件")
        verbose_name_plural = _("项目文件")
        ordering = ["project", "uploaded_at", "pk"]


class SelfChange(models.Model):
    """A technical-route adjustment or budget reallocation the team made on its own authority
    (recorded and told, not approved: "权限全部下放")."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("类型"), max_length=16, choices=ChangeKind.choices)
    get_kind_display = choice_display("kind", ChangeKind)
    description = models.TextField(_("说明"))
    # For a reallocation: [{"category", "from", "to"}] in 万元.
    details = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("自主调整记录")
        verbose_name_plural = _("自主调整记录")
        ordering = ["project", "-recorded_at"]


class MidtermDecision(models.Model):
    """The mid-term review's decision on one team (中期评估)."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="midterm")
    outcome = models.CharField(_("评估结论"), max_length=16, choices=MidtermOutcome.choices)
    get_outcome_display = choice_display("outcome", MidtermOutcome)
    reason = models.TextField(_("理由"))
    new_subsidy = models.DecimalField(_("调整后财政补助（万元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    merged_into = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refund_due = models.DecimalField(_("应退回（万元）"), max_digits=12, decimal_places=2, default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("中期评估结论")
        verbose_name_plural = _("中期评估结论")


class Acceptance(models.Model):
    """验收: the lead applies, the issuing enterprise judges, staff record the outcome."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="acceptance")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(default=timezone.now)
    early = models.BooleanField(_("提前申请"), default=False)
    summary = models.TextField(_("完成情况"), blank=True)
    verdict = models.CharField(_("发榜企业总体评价"), max_length=16, choices=Verdict.choices, blank=True)
    verdict_comment = models.TextField(_("发榜企业意见"), blank=True)
    judged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    judged_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("验收结论"), max_length=16, choices=AcceptanceOutcome.choices, blank=True)
    get_outcome_display = choice_display("outcome", AcceptanceOutcome)
    outcome_reason = models.TextField(_("结论说明"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # The acceptance certificate (验收结论书): fingerprinted and signed like the task book.
    content = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    pdf = models.FileField(upload_to=RandomUploadPath("certificates"), blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = _("验收")
        verbose_name_plural = _("验收")


class FieldTest(models.Model):
    """实测: one indicator's measured value with its third-party report, and the enterprise's judgement."""

    acceptance = models.ForeignKey(Acceptance, on_delete=models.PROTECT, related_name="tests")
    key = models.CharField(max_length=20)
    name = models.CharField(_("指标"), max_length=200)
    target = models.CharField(_("目标值"), max_length=100)
    measured = models.CharField(_("实测值"), max_length=100)
    method = models.CharField(_("测试方法"), max_length=300)
    place = models.CharField(_("测试地点"), max_length=200)
    tested_on = models.DateField(_("测试日期"))
    report = models.ForeignKey(ProjectFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("发榜企业评价"), max_length=16, choices=Verdict.choices, blank=True)
    comment = models.TextField(_("评价意见"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("实测结果")
        verbose_name_plural = _("实测结果")
        ordering = ["acceptance", "order", "pk"]
