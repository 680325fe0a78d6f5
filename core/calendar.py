"""Working days on the Chinese calendar (holidays and make-up working days, 调休).

`chinesecalendar` carries the State Council's schedule up to the year it was released; for later
years staff enter the holidays (CalendarDay). A year with neither counts weekends only, and the
result says so, so the page can warn staff.
"""

import datetime
from dataclasses import dataclass, field

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass
class WorkdayResult:
    day: datetime.date
    warnings: list[str] = field(default_factory=list)

    def end_of_day(self) -> datetime.datetime:
        """The last second of that working day, Beijing time."""
        return timezone.make_aware(
            datetime.datetime.combine(self.day, datetime.time(23, 59, 59)), timezone.get_default_timezone()
        )


def _staff_days(year: int) -> dict[datetime.date, bool]:
    from .models import CalendarDay

    return dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))


def is_workday(day: datetime.date, *, _cache: dict | None = None, warnings: list | None = None) -> bool:
    cache = _cache if _cache is not None else {}
    year = day.year
    if year not in cache:
        cache[year] = _staff_days(year)
    staff_days = cache[year]
    if day in staff_days:
        return staff_days[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if not staff_days and warnings is not None:
            message = _("%(year)d年的法定节假日安排尚未录入，已暂按周末计算工作日，请管理人员补录。") % {"year": year}
            if message not in warnings:
                warnings.append(message)
        return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> WorkdayResult:
    """The `days`-th working day after `start` (start itself not counted)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    warnings: list[str] = []
    cache: dict = {}
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_workday(day, _cache=cache, warnings=warnings):
            counted += 1
    return WorkdayResult(day=day, warnings=warnings)
