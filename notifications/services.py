import datetime
import logging
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
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
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return EmailMessage(
        subject=f"[{settings.PORTAL_NAME}] {note.title}",
        body=render_to_string("emails/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[note.recipient.email],
        connection=connection,
        # One Message-ID per message, however often it is tried: a mail system that sees it twice
        # can tell (and the stack test counts deliveries by it).
        headers={"Message-ID": f"<notification-{note.pk}@{domain}>"},
    )


def notification_email_deliver(*, notification_id: int) -> bool:
    """E-mail one message unless it was already sent. Returns whether this call sent it.

    The same claim as `notification_emails_deliver`; a mail error is raised for the caller to retry.
    """
    sent, failed = notification_emails_deliver(notification_ids=[notification_id])
    if failed:
        raise OSError(f"e-mail for notification {notification_id} failed")
    return bool(sent)


def _email_claim(pk: int) -> bool:
    """Take one message for sending, with a conditional UPDATE (the way healthchecks claims a flip):
    it matches only while the message is unsent and unclaimed, or claimed so long ago that the
    claimer must have died, so of any number of workers exactly one gets it."""
    now = timezone.now()
    abandoned = now - datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_CLAIM_SECONDS)
    return bool(
        Notification.objects.filter(pk=pk, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=abandoned))
        .update(email_claimed_at=now)
    )


def notification_emails_deliver(*, notification_ids: Iterable[int]) -> tuple[int, list[int]]:
    """E-mail messages, each unless already sent, over one mail connection. Returns (sent, failed ids).

    Each message is claimed just before it is sent and marked sent (`emailed_at`) as soon as the
    mail server accepted it, so a worker killed half-way through a batch leaves the messages it sent
    marked, the one it was sending claimed, and the rest untouched. Its task, acknowledged only
    when it finishes (CELERY_TASK_ACKS_LATE), is delivered again to another worker, which skips the
    sent ones, waits out the dead worker's claim and sends the rest: each message once. (A kill in
    the instant between the server's acceptance and the mark would send that one message twice;
    its Message-ID is the same both times.) A message whose mail fails has its claim released.
    """
    notification_ids = list(notification_ids)
    if not notification_ids:
        return 0, []
    notes = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(recipient__email="").select_related("recipient").order_by("pk")
    )
    if not notes:
        return 0, []
    connection = get_connection()
    try:
        connection.open()
    except OSError as exc:
        log.warning("mail server unreachable for %d notifications: %s", len(notes), exc)
        return 0, [note.pk for note in notes]
    sent, failed = 0, []
    try:
        for note in notes:
            if not _email_claim(note.pk):
                continue  # sent already, or being sent by another worker
            try:
                _notification_email(note, connection).send()
            except OSError as exc:
                log.warning("e-mail for notification %s failed: %s", note.pk, exc)
                Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(email_claimed_at=None)
                failed.append(note.pk)
                continue
            Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
            sent += 1
    finally:
        connection.close()
    return sent, failed


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
