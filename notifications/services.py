import logging
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
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
        if not task.app.conf.task_always_eager:
            _executor().submit(_publish, task, args)
            return
        # Tests and `CELERY_TASK_ALWAYS_EAGER`: the task runs here. Its failure is not the broker's,
        # so it does not pause publishing; the request does not fail either.
        try:
            task.apply_async(args)
        except Exception:
            log.exception("task %s%r failed", task.name, args)

    transaction.on_commit(send)


def notification_send(*, recipients: Iterable, event_key: str, title: str, body: str = "", url: str = "") -> list[int]:
    """Put a message in each recipient's inbox and e-mail it after commit.

    A recipient who already has a message for `event_key` gets nothing new, so replaying an event
    (a retried task, a double click) never sends twice. Returns the ids of new messages.
    """
    from .tasks import send_notification_email

    users = {u.pk: u for u in recipients if u is not None}
    if not users:
        return []
    # One insert for every recipient; a (recipient, event) pair that exists already is skipped by
    # the unique constraint. The rows carrying this call's timestamp are the new ones.
    stamp = timezone.now()
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, event_key=event_key, title=title[:200], body=body, url=url, created_at=stamp)
         for pk in users],
        ignore_conflicts=True,
    )
    created = list(Notification.objects.filter(recipient_id__in=users, event_key=event_key, created_at=stamp)
                   .order_by("pk").values_list("pk", flat=True))
    for pk in created:
        enqueue(send_notification_email, pk)
    return created


def _notification_email(note: Notification, connection=None) -> EmailMessage:
    context = {"note": note, "site_url": settings.SITE_URL, "portal_name": settings.PORTAL_NAME}
    return EmailMessage(
        subject=f"[{settings.PORTAL_NAME}] {note.title}",
        body=render_to_string("emails/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[note.recipient.email],
        connection=connection,
    )


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
    try:
        _notification_email(note).send()
    except OSError:
        Notification.objects.filter(pk=note.pk).update(emailed_at=None)
        raise
    return True


# A message for the bulk path: (recipient id, event key, title, body, url).
Message = tuple[int, str, str, str, str]
BULK_CHUNK = 2000


def notifications_bulk_send(*, messages: Iterable[Message], chunk_size: int = BULK_CHUNK) -> int:
    """Put many messages in inboxes, `chunk_size` at a time, and e-mail them after commit.

    The same once-only rule as `notification_send`: a (recipient, event key) that already has a
    message gets nothing new (the unique constraint drops it, so a race with another sweep or with
    the request path is harmless). Per chunk: the inserts, one query for the new ids, and one
    published task for the chunk's e-mail, instead of a savepoint and a publish per message.
    Returns how many messages were new.
    """
    sent = 0
    chunk: dict[tuple[int, str], Message] = {}
    for message in messages:
        chunk.setdefault((message[0], message[1]), message)
        if len(chunk) >= chunk_size:
            sent += _notifications_insert(list(chunk.values()))
            chunk = {}
    if chunk:
        sent += _notifications_insert(list(chunk.values()))
    return sent


def _notifications_insert(messages: list[Message]) -> int:
    from .tasks import send_notification_emails

    # One stamp for the chunk tells this call's rows from those that were already there.
    stamp = timezone.now()
    Notification.objects.bulk_create(
        [Notification(recipient_id=recipient_id, event_key=key, title=title[:200], body=body, url=url, created_at=stamp)
         for recipient_id, key, title, body, url in messages],
        ignore_conflicts=True,
    )
    wanted = {(m[0], m[1]) for m in messages}
    recipients, keys = {m[0] for m in messages}, {m[1] for m in messages}
    rows = Notification.objects.filter(recipient_id__in=recipients, created_at=stamp, emailed_at__isnull=True)
    # Through the (recipient, event key) index. With many recipients and many keys (a chunk of
    # 2,000 drafts) `event_key IN` too would probe every pair, 4 million; by recipient alone reads
    # each one's few messages. With few recipients (organiser staff) the keys narrow their history.
    if len(recipients) * len(keys) <= 20 * BULK_CHUNK:
        rows = rows.filter(event_key__in=keys)
    rows = rows.values_list("pk", "recipient_id", "event_key")
    ids = [pk for pk, recipient_id, key in rows if (recipient_id, key) in wanted]
    if ids:
        enqueue(send_notification_emails, ids)
    return len(ids)


def notification_emails_deliver(*, notification_ids: Iterable[int]) -> tuple[int, list[int]]:
    """E-mail a batch of messages, each unless already sent, over one mail connection.

    The claim is the same conditional UPDATE as `notification_email_deliver`, made for the whole
    batch: the unsent rows are locked (rows another worker holds are skipped), marked sent, and
    only the rows carrying this call's mark are mailed, so of two workers only one sends each.
    A message whose mail fails has its claim released. Returns (sent, ids that failed).
    """

    notification_ids = list(notification_ids)
    if not notification_ids:
        return 0, []
    stamp = timezone.now()
    with transaction.atomic():
        claimable = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=notification_ids, emailed_at__isnull=True)
            .exclude(recipient__email="")
            .values_list("pk", flat=True)
        )
        if not claimable:
            return 0, []
        Notification.objects.filter(pk__in=claimable, emailed_at__isnull=True).update(emailed_at=stamp)
    notes = list(
        Notification.objects.filter(pk__in=claimable, emailed_at=stamp)
        .select_related("recipient").order_by("pk")
    )
    sent, failed = 0, []
    connection = get_connection()
    try:
        connection.open()
    except OSError as exc:
        log.warning("mail server unreachable for %d notifications: %s", len(notes), exc)
        Notification.objects.filter(pk__in=[note.pk for note in notes]).update(emailed_at=None)
        return 0, [note.pk for note in notes]
    try:
        for note in notes:
            try:
                _notification_email(note, connection).send()
            except OSError as exc:
                log.warning("e-mail for notification %s failed: %s", note.pk, exc)
                failed.append(note.pk)
                continue
            sent += 1
    finally:
        connection.close()
    if failed:
        Notification.objects.filter(pk__in=failed).update(emailed_at=None)
    return sent, failed
