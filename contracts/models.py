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

from .enums import PartyKind, TaskBookState


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
