"""Beat: confirm the awards whose notice period has ended, and remind staff of handling deadlines."""

import datetime

from celery import shared_task
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from core.calendar import add_working_days
from notifications.services import notification_send

from . import services
from .models import Objection
from .selectors import HANDLING

REMIND_WORKING_DAYS = 3


@shared_task(name="notices.confirm_due")
def confirm_due() -> int:
    """Every noticed bang whose period has ended and that nothing holds back (idempotent)."""
    return services.notices_confirm_due()


def handling_reminders_send(now: datetime.datetime | None = None) -> int:
    """Staff of the organiser are told once when an objection's handling deadline is 3 working days
    away, and once when it has passed. Each reminder is claimed by a conditional update of
    `reminded_at` (set before the deadline: the first reminder went; after it: the second), so two
    workers, or a run repeated, never send it twice."""
    now = (now or timezone.now()).replace(microsecond=0)
    soon_by = add_working_days(timezone.localtime(now).date(), REMIND_WORKING_DAYS).end_of_day()
    handling = Objection.objects.filter(state__in=HANDLING, handling_deadline__isnull=False)
    sent = 0
    overdue = handling.filter(handling_deadline__lt=now).filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lte=F("handling_deadline")))
    soon = handling.filter(handling_deadline__gte=now, handling_deadline__lte=soon_by, reminded_at__isnull=True)
    for stage, candidates in (("overdue", overdue), ("soon", soon)):
        for pk in list(candidates.values_list("pk", flat=True)):
            if not candidates.filter(pk=pk).update(reminded_at=now):
                continue  # another worker claimed it
            objection = Objection.objects.select_related("entry__notice__bang_list", "entry__bang").get(pk=pk)
            when = timezone.localtime(objection.handling_deadline).strftime("%Y-%m-%d %H:%M")
            title = (_("异议%(number)s已超过办理期限（%(when)s）") if stage == "overdue"
                     else _("异议%(number)s的办理期限将于%(when)s届满")) % {"number": objection.number, "when": when}
            staff = User.objects.filter(organisation_id=objection.entry.notice.bang_list.organiser_id, is_active=True,
                                        role_grants__role=Role.STAFF).distinct()
            notification_send(recipients=staff, event_key=f"objection:{pk}:handling-{stage}", title=title,
                              url=reverse("notices:objection", args=[pk]))
            sent += 1
    return sent


@shared_task(name="notices.remind_handling")
def remind_handling() -> int:
    return handling_reminders_send()
