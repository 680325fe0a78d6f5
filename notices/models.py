from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from accounts.validators import validate_credit_code, validate_mobile, validate_phone
from bangs.models import Bang, BangList
from core.choices import choice_display
from core.files import RandomUploadPath
from reviews.models import BangDecision

from .enums import NoticeBangState, ObjectionSource, ObjectionState, ObjectorKind, PeriodUnit, RefusalGround
from .validators import validate_id_number


class Notice(models.Model):
    """揭榜公示: a list's proposed awards (all its bangs, or a batch) put before the public for a period."""

    bang_list = models.ForeignKey(BangList, on_delete=models.PROTECT, related_name="result_notices",
                                  verbose_name=_("榜单"))
    title = models.CharField(_("标题"), max_length=200)
    basis = models.TextField(_("依据与评审过程"))
    how_to_object = models.TextField(_("异议方式"))
    period_unit = models.CharField(_("公示期单位"), max_length=16, choices=PeriodUnit.choices,
                                   default=PeriodUnit.WORKING)
    get_period_unit_display = choice_display("period_unit", PeriodUnit)
    period_days = models.PositiveSmallIntegerField(_("公示期"))
    published_at = models.DateTimeField(_("发布时间"))
    ends_at = models.DateTimeField(_("公示截止时间"))
    # What the calendar said when the period was computed (a year without holiday data).
    calendar_warnings = models.JSONField(default=list, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("揭榜公示")
        verbose_name_plural = _("揭榜公示")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title or gettext("（未命名）")

    def is_running(self, at=None) -> bool:
        at = (at or timezone.now()).replace(microsecond=0)
        return self.published_at <= at <= self.ends_at

    def accepts_objections(self, at=None) -> bool:
        return self.is_running(at)


class NoticeBang(models.Model):
    """One bang in one notice, with what was noticed about it, frozen at publication."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="entries")
    bang = models.ForeignKey(Bang, on_delete=models.PROTECT, related_name="notice_entries", verbose_name=_("技术榜"))
    decision = models.ForeignKey(BangDecision, on_delete=models.PROTECT, related_name="notice_entries")
    state = models.CharField(_("状态"), max_length=16, choices=NoticeBangState.choices,
                             default=NoticeBangState.NOTICED)
    get_state_display = choice_display("state", NoticeBangState)
    # {"number", "title", "issuers", "outcome", "reason", "racehorse", "awards": [{"lead", "partners",
    #   "chief", "route", "subsidy"}]}: what the public was shown.
    content = models.JSONField(default=dict)
    settled_at = models.DateTimeField(_("确认/撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示技术榜")
        verbose_name_plural = _("公示技术榜")
        ordering = ["notice", "bang__number"]
        constraints = [models.UniqueConstraint(fields=["notice", "bang"], name="one_entry_per_bang")]


class NoticeAmendment(models.Model):
    """更正: a dated correction to a published notice, which itself is never edited."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="amendments")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("公示更正")
        verbose_name_plural = _("公示更正")
        ordering = ["published_at", "pk"]


class Objection(models.Model):
    """异议: filed by name against one bang of a notice. The objector's identity is confidential."""

    entry = models.ForeignKey(NoticeBang, on_delete=models.PROTECT, related_name="objections",
                              verbose_name=_("异议对象"))
    number = models.CharField(_("受理编号"), max_length=32, unique=True)
    kind = models.CharField(_("异议人类型"), max_length=16, choices=ObjectorKind.choices)
    get_kind_display = choice_display("kind", ObjectorKind)
    source = models.CharField(_("来源"), max_length=16, choices=ObjectionSource.choices, default=ObjectionSource.ONLINE)
    # Individuals
    name = models.CharField(_("姓名"), max_length=64, blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True, validators=[validate_id_number])
    mobile = models.CharField(_("手机"), max_length=11, blank=True, validators=[validate_mobile])
    email = models.EmailField(_("电子邮箱"), blank=True)
    # Organisations
    unit_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code])
    legal_rep = models.CharField(_("法定代表人"), max_length=64, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True, validators=[validate_phone])
    grounds = models.TextField(_("异议理由"), max_length=2000)
    state = models.CharField(_("状态"), max_length=16, choices=ObjectionState.choices, default=ObjectionState.FILED)
    get_state_display = choice_display("state", ObjectionState)
    filed_at = models.DateTimeField(_("提交时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("录入人"))
    refusal_ground = models.CharField(_("不予受理理由"), max_length=16, choices=RefusalGround.choices, blank=True)
    handling_deadline = models.DateTimeField(_("办理期限"), null=True, blank=True)
    reply = models.TextField(_("书面答复"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-filed_at", "-pk"]
        indexes = [models.Index(fields=["entry", "state"], name="objection_entry_state_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def objector_phone(self) -> str:
        return self.mobile if self.kind == ObjectorKind.PERSON else self.contact_phone


class ObjectionFile(models.Model):
    """Evidence, an organisation's signed and sealed letter, or the scan of a paper objection."""

    LETTER, EVIDENCE, SCAN = "letter", "evidence", "scan"
    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="files")
    role = models.CharField(max_length=16, choices=[(LETTER, _("盖章函件")), (EVIDENCE, _("证明材料")),
                                                   (SCAN, _("书面异议扫描件"))])
    file = models.FileField(upload_to=RandomUploadPath("objections"))
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("异议材料")
        verbose_name_plural = _("异议材料")
        ordering = ["pk"]


class ResponseRequest(models.Model):
    """Staff ask the lead unit for a written response to the grounds (never to who objected)."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="response_requests")
    question = models.TextField(_("说明事项"))
    deadline = models.DateTimeField(_("答复期限"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("书面说明"), blank=True)
    answer_file = models.FileField(upload_to=RandomUploadPath("objections"), blank=True)
    answer_file_name = models.CharField(max_length=200, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("情况说明")
        verbose_name_plural = _("情况说明")
        ordering = ["asked_at", "pk"]
