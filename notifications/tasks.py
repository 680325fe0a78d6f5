import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import Notification
from .services import notification_email_deliver, notification_emails_deliver

log = logging.getLogger(__name__)


@shared_task(name="notifications.send_notification_email", bind=True, max_retries=5, default_retry_delay=60)
def send_notification_email(self, notification_id: int) -> bool:
    """E-mail one inbox message. Safe to run twice: the message is claimed before sending."""
    try:
        return notification_email_deliver(notification_id=notification_id)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(name="notifications.send_notification_emails", bind=True, max_retries=5, default_retry_delay=60)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """E-mail a sweep's batch of inbox messages; the ones whose mail failed are retried."""
    sent, failed = notification_emails_deliver(notification_ids=notification_ids)
    if failed:
        raise self.retry(args=[failed])
    return sent


@shared_task(name="notifications.send_pending_emails")
def send_pending_emails() -> int:
    """Sweep up messages whose e-mail was never queued (the broker was down at the time)."""
    # What the request has not published by now.
    stale = timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    pending = list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lt=stale)
        .exclude(recipient__email="")
        .values_list("pk", flat=True)[:500]
    )
    # One load for the batch; each message is claimed as it is sent, failures left for the next sweep.
    sent, _failed = notification_emails_deliver(notification_ids=pending)
    return sent
