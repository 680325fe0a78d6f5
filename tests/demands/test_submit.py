import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from demands import services
from demands.enums import DemandState
from demands.models import Demand, end_of_day

from ..factories import DemandFactory, RoundFactory, complete_demand_data

pytestmark = pytest.mark.django_db


def submit_errors(demand, user):
    with pytest.raises(ValidationError) as excinfo:
        services.demand_submit(demand=demand, by=user)
    return excinfo.value.message_dict


@pytest.mark.parametrize(
    ("field", "limit"),
    [("background", 1000), ("content", 3000), ("basis", 1000), ("solver_requirements", 1000), ("ip_terms", 1000)],
)
def test_submit_checks_each_length_limit_in_chinese_characters(alice, round_, field, limit):
    ok = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, **{field: "字" * limit})
    services.demand_submit(demand=ok, by=alice)
    long = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, **{field: "字" * (limit + 1)})
    errors = submit_errors(long, alice)
    assert errors[field] == [f"不能超过{limit}字（当前{limit + 1}字）。"]
    assert Demand.objects.get(pk=long.pk).state == DemandState.DRAFT


def test_crlf_line_breaks_count_as_one_character(alice, round_):
    text = "字\r\n" * 500  # 1000 characters once a line break is one
    demand = services.demand_save_draft(
        demand=None, data=complete_demand_data(round=round_, background=text), by=alice
    )
    services.demand_submit(demand=demand, by=alice)


def test_submit_investment_below_round_minimum_refused(alice):
    round_ = RoundFactory(min_self_investment=Decimal("500"))
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, total_investment=Decimal("499.99"))
    assert submit_errors(demand, alice)["total_investment"] == ["企业拟总投入不得低于500万元。"]
    demand.total_investment = Decimal("500")
    demand.save()
    services.demand_submit(demand=demand, by=alice)


def test_submit_period_above_round_maximum_refused(alice):
    round_ = RoundFactory(max_period_months=36)
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, period_months=37)
    assert submit_errors(demand, alice)["period_months"] == ["实施周期不得超过36个月。"]


def test_submit_required_fields_listed(alice, round_):
    demand = Demand.objects.create(organisation=alice.organisation, created_by=alice, round=round_)
    errors = submit_errors(demand, alice)
    assert errors["name"] == ["此项为必填项。"]
    assert errors["total_investment"] == ["此项为必填项。"]


def test_submit_other_cooperation_mode_needs_text(alice, round_):
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_, cooperation_mode="other")
    assert "cooperation_other" in submit_errors(demand, alice)


def test_round_cutoff_is_end_of_day_beijing_time(alice):
    round_ = RoundFactory(
        opens_at=timezone.make_aware(datetime.datetime(2021, 7, 16)), closes_on=datetime.date(2021, 8, 30)
    )
    assert round_.closes_at == end_of_day(datetime.date(2021, 8, 30))
    beijing = timezone.get_default_timezone()
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    with time_machine.travel(datetime.datetime(2021, 8, 31, 0, 0, 0, tzinfo=beijing), tick=False):
        assert submit_errors(demand, alice)["round"] == ["该征集批次当前未开放提交。"]
    with time_machine.travel(datetime.datetime(2021, 8, 30, 23, 59, 59, tzinfo=beijing), tick=False):
        services.demand_submit(demand=demand, by=alice)
    assert Demand.objects.get(pk=demand.pk).state == DemandState.SUBMITTED


def test_round_not_yet_open_refuses(alice):
    round_ = RoundFactory(opens_at=timezone.now() + datetime.timedelta(days=1))
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    assert "round" in submit_errors(demand, alice)


def test_field_not_in_round_refused(alice):
    from demands.models import TechField

    round_ = RoundFactory(fields=[TechField.objects.get(name="生态环境")])
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    assert submit_errors(demand, alice)["field"] == ["该批次不征集此领域的需求。"]


def test_incomplete_unit_particulars_block_submit(alice, round_):
    org = alice.organisation
    org.legal_rep = ""
    org.save()
    demand = DemandFactory(organisation=org, created_by=alice, round=round_)
    assert "法定代表人" in submit_errors(demand, alice)["__all__"][0]


def test_submit_snapshots_the_unit(demand, alice):
    services.demand_submit(demand=demand, by=alice)
    org = alice.organisation
    old_name = org.name
    org.name = "改名后的公司"
    org.save()
    demand.refresh_from_db()
    assert demand.enterprise_snapshot["name"] == old_name
    assert demand.enterprise["name"] == old_name


# --- through the browser form -------------------------------------------------------------


def post_form(client, url, data, button):
    payload = {k: ("" if v is None else (v.pk if hasattr(v, "pk") else v)) for k, v in data.items()}
    payload[button] = "1"
    return client.post(url, payload)


def test_draft_survives_validation_error_with_nothing_lost(client, alice, round_):
    client.force_login(alice)
    long_background = "永磁电机背景" * 200  # 1200 characters
    data = complete_demand_data(round=round_, background=long_background, content="具体技术参数：推力密度≥国外同类")
    response = post_form(client, reverse("demands:create"), data, "submit")
    page = response.content.decode()
    assert response.status_code == 200
    assert "不能超过1000字（当前1200字）" in page
    assert long_background in page  # the text is still in the form
    demand = Demand.objects.get(organisation=alice.organisation)
    assert demand.state == DemandState.DRAFT
    assert demand.background == long_background  # and saved as a draft
    assert demand.content == "具体技术参数：推力密度≥国外同类"
    assert f'action="{reverse("demands:edit", args=[demand.pk])}"' in page


def test_save_draft_with_almost_nothing(client, alice, round_):
    client.force_login(alice)
    response = post_form(client, reverse("demands:create"), {"round": round_, "name": "只有名称"}, "save")
    assert response.status_code == 302
    assert Demand.objects.get(organisation=alice.organisation).name == "只有名称"


def test_form_submit_then_edit_is_refused_until_returned(client, alice, round_):
    client.force_login(alice)
    post_form(client, reverse("demands:create"), complete_demand_data(round=round_), "submit")
    demand = Demand.objects.get(organisation=alice.organisation)
    assert demand.state == DemandState.SUBMITTED
    assert client.get(reverse("demands:edit", args=[demand.pk])).status_code == 403
