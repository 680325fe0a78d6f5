"""The contracts beat tasks: scheduled, and idempotent when run again or twice."""

import pytest
from django.conf import settings

from contracts import tasks
from contracts.enums import TaskBookState
from contracts.models import SigningParty, TaskBook
from notifications.models import Notification

from .helpers import confirmed_award, finalised

pytestmark = pytest.mark.django_db


def test_the_beat_schedule_runs_the_contracts_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"contracts.draft_due", "contracts.remind_signing"} <= scheduled
    assert (tasks.draft_due.name, tasks.remind_signing.name) == ("contracts.draft_due", "contracts.remind_signing")


def test_draft_due_drafts_each_confirmed_award_once(organiser_staff):
    award = confirmed_award(organiser_staff)
    assert tasks.draft_due.delay().get() == 1
    task_book = TaskBook.objects.get(award=award)
    assert task_book.state == TaskBookState.DRAFTING and task_book.versions.count() == 1
    assert tasks.draft_due() == 0
    assert TaskBook.objects.filter(award=award).count() == 1
    assert Notification.objects.filter(event_key=f"taskbook:{task_book.pk}:drafted").count() >= 1


def test_remind_signing_reminds_each_unsigned_party_once(organiser_staff):
    task_book = finalised(organiser_staff)
    assert tasks.remind_signing() == 3
    keys = set(Notification.objects.filter(event_key__contains=":remind:").values_list("event_key", flat=True))
    assert keys and all(key.startswith(f"taskbook:{task_book.pk}:remind:") for key in keys)
    assert not SigningParty.objects.filter(task_book=task_book, reminded_at__isnull=True).exists()
    assert tasks.remind_signing() == 0
    assert set(Notification.objects.filter(event_key__contains=":remind:").values_list("event_key", flat=True)) == keys


def test_tasks_do_nothing_when_nothing_is_due(db):
    assert tasks.draft_due() == 0
    assert tasks.remind_signing() == 0
