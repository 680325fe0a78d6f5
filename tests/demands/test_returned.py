"""A returned demand says why and by when at the top of its page."""

import datetime

import pytest
from django.urls import reverse

from demands import services
from demands.models import CollectionRound

from ..html import text

pytestmark = pytest.mark.django_db


def _returned(demand, alice, staff):
    services.demand_submit(demand=demand, by=alice)
    services.demand_return(demand=demand, by=staff, reason="请补充推力密度的测试方法")


def test_returned_demand_shows_reason_and_round_deadline(client, demand, alice, staff):
    CollectionRound.objects.filter(pk=demand.round_id).update(closes_on=datetime.date(2030, 6, 30))
    _returned(demand, alice, staff)
    client.force_login(alice)
    response = client.get(reverse("demands:detail", args=[demand.pk]))
    assert text(response, "screening-reason") == (
        "退回修改原因：请补充推力密度的测试方法 请在本批次截止（2030-06-30 24时）前修改并重新提交。"
    )


def test_returned_demand_in_year_round_batch(client, demand, alice, staff):
    _returned(demand, alice, staff)
    client.force_login(alice)
    response = client.get(reverse("demands:detail", args=[demand.pk]))
    assert text(response, "correction-notice") == "本批次常年开放，请修改后重新提交。"


def test_the_edit_page_of_a_returned_demand_gives_the_reason_too(client, demand, alice, staff):
    CollectionRound.objects.filter(pk=demand.round_id).update(closes_on=datetime.date(2030, 6, 30))
    _returned(demand, alice, staff)
    client.force_login(alice)
    response = client.get(reverse("demands:edit", args=[demand.pk]))
    assert "退回修改原因：请补充推力密度的测试方法" in text(response, "screening-reason")
    assert "请在本批次截止（2030-06-30 24时）前修改并重新提交。" in text(response, "screening-reason")
