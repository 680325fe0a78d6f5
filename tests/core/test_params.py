"""Filter values that cannot be used are ignored with a warning naming the filter, never a 500."""

import datetime

import pytest
from django.urls import reverse

from core.models import CalendarDay
from core.params import parse_ids, parse_int
from demands import services as demand_services
from demands.enums import DemandState
from demands.models import Demand

from ..factories import DemandFactory, UserFactory, make_bang_list


@pytest.mark.parametrize(("raw", "expected"), [
    ("42", 42), (" 7 ", 7), ("+3", 3), ("", None), (None, None), ("abc", None), ("²", None), ("١٢", None),
    ("1.0", None), ("1e3", None), ("0", None), ("-1", None), ("2147483647", 2147483647), ("2147483648", None),
    ("99999999999999999999999", None), ("1' OR '1'='1", None),
])
def test_parse_int_accepts_only_plain_integers_in_range(raw, expected):
    assert parse_int(raw) == expected


def test_parse_int_bounds_are_the_callers():
    assert parse_int("0", min_value=0) == 0
    assert parse_int("10000", min_value=1, max_value=9999) is None


def test_parse_ids_keeps_order_and_drops_junk_and_repeats():
    assert parse_ids(["3", "x", "1", "3", "99999999999999999999999", "-2"]) == [3, 1]


def warnings(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


@pytest.fixture
def submitted(alice, round_):
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    return demand_services.demand_submit(demand=demand, by=alice)


@pytest.mark.django_db
@pytest.mark.parametrize(("param", "label"), [("round", "批次"), ("field", "领域"), ("state", "状态"), ("region", "地区")])
def test_queue_ignores_an_unusable_filter_and_says_so(client, staff, submitted, param, label):
    client.force_login(staff)
    response = client.get(reverse("demands:queue"), {param: "99999999999999999999999"})
    assert response.status_code == 200
    assert warnings(response) == [f"筛选条件“{label}”的值无效，已忽略。"]
    assert list(response.context["object_list"]) == [submitted]


@pytest.mark.django_db
def test_queue_with_a_valid_round_that_matches_nothing_is_empty_without_warning(client, staff, submitted):
    client.force_login(staff)
    response = client.get(reverse("demands:queue"), {"round": submitted.round_id + 1000})
    assert warnings(response) == []
    assert "没有符合条件的需求" in response.content.decode()


@pytest.mark.django_db
def test_each_ignored_filter_is_reported_once(client, alice, submitted):
    client.force_login(alice)
    response = client.get(reverse("demands:list"), {"round": "x", "field": "²", "q": "电机\x00"})
    assert warnings(response) == ["筛选条件“批次”的值无效，已忽略。", "筛选条件“领域”的值无效，已忽略。"]
    assert list(response.context["object_list"]) == [submitted]


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["0", "99999", "99999999999999999999999", "二〇二七"])
def test_calendar_ignores_an_impossible_year(client, year):
    CalendarDay.objects.create(date=datetime.date(2027, 2, 8), name="春节", is_workday=False)
    client.force_login(UserFactory(roles=["staff"]))
    response = client.get(reverse("calendar_days"), {"year": year})
    assert response.status_code == 200
    assert warnings(response) == ["筛选条件“年份”的值无效，已忽略。"]
    assert "春节" in response.content.decode()


@pytest.mark.django_db
def test_calendar_filters_by_a_real_year(client):
    CalendarDay.objects.create(date=datetime.date(2027, 2, 8), name="春节", is_workday=False)
    client.force_login(UserFactory(roles=["staff"]))
    assert "春节" not in client.get(reverse("calendar_days"), {"year": "2028"}).content.decode()
    assert "春节" in client.get(reverse("calendar_days"), {"year": "2027"}).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "label"), [
    ({"field": "abc"}, "领域"), ({"budget_min": "99999999999999999999999"}, "投入不低于（万元）"),
    ({"kind": "<script>"}, "类别"), ({"q": "\x00"}, "关键词"),
])
def test_browse_ignores_an_invalid_filter_and_says_so(client, organiser_staff, params, label):
    bang_list = make_bang_list(by=organiser_staff)
    response = client.get(reverse("bangs:browse"), params)
    assert response.status_code == 200
    assert warnings(response) == [f"筛选条件“{label}”的值无效，已忽略。"]
    assert bang_list.bangs.get().title in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("", 1), ("99999", 2), ("-1", 2), ("2", 2)])
def test_list_views_show_the_nearest_page_for_a_junk_page_number(client, alice, round_, page, shown):
    for _ in range(21):
        DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    client.force_login(alice)
    response = client.get(reverse("demands:list"), {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


@pytest.mark.django_db
def test_bulk_accept_uses_the_usable_ids_and_drops_the_rest(client, staff, submitted):
    client.force_login(staff)
    client.post(reverse("demands:bulk_accept"), {"ids": ["99999999999999999999999", "²", str(submitted.pk)]})
    assert Demand.objects.get(pk=submitted.pk).state == DemandState.ACCEPTED


@pytest.mark.django_db
def test_bulk_accept_with_only_junk_asks_to_tick_demands(client, staff, submitted):
    client.force_login(staff)
    response = client.post(reverse("demands:bulk_accept"), {"ids": ["99999999999999999999999"]}, follow=True)
    assert "请先勾选要通过的需求。" in response.content.decode()
    assert Demand.objects.get(pk=submitted.pk).state == DemandState.SUBMITTED
