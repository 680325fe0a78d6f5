"""A worker that dies half-way through a batch of e-mail: what it sent stays marked sent, the message
it was sending stays claimed until its claim is abandoned, and the batch run again (the task
redelivered under late acknowledgement) sends each message once. The real kill, with SIGKILL, a
Redis broker and an SMTP server, is in tests/stack/test_faults.py."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from jiebang.celery import app
from notifications.models import Notification
from notifications.services import notification_emails_deliver

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Not an Exception: nothing in the delivery loop may catch it, as nothing survives a SIGKILL."""


class DyingBackend(EmailBackend):
    """Accepts `survive` messages, then the worker dies while sending the next one."""

    survive = 0

    def send_messages(self, messages):
        if len(mail.outbox) >= DyingBackend.survive:
            raise WorkerKilled
        return super().send_messages(messages)


@pytest.fixture
def batch(alice, bob):
    notes = Notification.objects.bulk_create(
        Notification(recipient=user, event_key=f"batch:{i}", title=f"消息{i}") for i in range(5) for user in (alice, bob)
    )
    return sorted(note.pk for note in notes)


def test_a_batch_interrupted_by_a_dying_worker_is_finished_once_by_its_redelivery(batch, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_claims.DyingBackend"
    DyingBackend.survive = 4
    with pytest.raises(WorkerKilled):
        notification_emails_deliver(notification_ids=batch)

    sent_before = list(Notification.objects.filter(emailed_at__isnull=False).order_by("pk").values_list("pk", flat=True))
    assert sent_before == batch[:4]
    # The fifth was being sent: claimed, not marked. The rest were never touched.
    interrupted = Notification.objects.get(pk=batch[4])
    assert interrupted.emailed_at is None and interrupted.email_claimed_at is not None
    assert not Notification.objects.filter(pk__in=batch[5:], email_claimed_at__isnull=False).exists()

    # The task comes back at once (another worker): the sent ones are skipped, and the claimed one is
    # left alone, since its claimer might only be slow.
    DyingBackend.survive = 100
    assert notification_emails_deliver(notification_ids=batch) == (5, [])
    assert Notification.objects.get(pk=batch[4]).emailed_at is None

    # Once the claim is older than NOTIFICATION_EMAIL_CLAIM_SECONDS its worker is taken to be dead.
    later = timezone.now() + datetime.timedelta(seconds=settings.NOTIFICATION_EMAIL_CLAIM_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert notification_emails_deliver(notification_ids=batch) == (1, [])
        assert notification_emails_deliver(notification_ids=batch) == (0, [])

    ids = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert len(ids) == 10 and set(ids.values()) == {1}
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_a_fresh_claim_keeps_a_second_worker_off_and_a_mail_failure_releases_it(batch, settings, monkeypatch):
    first = batch[0]
    Notification.objects.filter(pk=first).update(email_claimed_at=timezone.now())
    assert notification_emails_deliver(notification_ids=[first]) == (0, [])
    assert mail.outbox == []

    def refuse(self, messages):
        raise ConnectionResetError("mail server went away")

    second = batch[1]
    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    assert notification_emails_deliver(notification_ids=[second]) == (0, [second])
    released = Notification.objects.get(pk=second)
    assert released.email_claimed_at is None and released.emailed_at is None
    monkeypatch.undo()
    assert notification_emails_deliver(notification_ids=[second]) == (1, [])


def test_tasks_are_acknowledged_late_and_requeued_when_their_worker_is_lost():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
