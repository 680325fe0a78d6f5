import pytest
from django.urls import reverse

from accounts.enums import Role

from ..factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_URLS = [
    ("accounts:unit_list", []),
]


@pytest.mark.parametrize(("name", "args"), STAFF_URLS)
def test_staff_pages_refuse_non_staff(client, alice, applicant, name, args):
    for user in (alice, applicant):
        client.force_login(user)
        assert client.get(reverse(name, args=args)).status_code == 403
    client.logout()
    assert client.get(reverse(name, args=args)).status_code in {302, 403}


def test_unit_manage_refuses_non_staff(client, alice):
    org = OrganisationFactory()
    client.force_login(alice)
    assert client.get(reverse("accounts:unit_manage", args=[org.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("accounts:unit_manage", args=[org.pk])).status_code == 302


def test_staff_flags_unit_dishonest_with_note_and_log(client, staff):
    org = OrganisationFactory(name="失信测试公司")
    client.force_login(staff)
    url = reverse("accounts:unit_manage", args=[org.pk])
    response = client.post(url, {"action": "dishonest", "is_dishonest": "on", "note": ""})
    assert "列入失信名单须填写说明" in response.content.decode()
    org.refresh_from_db()
    assert org.is_dishonest is False

    client.post(url, {"action": "dishonest", "is_dishonest": "on", "note": "法院失信被执行人"})
    org.refresh_from_db()
    assert org.is_dishonest is True
    page = client.get(url).content.decode()
    assert "列入失信名单" in page and "法院失信被执行人" in page


def test_staff_verifies_unit(client, staff):
    org = OrganisationFactory()
    client.force_login(staff)
    client.post(reverse("accounts:unit_manage", args=[org.pk]), {"action": "verify", "verified": "1"})
    org.refresh_from_db()
    assert org.is_verified is True


def test_unit_list_filters_and_searches(client, staff):
    OrganisationFactory(name="包头长安永磁电机有限公司")
    OrganisationFactory(name="内蒙古蒙肽生物工程有限公司", is_dishonest=True)
    client.force_login(staff)
    page = client.get(reverse("accounts:unit_list"), {"q": "永磁"}).content.decode()
    assert "包头长安永磁电机有限公司" in page and "蒙肽" not in page
    page = client.get(reverse("accounts:unit_list"), {"dishonest": "1"}).content.decode()
    assert "蒙肽" in page and "长安永磁" not in page


@pytest.mark.parametrize("rows", [1, 15])
def test_user_list_query_count_constant(client, django_assert_max_num_queries, rows):
    for _ in range(rows):
        UserFactory(organisation=OrganisationFactory(), roles=[Role.ENTERPRISE, Role.APPLICANT])
    client.force_login(UserFactory(roles=[Role.ADMIN]))
    with django_assert_max_num_queries(9):
        response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 15])
def test_unit_list_query_count_constant(client, staff, django_assert_max_num_queries, rows):
    for _ in range(rows):
        OrganisationFactory()
    client.force_login(staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:unit_list"))
    assert response.status_code == 200


def test_unit_particulars_edited_by_its_enterprise_accounts_only(client, alice, expert):
    from tests.factories import UserFactory

    url = reverse("accounts:unit")
    client.force_login(alice)
    response = client.post(url, {"name": "新名称有限公司", "kind": "enterprise", "region": alice.organisation.region_id,
                                 "postcode": "014060"})
    assert response.status_code == 302
    alice.organisation.refresh_from_db()
    assert alice.organisation.name == "新名称有限公司"
    colleague_expert = UserFactory(organisation=alice.organisation, roles=["expert"])
    client.force_login(colleague_expert)
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "改名"}).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
