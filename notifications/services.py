import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    """Queue a task after commit; if the broker is down, log it and let the sweep catch up."""

    def send():
        try:
            task.delay(*args)
        except Exception:  # the broker's errors vary by transport; the request must not fail
            log.exception("could not queue %s%r", task.name, args)

    transaction.on_commit(send)


def notification_send(*, recipients: Iterable, event_key: str, title: str, body: str = "", url: str = "") -> list[int]:
    """Put a message in each recipient's inbox and e-mail it after commit.

    A recipient who already has a message for `event_key` gets nothing new, so replaying an event
    (a retried task, a double click) never sends twice. Returns the ids of new messages.
    """
    from .tasks import send_notification_email

    created: list[int] = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, event_key=event_key, title=title[:200], body=body, url=url
                )
        except IntegrityError:
            continue
        created.append(note.pk)
        enqueue(send_notification_email, note.pk)
    return created


def notification_email_deliver(*, notification_id: int) -> bool:
    """E-mail one message unless it was already sent. Returns whether this call sent it.

    Claimed with a conditional UPDATE, so of two workers running this at once only one sends.
    On a mail error the claim is released and the error re-raised for the caller to retry.
    """
    note = Notification.objects.filter(pk=notification_id).select_related("recipient").first()
    if note is None or not note.recipient.email:
        return False
    claimed = Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    context = {"note": note, "site_url": settings.SITE_URL, "portal_name": settings.PORTAL_NAME}
    try:
        send_mail(
            subject=f"[{settings.PORTAL_NAME}] {note.title}",
            message=render_to_string("emails/notification.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[note.recipient.email],
        )
    except OSError:
        Notification.objects.filter(pk=note.pk).update(emailed_at=None)
        raise
    return True
