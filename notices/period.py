"""The notice period (公示期): it starts on the day of publication and ends at 23:59:59 Beijing time
of its last day. Working days follow the Chinese calendar with the holidays staff entered
(core.calendar); the publication day counts as the first day when it is itself a working day."""

import datetime

from django.utils import timezone

from core.calendar import WorkdayResult, add_working_days

from .enums import PeriodUnit


def notice_end(published_at: datetime.datetime, *, unit: str, days: int) -> WorkdayResult:
    """The period's last day (with any calendar warning); `.end_of_day()` is when it ends."""
    if days < 1:
        raise ValueError("a notice period is at least one day")
    first = timezone.localtime(published_at).date()
    if unit == PeriodUnit.CALENDAR:
        return WorkdayResult(day=first + datetime.timedelta(days=days - 1))
    return add_working_days(first - datetime.timedelta(days=1), days)
