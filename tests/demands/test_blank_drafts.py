"""A demand saved with nothing but its round must not break any page that lists or shows it."""

import re

import pytest
from django.urls import reverse

from demands import services
from demands.enums import DemandState
from demands.models import Demand

from ..factories import DemandFactory

pytestmark = pytest.mark.django_db

PLACEHOLDER = "（未命名草稿）"
BLANK = dict(
    name="", field_other="", cooperation_mode="", cooperation_other="", background="", content="", basis="",
    solver_requirements="", ip_terms="", field_test="", period_months=None, total_investment=None,
    contact_name="", contact_title="", contact_mobile="", contact_email="",
)


def link_text(page: str, url: str) -> str:
    match = re.search(rf'<a href="{re.escape(url)}">([^<]*)</a>', page)
    assert match, f"no link to {url}"
    return match.group(1)


def test_submitting_an_empty_demand_form_leaves_a_draft_the_list_still_shows(client, alice, round_):
    client.force_login(alice)
    response = client.post(reverse("demands:create"), {"round": round_.pk, "submit": "1"})
    assert "提交未成功，请按提示修改。您填写的内容已保存为草稿。" in response.content.decode()
    draft = Demand.objects.get(organisation=alice.organisation)
    assert (draft.name, draft.state, draft.field_id) == ("", DemandState.DRAFT, None)

    response = client.get(reverse("demands:list"))
    assert response.status_code == 200
    detail = reverse("demands:detail", args=[draft.pk])
    assert link_text(response.content.decode(), detail) == PLACEHOLDER

    response = client.get(detail)
    assert response.status_code == 200
    assert f'<h1 class="h4 mb-1">{PLACEHOLDER}</h1>' in response.content.decode()


def test_queue_shows_a_returned_demand_its_enterprise_emptied(client, alice, staff, round_):
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    services.demand_submit(demand=demand, by=alice)
    services.demand_return(demand=demand, by=staff, reason="请补充")
    services.demand_save_draft(demand=demand, data={**BLANK, "field": demand.field}, by=alice)
    client.force_login(staff)
    response = client.get(reverse("demands:queue"), {"state": DemandState.RETURNED})
    assert response.status_code == 200
    assert link_text(response.content.decode(), reverse("demands:detail", args=[demand.pk])) == PLACEHOLDER

