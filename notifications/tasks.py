import datetime
import logging

from celery import shared_task
from django.utils import timezone

from .models import Notification
from .services import notification_email_deliver

log = logging.getLogger(__name__)


@shared_task(name="notifications.send_notification_email", bind=True, max_retries=5, default_retry_delay=60)
def send_notification_email(self, notification_id: int) -> bool:
    """E-mail one inbox message. Safe to run twice: the message is claimed before sending."""
    try:
        return notification_email_deliver(notification_id=notification_id)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(name="notifications.send_pending_emails")
def send_pending_emails() -> int:
    """Sweep up messages whose e-mail was never queued (the broker was down at the time)."""
    stale = timezone.now() - datetime.timedelta(minutes=1)  # what the request has not published by now
    pending = list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lt=stale)
        .exclude(recipient__email="")
        .values_list("pk", flat=True)[:500]
    )
    sent = 0
    for pk in pending:
        try:
            sent += notification_email_deliver(notification_id=pk)
        except OSError as exc:
            log.warning("e-mail for notification %s failed again: %s", pk, exc)
    return sent
