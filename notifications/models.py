from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user about one event: shown in the inbox and sent by e-mail once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # Names the event ("demand:12:returned:345"): the same event never reaches a user twice.
    event_key = models.CharField(max_length=200)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    # The sent-marker: set once the mail server accepted the message, never cleared.
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    # The claim a worker takes, by a conditional UPDATE, before it sends: of two workers (or a task
    # redelivered after its worker died) only one sends. A claim older than
    # NOTIFICATION_EMAIL_CLAIM_SECONDS is a worker that died between claiming and sending, and may be
    # taken again (services.notification_emails_deliver).
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="one_notification_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title
