import datetime

import pytest
from django.urls import reverse

from core.selectors import activity_list_for
from demands.models import CollectionRound, TechField

from ..factories import RoundFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["demands:round_list", "demands:round_create", "demands:field_create"])
def test_round_pages_are_staff_only(client, alice, applicant, name):
    for user in (alice, applicant):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403
    client.logout()
    assert client.get(reverse(name)).status_code == 302


def test_staff_creates_round_with_cutoff_and_fields(client, staff):
    client.force_login(staff)
    fields = list(TechField.objects.filter(name__in=["能源资源", "生态环境"]).values_list("pk", flat=True))
    response = client.post(
        reverse("demands:round_create"),
        {"title": "2027年第一批需求征集", "opens_at": "2027-01-05T09:00", "closes_on": "2027-03-31",
         "min_self_investment": "500", "max_period_months": "36", "fields": fields},
    )
    assert response.status_code == 302
    round_ = CollectionRound.objects.get(title="2027年第一批需求征集")
    assert round_.closes_on == datetime.date(2027, 3, 31)
    assert set(round_.fields.values_list("pk", flat=True)) == set(fields)
    assert activity_list_for(round_).get().actor == staff


def test_staff_adds_a_field_routed_to_a_department(client, staff):
    from accounts.models import Department

    client.force_login(staff)
    dept = Department.objects.get(name="高新技术处")
    client.post(reverse("demands:field_create"), {"name": "新材料", "department": dept.pk, "sort_order": 40, "is_active": "on"})
    assert TechField.objects.get(name="新材料").department == dept


def test_round_form_error_keeps_input(client, staff):
    client.force_login(staff)
    response = client.post(reverse("demands:round_create"), {"title": "缺少开启时间", "min_self_investment": "abc"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "缺少开启时间" in page


@pytest.mark.parametrize("rows", [1, 10])
def test_round_list_query_count_constant(client, staff, django_assert_max_num_queries, rows):
    for _ in range(rows):
        RoundFactory()
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("demands:round_list")).status_code == 200
