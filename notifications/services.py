import logging
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)


# Publishing never holds up a request. A message's e-mail is durable before anything is published:
# the Notification row, committed with the change it reports, stays "not yet sent" (emailed_at is
# NULL) until a worker sends it. After commit the task is handed to one background thread per
# process, which publishes it; if the broker cannot be reached (redis-py alone retries for about
# 0.6 s) the thread stops trying for BROKER_PAUSE seconds, and beat's pending-e-mail sweep sends
# whatever was not published once the broker is back. The deadline never waits on any of this.
BROKER_PAUSE = 30.0
_publisher: tuple[int, ThreadPoolExecutor] | None = None
_broker_down_until = 0.0


def _publish(task, args) -> None:
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return  # left to the sweep
    try:
        task.apply_async(args, retry=False)
    except Exception:  # the broker's errors vary by transport
        _broker_down_until = time.monotonic() + BROKER_PAUSE
        log.warning("broker unreachable: %s%r left for the pending sweep; not publishing for %ss",
                    task.name, args, BROKER_PAUSE, exc_info=True)


def _executor() -> ThreadPoolExecutor:
    global _publisher
    pid = os.getpid()
    if _publisher is None or _publisher[0] != pid:  # one per process: a forked worker gets its own
        _publisher = (pid, ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish"))
    return _publisher[1]


def enqueue(task, *args) -> None:
    """Queue a task after commit without waiting for the broker (see above)."""

    def send():
        if task.app.conf.task_always_eager:
            _publish(task, args)  # tests and `CELERY_TASK_ALWAYS_EAGER`: run in the request
        else:
            _executor().submit(_publish, task, args)

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
