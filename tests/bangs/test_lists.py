import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bangs import services
from bangs.enums import LIST_TRANSITIONS, BangListState
from bangs.models import BangList
from core.exceptions import DomainError, TransitionError
from core.selectors import activity_list_for
from core.services import state_transition
from demands import services as demand_services
from demands.enums import DemandState
from demands.models import TechField
from notifications.models import Notification

from ..factories import DemandFactory, make_bang_list

pytestmark = pytest.mark.django_db

STATES = [s.value for s in BangListState]


@pytest.mark.parametrize(("from_state", "to_state"), list(itertools.product(STATES, STATES)))
def test_list_transition_table_every_pair(organiser_staff, from_state, to_state):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    BangList.objects.filter(pk=bang_list.pk).update(state=from_state)
    bang_list.refresh_from_db()
    if to_state in LIST_TRANSITIONS[from_state]:
        state_transition(obj=bang_list, to=to_state, by=organiser_staff, table=LIST_TRANSITIONS, action="t")
        assert BangList.objects.get(pk=bang_list.pk).state == to_state
    else:
        with pytest.raises(TransitionError):
            state_transition(obj=bang_list, to=to_state, by=organiser_staff, table=LIST_TRANSITIONS, action="t")
        assert BangList.objects.get(pk=bang_list.pk).state == from_state


def test_publish_refuses_incomplete_lists(organiser_staff):
    empty = make_bang_list(by=organiser_staff, bangs=0, publish=False)
    with pytest.raises(ValidationError, match="还没有技术榜"):
        services.bang_list_publish(bang_list=empty, by=organiser_staff)
    no_indicators = make_bang_list(by=organiser_staff, indicators=0, publish=False)
    with pytest.raises(ValidationError, match="缺少考核指标"):
        services.bang_list_publish(bang_list=no_indicators, by=organiser_staff)
    past = make_bang_list(by=organiser_staff, deadline_days=-1, publish=False)
    with pytest.raises(ValidationError, match="截止时间必须晚于当前时间"):
        services.bang_list_publish(bang_list=past, by=organiser_staff)
    for bang_list in (empty, no_indicators, past):
        assert BangList.objects.get(pk=bang_list.pk).state == BangListState.DRAFT


def test_publish_refuses_bang_without_contact(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    bang_list.bangs.update(contact_name="", contact_phone="")
    with pytest.raises(ValidationError, match="缺少联系人"):
        services.bang_list_publish(bang_list=bang_list, by=organiser_staff)


def test_publish_lists_source_demands_and_tells_the_enterprise(alice, staff, organiser_staff, round_,
                                                               django_capture_on_commit_callbacks):
    demands = [DemandFactory(organisation=alice.organisation, created_by=alice, round=round_) for _ in range(2)]
    for demand in demands:
        demand_services.demand_submit(demand=demand, by=alice)
        demand_services.demand_accept(demand=demand, by=staff)
    bang_list = make_bang_list(by=organiser_staff, bangs=0, publish=False)
    bang = services.bang_save(
        bang_list=bang_list, bang=None,
        data=dict(title="凝练后的技术榜", kind="tackling", field=TechField.objects.get(name="能源资源"),
                  total_investment=1600, contact_name="张", contact_phone="13800000000"),
        demands=demands, issuers=[], indicators=[dict(name="推力密度", target="≥1.2", unit="N/cm²")],
        by=organiser_staff,
    )
    assert list(bang.issuers.all()) == [alice.organisation]
    with django_capture_on_commit_callbacks(execute=True):
        services.bang_list_publish(bang_list=bang_list, by=organiser_staff)
    for demand in demands:
        demand.refresh_from_db()
        assert demand.state == DemandState.LISTED
    assert Notification.objects.filter(recipient=alice, event_key=f"bang:{bang.pk}:published").exists()


def test_demand_cannot_be_condensed_twice(alice, staff, organiser_staff, round_):
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    demand_services.demand_submit(demand=demand, by=alice)
    demand_services.demand_accept(demand=demand, by=staff)
    data = dict(title="榜", kind="tackling", field=TechField.objects.get(name="能源资源"), total_investment=1)
    first = make_bang_list(by=organiser_staff, bangs=0, publish=False)
    services.bang_save(bang_list=first, bang=None, data=data, demands=[demand], issuers=[], indicators=[], by=organiser_staff)
    second = make_bang_list(by=organiser_staff, bangs=0, publish=False)
    with pytest.raises(ValidationError):
        services.bang_save(bang_list=second, bang=None, data=data, demands=[demand], issuers=[], indicators=[],
                           by=organiser_staff)


def test_published_bangs_are_never_silently_rewritten(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    bang = bang_list.bangs.get()
    with pytest.raises(DomainError, match="更正/补充通知"):
        services.bang_save(bang_list=bang_list, bang=bang, data={"title": "改名"}, demands=[], issuers=[],
                           indicators=[], by=organiser_staff)
    with pytest.raises(DomainError):
        services.bang_list_update(bang_list=bang_list, data={"title": "改名"}, by=organiser_staff)
    assert BangList.objects.get(pk=bang_list.pk).bangs.get().title == bang.title


def test_amendment_extends_deadline_and_is_dated(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    old = bang_list.deadline
    new = old + datetime.timedelta(days=7)
    with pytest.raises(ValidationError):
        services.bang_list_amend(bang_list=bang_list, title="延期", body="延期一周", new_deadline=old, by=organiser_staff)
    amendment = services.bang_list_amend(
        bang_list=bang_list, title="关于延长申报截止时间的补充通知", body="截止时间延长一周。", new_deadline=new,
        by=organiser_staff,
    )
    bang_list.refresh_from_db()
    assert bang_list.deadline == new
    assert (amendment.old_deadline, amendment.new_deadline) == (old, new)
    assert activity_list_for(bang_list).filter(action="发布更正/补充通知").exists()


def test_amendment_refused_on_draft(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff, publish=False)
    with pytest.raises(DomainError):
        services.bang_list_amend(bang_list=bang_list, title="t", body="b", by=organiser_staff)


def test_withdraw_needs_reason(organiser_staff):
    bang_list = make_bang_list(by=organiser_staff)
    with pytest.raises(ValidationError):
        services.bang_list_withdraw(bang_list=bang_list, reason=" ", by=organiser_staff)
    services.bang_list_withdraw(bang_list=bang_list, reason="需求变化", by=organiser_staff)
    assert BangList.objects.get(pk=bang_list.pk).state == BangListState.WITHDRAWN


def test_other_organiser_cannot_act(organiser_staff, other_organiser_staff):
    draft = make_bang_list(by=organiser_staff, publish=False)
    with pytest.raises(DomainError):
        services.bang_list_publish(bang_list=draft, by=other_organiser_staff)
    published = make_bang_list(by=organiser_staff)
    with pytest.raises(DomainError):
        services.bang_list_withdraw(bang_list=published, reason="x", by=other_organiser_staff)
    with pytest.raises(DomainError):
        services.bang_list_amend(bang_list=published, title="t", body="b", by=other_organiser_staff)


def test_open_and_closed_are_derived_from_the_deadline(organiser_staff):
    import time_machine

    bang_list = make_bang_list(by=organiser_staff)
    assert bang_list.is_open()
    with time_machine.travel(bang_list.deadline, tick=False):
        assert bang_list.is_open() and bang_list.status_label() == "申报中"
    with time_machine.travel(bang_list.deadline + datetime.timedelta(seconds=1), tick=False):
        assert not bang_list.is_open() and bang_list.status_label() == "已截止"


def test_deadline_reminders_are_sent_once(organiser_staff, django_capture_on_commit_callbacks):
    from django.core import mail

    bang_list = make_bang_list(by=organiser_staff, deadline_days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deadline_reminders_send() == 1
        assert services.deadline_reminders_send() == 0
    assert len(mail.outbox) == 1 and "将于" in mail.outbox[0].subject
    later = bang_list.deadline + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deadline_passed_send(now=later) == 1
        assert services.deadline_passed_send(now=later) == 0
    assert Notification.objects.filter(recipient=organiser_staff, title__contains="已截止").count() == 1


def test_scheduled_tasks_run_late_still_notify_once(organiser_staff):
    from bangs.tasks import notify_deadline_passed

    bang_list = make_bang_list(by=organiser_staff, deadline_days=1)
    BangList.objects.filter(pk=bang_list.pk).update(deadline=timezone.now() - datetime.timedelta(days=2))
    assert notify_deadline_passed.apply().result == 1
    assert notify_deadline_passed.apply().result == 0
