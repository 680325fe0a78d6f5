"""The beat sweeps run a fixed number of queries whatever their rows, and a repeat run is cheap."""

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.enums import Role
from applications import services as application_services
from applications.enums import ApplicationState
from applications.models import Application, ApplicationVersion
from bangs import services as bang_services
from bangs.models import BangList
from notifications.models import Notification
from notifications.tasks import send_pending_emails
from tests.applications.helpers import make_applicant
from tests.factories import OrganisationFactory, UserFactory, make_bang_list, make_staff

pytestmark = pytest.mark.django_db

# Queries a sweep may run when it finds nothing to send: the candidate query per pass, no more.
REPEAT_MAX = 2


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(sweep, **kwargs) -> tuple[int, int]:
        """(what the sweep returned, how many queries it ran); its e-mail goes out after."""
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            result = sweep(**kwargs)
        return result, len(queries)

    return run


def one_each(recipients, key_part: str) -> None:
    """Each recipient has exactly one message whose key contains `key_part`, and one e-mail."""
    notes = Notification.objects.filter(event_key__contains=key_part)
    assert Counter(notes.values_list("recipient_id", flat=True)) == Counter({user.pk: 1 for user in recipients})
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in recipients)


@pytest.fixture
def second_staff(organiser_staff):
    return make_staff(organisation=organiser_staff.organisation, username="organiser_b")


# --- drafts -----------------------------------------------------------------------------------


def _drafts(bang, n: int) -> list:
    """`n` drafts of `n` units, each unit with two applicants; returns the applicants."""
    applicants = []
    for _ in range(n):
        first = make_applicant()
        second = make_applicant(organisation=first.organisation)
        Application.objects.create(bang=bang, lead=first.organisation, created_by=first)
        applicants += [first, second]
    return applicants


def test_draft_reminders_queries_do_not_grow_and_repeat_is_cheap(organiser_staff, run):
    bang_list = make_bang_list(by=organiser_staff, deadline_days=2)
    bang = bang_list.bangs.get()
    now = timezone.now()
    few = _drafts(bang, 3)
    sent_few, queries_few = run(application_services.draft_reminders_send, now=now)
    many = _drafts(bang, 30)
    sent_many, queries_many = run(application_services.draft_reminders_send, now=now)
    assert (sent_few, sent_many) == (6, 60)
    assert queries_many == queries_few
    assert run(application_services.draft_reminders_send, now=now) == (0, REPEAT_MAX)
    one_each(few + many, ":remind:3d:")


# --- recommender notices ----------------------------------------------------------------------


def _submitted(bang, n: int, *, recommender=None) -> list[Application]:
    applications = []
    for i in range(n):
        applicant = make_applicant()
        application = Application.objects.create(bang=bang, lead=applicant.organisation, created_by=applicant,
                                                 state=ApplicationState.SUBMITTED, recommender=recommender)
        for number in (1, 2) if i % 2 else (1,):
            ApplicationVersion.objects.create(
                application=application, number=number, receipt=f"T{application.pk}-{number}",
                submitted_at=timezone.now(), submitted_by=applicant, data={}, digest="0" * 64)
        applications.append(application)
    return applications


def test_recommender_notices_queries_do_not_grow_and_repeat_is_cheap(organiser_staff, second_staff, run):
    bang = make_bang_list(by=organiser_staff).bangs.get()
    recommender = OrganisationFactory(kind="government")
    reviewers = [UserFactory(organisation=recommender, roles=[Role.RECOMMENDER]) for _ in range(2)]
    UserFactory(organisation=recommender, roles=[Role.RECOMMENDER], is_active=False)
    _submitted(bang, 2), _submitted(bang, 1, recommender=recommender)
    sent_few, queries_few = run(application_services.recommender_notices_send)
    many = _submitted(bang, 20) + _submitted(bang, 10, recommender=recommender)
    sent_many, queries_many = run(application_services.recommender_notices_send)
    assert (sent_few, sent_many) == (2 * 2 + 1 * 2, 20 * 2 + 10 * 2)
    assert queries_many == queries_few
    assert run(application_services.recommender_notices_send) == (0, 1)
    # The key carries the number of versions, as the submit path writes it.
    assert Notification.objects.filter(event_key=f"application:{many[1].pk}:submitted:2").count() == 2
    assert Notification.objects.filter(event_key=f"application:{many[0].pk}:submitted:1").count() == 2
    for user in (organiser_staff, second_staff, *reviewers):
        keys = Counter(Notification.objects.filter(recipient=user).values_list("event_key", flat=True))
        assert set(keys.values()) == {1}
    assert Counter(m.to[0] for m in mail.outbox) == Counter(
        {organiser_staff.email: 22, second_staff.email: 22, reviewers[0].email: 11, reviewers[1].email: 11})


def test_recommender_notices_send_what_the_submit_path_missed(organiser_staff):
    """A submission routed to a recommender whose reviewers were never told is told by the sweep, once."""
    bang = make_bang_list(by=organiser_staff).bangs.get()
    recommender = OrganisationFactory(kind="government")
    reviewer = UserFactory(organisation=recommender, roles=[Role.RECOMMENDER])
    [application] = _submitted(bang, 1, recommender=recommender)
    assert application_services.recommender_notices_send() == 1
    note = Notification.objects.get(recipient=reviewer)
    assert note.event_key == f"application:{application.pk}:submitted:1"
    assert note.url == f"/applications/{application.pk}/"
    assert application_services.recommender_notices_send() == 0


# --- deadline summaries -----------------------------------------------------------------------


def _closed_lists(organiser_staff, n: int, *, at) -> list[BangList]:
    lists = [make_bang_list(by=organiser_staff, bangs=2, title=f"榜单{i}") for i in range(n)]
    BangList.objects.filter(pk__in=[bl.pk for bl in lists]).update(deadline=at - datetime.timedelta(hours=1))
    return lists


def test_deadline_summaries_queries_do_not_grow_and_repeat_is_cheap(organiser_staff, second_staff, run):
    now = timezone.now()
    lists = _closed_lists(organiser_staff, 3, at=now)
    first_bang = lists[0].bangs.order_by("number")[0]
    for state in (ApplicationState.SUBMITTED, ApplicationState.ELIGIBLE, ApplicationState.DRAFT,
                  ApplicationState.WITHDRAWN):
        applicant = make_applicant()
        Application.objects.create(bang=first_bang, lead=applicant.organisation, created_by=applicant, state=state)
    sent_few, queries_few = run(application_services.deadline_summaries_send, now=now)
    _closed_lists(organiser_staff, 30, at=now)
    sent_many, queries_many = run(application_services.deadline_summaries_send, now=now)
    assert (sent_few, sent_many) == (3 * 2, 30 * 2)
    assert queries_many == queries_few
    assert run(application_services.deadline_summaries_send, now=now) == (0, 1)
    note = Notification.objects.get(recipient=second_staff, event_key__startswith=f"banglist:{lists[0].pk}:summary:")
    assert note.title == "“榜单0”申报已截止：共收到2份申报"
    bangs = list(lists[0].bangs.order_by("number"))
    assert note.body == f"{bangs[0].number}. {bangs[0].title}：2\n{bangs[1].number}. {bangs[1].title}：0"
    for user in (organiser_staff, second_staff):
        assert Notification.objects.filter(recipient=user, event_key__contains=":summary:").count() == 33


# --- list deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize(("sweep", "days", "part"), [
    ("deadline_reminders_send", 2, ":deadline_soon:"),
    ("deadline_passed_send", -1, ":closed:"),
])
def test_list_deadline_sweeps_queries_do_not_grow_and_repeat_is_cheap(organiser_staff, second_staff, sweep, days,
                                                                      part, run):
    now = timezone.now()

    def lists(n):
        made = [make_bang_list(by=organiser_staff, title=f"榜单{i}") for i in range(n)]
        BangList.objects.filter(pk__in=[bl.pk for bl in made]).update(deadline=now + datetime.timedelta(days=days))

    UserFactory(organisation=organiser_staff.organisation, roles=[Role.STAFF], is_active=False)
    lists(3)
    mail.outbox.clear()
    sent_few, queries_few = run(getattr(bang_services, sweep), now=now)
    lists(30)
    sent_many, queries_many = run(getattr(bang_services, sweep), now=now)
    assert (sent_few, sent_many) == (6, 60)
    assert queries_many == queries_few
    assert run(getattr(bang_services, sweep), now=now) == (0, 1)
    for user in (organiser_staff, second_staff):
        keys = Counter(Notification.objects.filter(recipient=user, event_key__contains=part)
                       .values_list("event_key", flat=True))
        assert len(keys) == 33 and set(keys.values()) == {1}
    assert len(mail.outbox) == 66


# --- pending e-mail ---------------------------------------------------------------------------


def test_pending_emails_queries_are_two_per_message_and_send_once(alice, bob, run):
    """Loading the batch costs the same at any size; each message then costs its claim and its
    sent-mark, written one by one so that a worker killed mid-batch loses no record of what it sent."""
    old = timezone.now() - datetime.timedelta(hours=1)

    def lost(n, start):
        Notification.objects.bulk_create(
            Notification(recipient=user, event_key=f"lost:{i}", title=f"消息{i}", created_at=old)
            for i in range(start, start + n) for user in (alice, bob))

    lost(3, 0)
    sent_few, queries_few = run(send_pending_emails)
    lost(30, 3)
    sent_many, queries_many = run(send_pending_emails)
    assert (sent_few, sent_many) == (6, 60)
    assert queries_many - 2 * 60 == queries_few - 2 * 6
    assert run(send_pending_emails) == (0, 1)
    assert Counter(m.to[0] for m in mail.outbox) == Counter({alice.email: 33, bob.email: 33})
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
