"""Time each beat sweep over N rows on a throwaway database (issue 9): `python scripts/time_sweeps.py 20000`.

Makes a throwaway test database with the test settings (SQLite, or DATABASE_URL for PostgreSQL),
fills it with bulk inserts, and prints each sweep's time and query count, then a repeat run's.
The e-mail batches are counted, not sent: the worker sends them, not the sweep.
"""

import datetime
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiebang.test_settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.utils import timezone  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20000


def timed(name, sweep, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        sent = sweep(**kwargs)
        took = time.perf_counter() - start
    from notifications import tasks

    print(f"{name:28s} sent={sent:6d} {took:7.2f} s {len(queries):6d} queries", flush=True)


def main():
    from accounts.enums import Role
    from accounts.models import Organisation, RoleGrant, User
    from applications import services as app_services
    from applications.enums import ApplicationState
    from applications.models import Application, ApplicationVersion
    from bangs import services as bang_services
    from bangs.models import Bang, BangList
    from notifications.models import Notification
    from notifications.tasks import send_pending_emails
    from tests.factories import OrganisationFactory, make_bang_list, make_staff

    # Time the sweeps, not the mail: count the published batches instead of running them eagerly.
    from notifications import tasks

    published = []
    tasks.send_notification_emails.delay = lambda ids: published.append(len(ids))

    now = timezone.now()
    staff = make_staff(username="organiser")
    template_list = make_bang_list(by=staff, deadline_days=2)
    bang = template_list.bangs.get()
    region = bang.issuers.first().region if hasattr(bang, "issuers") else None
    base = OrganisationFactory(kind="university")
    # N units with one applicant each, one draft each, on a list closing in 2 days.
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"单位{i}", credit_code=f"X{i:017d}", kind="university", region=base.region,
                     address="a", postcode="014060", legal_rep="张三", legal_rep_phone="0472-5100000",
                     economic_nature="private", staff_size=1)
        for i in range(N))
    users = User.objects.bulk_create(
        User(username=f"a{i}", full_name=f"用户{i}", email=f"a{i}@example.com", organisation=org)
        for i, org in enumerate(orgs))
    RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.APPLICANT) for u in users)
    Application.objects.bulk_create(Application(bang=bang, lead=org, created_by=u) for org, u in zip(orgs, users))
    timed("draft_reminders_send", app_services.draft_reminders_send, now=now)
    timed("draft_reminders_send again", app_services.draft_reminders_send, now=now)

    # N submitted applications with one version each, reviewed by the organiser's staff.
    submitted = Application.objects.bulk_create(
        Application(bang=bang, lead=org, created_by=u, state=ApplicationState.SUBMITTED)
        for org, u in zip(orgs, users))
    ApplicationVersion.objects.bulk_create(
        ApplicationVersion(application=a, number=1, receipt=f"R{a.pk}", submitted_at=now, submitted_by=staff,
                           data={}, digest="0" * 64) for a in submitted)
    timed("recommender_notices_send", app_services.recommender_notices_send)
    timed("recommender_notices again", app_services.recommender_notices_send)

    # N lists (one bang each) closing in 2 days, then N lists closed an hour ago.
    def lists(deadline):
        made = BangList.objects.bulk_create(
            BangList(**{f.attname: getattr(template_list, f.attname) for f in BangList._meta.concrete_fields
                        if not f.primary_key}) for _ in range(N))
        BangList.objects.filter(pk__in=[bl.pk for bl in made]).update(deadline=deadline)
        Bang.objects.bulk_create(
            Bang(**{**{f.attname: getattr(bang, f.attname) for f in Bang._meta.concrete_fields if not f.primary_key},
                    "bang_list_id": bl.pk}) for bl in made)

    BangList.objects.all().update(deadline=now - datetime.timedelta(days=60))
    lists(now + datetime.timedelta(days=2))
    timed("deadline_reminders_send", bang_services.deadline_reminders_send, now=now)
    timed("deadline_reminders again", bang_services.deadline_reminders_send, now=now)
    BangList.objects.all().update(deadline=now - datetime.timedelta(days=60))
    lists(now - datetime.timedelta(hours=1))
    timed("deadline_passed_send", bang_services.deadline_passed_send, now=now)
    timed("deadline_passed again", bang_services.deadline_passed_send, now=now)
    timed("deadline_summaries_send", app_services.deadline_summaries_send, now=now)
    timed("deadline_summaries again", app_services.deadline_summaries_send, now=now)

    Notification.objects.update(created_at=now - datetime.timedelta(hours=1), emailed_at=None)
    timed("send_pending_emails (500)", send_pending_emails)


if __name__ == "__main__":
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        main()
    finally:
        runner.teardown_databases(old)
