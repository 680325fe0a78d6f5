"""The notice period on the Chinese calendar, and the resident ID number's check character."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import CalendarDay
from notices.enums import PeriodUnit
from notices.period import notice_end
from notices.validators import id_check_character, validate_id_number

BEIJING = timezone.get_default_timezone()


def at(y, m, d, hh=10):
    return timezone.make_aware(datetime.datetime(y, m, d, hh), BEIJING)


@pytest.mark.django_db
def test_five_working_days_from_monday_28_december_with_new_year_entered_by_staff():
    # 28, 29, 30, 31 December are days 1–4; 1 January is the holiday staff entered; 2–3 are a weekend.
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), is_workday=False, name="元旦")
    end = notice_end(at(2026, 12, 28), unit=PeriodUnit.WORKING, days=5)
    assert end.end_of_day().isoformat() == "2027-01-04T23:59:59+08:00"
    assert end.warnings == []


@pytest.mark.django_db
def test_without_staff_data_for_2027_the_period_warns():
    end = notice_end(at(2026, 12, 28), unit=PeriodUnit.WORKING, days=5)
    assert any("2027" in w for w in end.warnings)


@pytest.mark.django_db
def test_a_period_over_the_national_day_week():
    # 30 Sep (Wed) is day 1; 1–7 Oct are holidays; 8, 9 Oct and Saturday 10 Oct (a make-up working
    # day, 调休) are days 2–4; Sunday 11 is off; Monday 12 Oct is day 5.
    end = notice_end(at(2026, 9, 30, 14), unit=PeriodUnit.WORKING, days=5)
    assert end.end_of_day().isoformat() == "2026-10-12T23:59:59+08:00"


@pytest.mark.django_db
def test_published_on_a_saturday_counts_from_monday():
    end = notice_end(at(2026, 11, 21), unit=PeriodUnit.WORKING, days=5)  # Sat 21 Nov → Mon 23 … Fri 27
    assert end.day == datetime.date(2026, 11, 27)


def test_a_calendar_day_period_counts_every_day_from_publication():
    end = notice_end(at(2026, 9, 30), unit=PeriodUnit.CALENDAR, days=7)
    assert end.end_of_day().isoformat() == "2026-10-06T23:59:59+08:00"


@pytest.mark.parametrize("number", ["11010519491231002X", "110105194912310021"])
def test_id_numbers(number):
    if number.endswith("X"):
        validate_id_number(number)  # the check character of 11010519491231002 is X
        validate_id_number(number.lower())  # written with a lower-case x
    else:
        with pytest.raises(ValidationError, match="校验位"):
            validate_id_number(number)


def test_id_number_length_and_format():
    with pytest.raises(ValidationError, match="18位"):
        validate_id_number("11010519491231002")
    with pytest.raises(ValidationError, match="前17位"):
        validate_id_number("1101051949123100ZX")
    assert id_check_character("11010519491231002") == "X"
