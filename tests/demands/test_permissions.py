"""Every demand view against every role: owner, another enterprise, staff of the responsible
department, staff of another department, and anonymous."""

import pytest
from django.urls import reverse

from demands import services
from demands.enums import DemandState
from demands.models import Demand

pytestmark = pytest.mark.django_db

ROLES = ["owner", "other_enterprise", "dept_staff", "other_staff", "anonymous"]

# (url name, method, takes pk, expected status per role) for a submitted demand.
MATRIX = [
    ("demands:detail", "get", True, [200, 404, 200, 404, 302]),
    ("demands:print", "get", True, [200, 404, 200, 404, 302]),
    ("demands:pdf", "get", True, [200, 404, 200, 404, 302]),
    ("demands:edit", "get", True, [403, 404, 403, 404, 302]),
    ("demands:submit", "post", True, [302, 404, 403, 404, 302]),
    ("demands:withdraw", "post", True, [302, 404, 403, 404, 302]),
    ("demands:screen", "post", True, [403, 404, 302, 404, 302]),
    ("demands:list", "get", False, [200, 200, 200, 200, 302]),
    ("demands:create", "get", False, [200, 200, 403, 403, 302]),
    ("demands:queue", "get", False, [403, 403, 200, 200, 302]),
    ("demands:export", "get", False, [403, 403, 200, 200, 302]),
    ("demands:bulk_accept", "post", False, [403, 403, 302, 302, 302]),
]


@pytest.fixture
def users(alice, bob, staff, other_staff):
    return {"owner": alice, "other_enterprise": bob, "dept_staff": staff, "other_staff": other_staff, "anonymous": None}


@pytest.mark.parametrize(("name", "method", "with_pk", "expected"), MATRIX)
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_demand_view_permissions(client, users, demand, alice, name, method, with_pk, expected, role_index):
    services.demand_submit(demand=demand, by=alice)
    role = ROLES[role_index]
    user = users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(name, args=[demand.pk] if with_pk else [])
    data = {"action": "accept", "ids": [demand.pk]} if method == "post" else None
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == expected[role_index], (name, role)
    if role in {"other_enterprise", "other_staff", "anonymous"}:
        # Whatever they tried, the demand did not change.
        assert Demand.objects.get(pk=demand.pk).state == DemandState.SUBMITTED


def test_draft_is_invisible_to_staff(client, demand, staff):
    client.force_login(staff)
    assert client.get(reverse("demands:detail", args=[demand.pk])).status_code == 404


def test_other_enterprise_list_does_not_show_demand(client, demand, alice, bob):
    services.demand_submit(demand=demand, by=alice)
    client.force_login(bob)
    assert demand.name not in client.get(reverse("demands:list")).content.decode()
    client.force_login(alice)
    assert demand.name in client.get(reverse("demands:list")).content.decode()


def test_other_department_queue_does_not_show_demand(client, demand, alice, other_staff, staff):
    services.demand_submit(demand=demand, by=alice)
    client.force_login(other_staff)
    assert demand.name not in client.get(reverse("demands:queue")).content.decode()
    client.force_login(staff)
    assert demand.name in client.get(reverse("demands:queue")).content.decode()


@pytest.mark.parametrize("name", ["demands:submit", "demands:withdraw", "demands:screen"])
def test_transition_views_are_post_only(client, demand, alice, name):
    client.force_login(alice)
    assert client.get(reverse(name, args=[demand.pk])).status_code == 405


def test_internal_notes_hidden_from_enterprise(client, demand, alice, staff):
    services.demand_submit(demand=demand, by=alice)
    services.demand_return(demand=demand, by=staff, reason="请补充测试方法", internal_note="该企业去年也报过")
    client.force_login(alice)
    page = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "请补充测试方法" in page
    assert "该企业去年也报过" not in page
    client.force_login(staff)
    page = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "该企业去年也报过" in page
