from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Region
from demands import services
from demands.enums import DemandState
from demands.models import Demand, TechField

from ..factories import DemandFactory, OrganisationFactory, credit_code, make_enterprise_user

pytestmark = pytest.mark.django_db


def submitted_demand(round_, **kwargs):
    org = kwargs.pop("organisation", None) or OrganisationFactory()
    user = make_enterprise_user(organisation=org)
    demand = DemandFactory(organisation=org, created_by=user, round=round_, **kwargs)
    return services.demand_submit(demand=demand, by=user)


@pytest.mark.parametrize("rows", [2, 12])
def test_queue_query_count_does_not_grow(client, staff, round_, django_assert_max_num_queries, rows):
    for _ in range(rows):
        submitted_demand(round_)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("demands:queue"))
    assert response.content.decode().count('name="ids"') == rows


@pytest.mark.parametrize("rows", [2, 12])
def test_enterprise_list_query_count_does_not_grow(client, alice, round_, django_assert_max_num_queries, rows):
    for _ in range(rows):
        DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    client.force_login(alice)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("demands:list"))
    assert response.status_code == 200


def test_queue_filters_by_text_field_region_and_state(client, staff, round_):
    tongliao = OrganisationFactory(region=Region.objects.get(code="150502"), credit_code=credit_code(501, "150502"))
    outside = OrganisationFactory(region=Region.objects.get(code="110000"), credit_code=credit_code(502, "110000"))
    motor = submitted_demand(round_, name="高推力密度永磁同步直线电机研制")
    pigment = submitted_demand(round_, name="稀土环保颜料耐高温关键技术", organisation=tongliao)
    engine = submitted_demand(round_, name="氢燃料转子发动机开发", organisation=outside)
    services.demand_accept(demand=engine, by=staff)
    client.force_login(staff)
    url = reverse("demands:queue")

    def names(params):
        page = client.get(url, params).content.decode()
        return {d.name for d in (motor, pigment, engine) if d.name in page}

    assert names({"q": "永磁"}) == {motor.name}
    assert names({"region": "150500"}) == {pigment.name}
    assert names({"region": "out", "state": ""}) == {engine.name}
    assert names({}) == {motor.name, pigment.name}  # default: awaiting screening
    assert names({"state": "accepted"}) == {engine.name}
    field = TechField.objects.get(name="能源资源")
    assert names({"field": field.pk, "state": ""}) == {motor.name, pigment.name, engine.name}


def test_bulk_accept_accepts_only_own_department_and_logs(client, staff, round_):
    first, second = submitted_demand(round_), submitted_demand(round_)
    agri = submitted_demand(round_, field=TechField.objects.get(name="现代农牧业"))
    client.force_login(staff)
    client.post(reverse("demands:bulk_accept"), {"ids": [first.pk, second.pk, agri.pk]})
    states = dict(Demand.objects.values_list("pk", "state"))
    assert states[first.pk] == states[second.pk] == DemandState.ACCEPTED
    assert states[agri.pk] == DemandState.SUBMITTED


def test_export_has_one_row_per_demand_with_every_field(client, staff, round_):
    motor = submitted_demand(round_, name="高推力密度永磁同步直线电机研制", background="=HYPERLINK(\"x\")")
    submitted_demand(round_, name="稀土环保颜料耐高温关键技术")
    client.force_login(staff)
    response = client.get(reverse("demands:export"), {"q": "永磁"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert row["项目需求名称"] == motor.name
    assert row["统一社会信用代码"] == motor.organisation.credit_code
    assert row["需求背景"] == '=HYPERLINK("x")'
    assert sheet.cell(row=2, column=header.index("需求背景") + 1).data_type == "s"
    for title in ("实测要求", "产权归属、利益分配", "对揭榜方要求", "拟总投入（万元）", "时限要求（月）", "项目合作方式"):
        assert title in header
