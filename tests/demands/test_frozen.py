"""A submitted 需求表 is changed only after a return: the edit endpoint and the service refuse it."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from core.exceptions import DomainError
from demands import services
from demands.enums import DemandState
from demands.models import Demand

from ..factories import complete_demand_data

pytestmark = pytest.mark.django_db

CONTENT = ["name", "background", "content", "basis", "solver_requirements", "ip_terms", "field_test",
           "total_investment", "period_months", "contact_name", "contact_mobile"]


def _content(demand: Demand) -> dict:
    return model_to_dict(Demand.objects.get(pk=demand.pk), fields=CONTENT)


def _post(demand: Demand) -> dict:
    data = complete_demand_data(name="篡改后的需求名称", content="篡改后的内容")
    data["field"] = data["field"].pk
    data["round"] = demand.round_id
    return data


def _submitted(demand, alice):
    return services.demand_submit(demand=demand, by=alice)


@pytest.mark.parametrize("to", ["submitted", "accepted", "rejected", "listed"])
def test_submitted_demand_cannot_be_edited(client, alice, staff, demand, to):
    demand = _submitted(demand, alice)
    if to == "accepted":
        services.demand_accept(demand=demand, by=staff)
    elif to == "rejected":
        services.demand_reject(demand=demand, by=staff, reason="不符合征集范围")
    elif to == "listed":
        services.demand_accept(demand=demand, by=staff)
        Demand.objects.filter(pk=demand.pk).update(state=DemandState.LISTED)
    before = _content(demand)
    client.force_login(alice)
    for button in ({"save": "1"}, {"submit": "1"}):
        response = client.post(reverse("demands:edit", args=[demand.pk]), {**_post(demand), **button})
        assert response.status_code == 403
    with pytest.raises(DomainError, match="不能修改"):
        services.demand_save_draft(demand=Demand.objects.get(pk=demand.pk), data={"name": "篡改"}, by=alice)
    assert _content(demand) == before


def test_returned_demand_can_be_corrected_and_resubmitted(client, alice, staff, demand):
    demand = _submitted(demand, alice)
    services.demand_return(demand=demand, by=staff, reason="请补充现有基础")
    client.force_login(alice)
    response = client.post(reverse("demands:edit", args=[demand.pk]), {**_post(demand), "save": "1"})
    assert response.status_code == 302
    assert Demand.objects.get(pk=demand.pk).name == "篡改后的需求名称"
