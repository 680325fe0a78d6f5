"""With the broker unreachable, an on-time submission is accepted, nothing in the request waits on
the broker, and the e-mail goes out once when the broker is back (the pending sweep)."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from applications import services
from applications.models import ApplicationVersion
from jiebang.celery import app
from notifications import services as notification_services
from notifications.models import Notification
from notifications.tasks import send_notification_email, send_pending_emails

from ..applications.helpers import fill, make_applicant
from ..factories import make_bang_list, make_staff

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down(monkeypatch):
    """The real publishing path (not eager), pointed at a closed port."""
    saved = app.conf.task_always_eager, app.conf.broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its settings (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", CLOSED_PORT)
    app.conf.task_always_eager, app.conf.broker_url = False, CLOSED_PORT
    _forget_connections()
    monkeypatch.setattr(notification_services, "_broker_down_until", 0.0)
    monkeypatch.setattr(notification_services, "BROKER_PAUSE", 3600.0)  # however slow this machine is
    publishers = []
    real = send_notification_email.apply_async

    def recorded(*args, **kwargs):
        publishers.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(send_notification_email, "apply_async", recorded)
    yield publishers
    monkeypatch.undo()  # the environment first, so the saved URL is what Celery reads again
    app.conf.task_always_eager, app.conf.broker_url = saved
    _forget_connections()


def _forget_connections():
    """Celery caches its connection and producer pools: drop them so they are rebuilt from broker_url
    (what it does itself after a fork)."""
    app._pool = None
    app.amqp._producer_pool = None


def _drain_publisher():
    # The executor has one thread, so a no-op submitted now runs after every publish queued before it.
    notification_services._executor().submit(lambda: None).result(timeout=60)


def test_submission_with_the_broker_down_is_accepted_and_mailed_once_when_it_is_back(
    broker_down, django_capture_on_commit_callbacks
):
    staff = make_staff(email="chushi@example.com")
    bang = make_bang_list(by=staff).bangs.get()
    applicant = make_applicant()
    application = fill(services.application_start(bang=bang, by=applicant), applicant)

    with django_capture_on_commit_callbacks(execute=True):
        version = services.application_submit(application=application, by=applicant)
    _drain_publisher()

    assert ApplicationVersion.objects.filter(pk=version.pk, submitted_at__lte=bang.bang_list.deadline).exists()
    note = Notification.objects.get(recipient=staff)
    assert note.emailed_at is None and mail.outbox == []
    # The request thread never touched the broker; the background publisher tried once and gave up.
    assert broker_down and threading.current_thread() not in broker_down
    assert notification_services._broker_down_until > 0

    # The broker is back: the sweep (beat, every minute) sends it, once.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert send_pending_emails() == 1
        assert send_pending_emails() == 0
    assert [m.to for m in mail.outbox] == [["chushi@example.com"]]


def test_after_a_failed_publish_later_requests_do_not_try_the_broker(broker_down, django_capture_on_commit_callbacks):
    staff = make_staff()
    bang = make_bang_list(by=staff).bangs.get()
    for _ in range(3):
        applicant = make_applicant()
        application = fill(services.application_start(bang=bang, by=applicant), applicant)
        with django_capture_on_commit_callbacks(execute=True):
            services.application_submit(application=application, by=applicant)
        _drain_publisher()
    assert len(broker_down) == 1  # one attempt per pause, not one 0.6 s wait per submission
    assert Notification.objects.filter(recipient=staff, emailed_at__isnull=True).count() == 3
