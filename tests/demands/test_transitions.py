"""Every pair of demand states, allowed and refused."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import DomainError, TransitionError
from core.selectors import activity_list_for
from core.services import state_transition
from demands import services
from demands.enums import TRANSITIONS, DemandState
from demands.models import Demand

pytestmark = pytest.mark.django_db

STATES = [s.value for s in DemandState]


@pytest.mark.parametrize(("from_state", "to_state"), list(itertools.product(STATES, STATES)))
def test_transition_table_every_pair(demand, alice, from_state, to_state):
    Demand.objects.filter(pk=demand.pk).update(state=from_state)
    demand.refresh_from_db()
    allowed = to_state in TRANSITIONS.get(from_state, set())
    if allowed:
        log = state_transition(obj=demand, to=to_state, by=alice, table=TRANSITIONS, action="test")
        assert Demand.objects.get(pk=demand.pk).state == to_state
        assert (log.from_state, log.to_state, log.actor) == (from_state, to_state, alice)
    else:
        with pytest.raises(TransitionError):
            state_transition(obj=demand, to=to_state, by=alice, table=TRANSITIONS, action="test")
        assert Demand.objects.get(pk=demand.pk).state == from_state


def _action(name, demand, alice, staff):
    if name == "submit":
        return services.demand_submit(demand=demand, by=alice)
    if name == "withdraw":
        return services.demand_withdraw(demand=demand, by=alice)
    if name == "accept":
        return services.demand_accept(demand=demand, by=staff)
    if name == "return":
        return services.demand_return(demand=demand, by=staff, reason="请补充")
    return services.demand_reject(demand=demand, by=staff, reason="不符合")


ACTIONS = {
    "submit": DemandState.SUBMITTED,
    "withdraw": DemandState.WITHDRAWN,
    "accept": DemandState.ACCEPTED,
    "return": DemandState.RETURNED,
    "reject": DemandState.REJECTED,
}


@pytest.mark.parametrize(("from_state", "action"), list(itertools.product(STATES, ACTIONS)))
def test_services_follow_the_table(demand, alice, staff, from_state, action):
    Demand.objects.filter(pk=demand.pk).update(state=from_state)
    demand.refresh_from_db()
    before = activity_list_for(demand).count()
    to_state = ACTIONS[action]
    if to_state in TRANSITIONS[from_state]:
        _action(action, demand, alice, staff)
        assert Demand.objects.get(pk=demand.pk).state == to_state
        last = activity_list_for(demand).last()
        assert (last.from_state, last.to_state) == (from_state, to_state)
    else:
        with pytest.raises(DomainError):
            _action(action, demand, alice, staff)
        assert Demand.objects.get(pk=demand.pk).state == from_state
        assert activity_list_for(demand).count() == before


def test_repeated_submit_says_already_submitted(demand, alice):
    services.demand_submit(demand=demand, by=alice)
    with pytest.raises(DomainError, match="已提交"):
        services.demand_submit(demand=demand, by=alice)


def test_return_and_reject_need_a_reason(demand, alice, staff):
    services.demand_submit(demand=demand, by=alice)
    for service in (services.demand_return, services.demand_reject):
        with pytest.raises(ValidationError):
            service(demand=demand, by=staff, reason="  ")
    assert Demand.objects.get(pk=demand.pk).state == DemandState.SUBMITTED


def test_staff_of_another_department_cannot_screen(demand, alice, other_staff):
    services.demand_submit(demand=demand, by=alice)
    with pytest.raises(DomainError):
        services.demand_accept(demand=demand, by=other_staff)
    assert Demand.objects.get(pk=demand.pk).state == DemandState.SUBMITTED


def test_another_enterprise_cannot_submit_or_withdraw(demand, alice, bob):
    with pytest.raises(DomainError):
        services.demand_submit(demand=demand, by=bob)
    services.demand_submit(demand=demand, by=alice)
    with pytest.raises(DomainError):
        services.demand_withdraw(demand=demand, by=bob)
