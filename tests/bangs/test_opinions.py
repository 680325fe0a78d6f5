import pytest
from django.urls import reverse

from bangs import services
from bangs.models import DemandOpinion
from core.exceptions import DomainError
from demands import services as demand_services

from ..factories import DemandFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pooled(alice, staff, round_):
    demand = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
    demand_services.demand_submit(demand=demand, by=alice)
    return demand_services.demand_accept(demand=demand, by=staff)


def test_staff_assign_experts_and_see_opinions_side_by_side(client, pooled, staff, expert):
    second = UserFactory(roles=["expert"], full_name="第二专家")
    client.force_login(staff)
    client.post(reverse("bangs:assign_experts", args=[pooled.pk]), {"experts": [expert.pk, second.pk]})
    assert DemandOpinion.objects.filter(demand=pooled).count() == 2
    client.force_login(expert)
    opinion = DemandOpinion.objects.get(expert=expert)
    client.post(reverse("bangs:opinion", args=[opinion.pk]), {"recommend": "1", "comments": "技术路线清晰，建议发榜"})
    client.force_login(second)
    other = DemandOpinion.objects.get(expert=second)
    client.post(reverse("bangs:opinion", args=[other.pk]), {"recommend": "0", "comments": "指标偏低"})
    client.force_login(staff)
    page = client.get(reverse("bangs:assign_experts", args=[pooled.pk])).content.decode()
    assert "技术路线清晰，建议发榜" in page and "指标偏低" in page
    page = client.get(reverse("demands:detail", args=[pooled.pk])).content.decode()
    assert "技术路线清晰，建议发榜" in page


def test_expert_sees_only_own_tasks_and_cannot_change_a_submitted_opinion(client, pooled, staff, expert, alice):
    services.demand_experts_assign(demand=pooled, experts=[expert], by=staff)
    opinion = DemandOpinion.objects.get()
    stranger = UserFactory(roles=["expert"])
    client.force_login(stranger)
    assert client.get(reverse("bangs:opinion", args=[opinion.pk])).status_code == 404
    assert pooled.name not in client.get(reverse("bangs:expert_dashboard")).content.decode()
    assert client.get(reverse("demands:detail", args=[pooled.pk])).status_code == 404
    client.force_login(expert)
    assert pooled.name in client.get(reverse("bangs:expert_dashboard")).content.decode()
    assert client.get(reverse("demands:detail", args=[pooled.pk])).status_code == 200
    services.demand_opinion_submit(opinion=opinion, recommend=True, comments="同意", by=expert)
    with pytest.raises(DomainError):
        services.demand_opinion_submit(opinion=opinion, recommend=False, comments="改主意", by=expert)
    assert DemandOpinion.objects.get().recommend is True
    # The enterprise never sees expert opinions.
    client.force_login(alice)
    assert "同意" not in client.get(reverse("demands:detail", args=[pooled.pk])).content.decode()


def test_expert_of_the_issuing_enterprise_is_recused(pooled, staff, alice):
    colleague = UserFactory(organisation=alice.organisation, roles=["expert"])
    with pytest.raises(DomainError, match="回避"):
        services.demand_experts_assign(demand=pooled, experts=[colleague], by=staff)


def test_only_pooled_demands_get_experts(demand, staff, expert, alice):
    demand_services.demand_submit(demand=demand, by=alice)
    with pytest.raises(DomainError):
        services.demand_experts_assign(demand=demand, experts=[expert], by=staff)


@pytest.mark.parametrize("rows", [1, 8])
def test_pool_and_dashboard_query_counts(client, staff, expert, alice, round_, django_assert_max_num_queries, rows):
    for _ in range(rows):
        d = DemandFactory(organisation=alice.organisation, created_by=alice, round=round_)
        demand_services.demand_submit(demand=d, by=alice)
        demand_services.demand_accept(demand=d, by=staff)
        services.demand_experts_assign(demand=d, experts=[expert], by=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("bangs:pool")).status_code == 200
    client.force_login(expert)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("bangs:expert_dashboard")).status_code == 200
