from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .files import RandomUploadPath


class ActivityLog(models.Model):
    """Who changed what, when, from which state to which, and why. Never edited, never deleted."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=64)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    note = models.TextField(_("说明"), blank=True)
    internal_note = models.TextField(_("内部备注"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="activity_target_idx")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.action}"


class CalendarDay(models.Model):
    """A day that staff entered for a year the `chinesecalendar` package does not cover yet:
    a public holiday on a weekday, or a make-up working day (调休) on a weekend."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"), help_text=_("节假日不勾选；周末调休上班的日期勾选。"))
    name = models.CharField(_("名称"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class FormTemplate(models.Model):
    """下载中心: an official form template (需求表, 实施方案格式 …) that staff can replace."""

    title = models.CharField(_("名称"), max_length=200)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    file = models.FileField(_("文件"), upload_to=RandomUploadPath("downloads"))
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("表格模板")
        verbose_name_plural = _("表格模板")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title or str(_("（未命名）"))


class PublicVersion(models.Model):
    """One row: a counter raised in the same transaction as any change to what anonymous pages show,
    or to the reference lists some pages cache (core.pagecache). A cached page or list is only used
    while the counter it was made at is still the current one."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("公开页面版本")
