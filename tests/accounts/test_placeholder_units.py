"""A partner typed in by an applicant is a placeholder; the real unit claims it by registering."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.models import JoinRequest, Organisation, Region, User
from applications import services as application_services
from core.selectors import activity_list_for

from ..applications.helpers import make_applicant
from ..factories import credit_code, make_bang_list
from .test_register import form_data

pytestmark = pytest.mark.django_db

CODE = credit_code(777, "150502")


@pytest.fixture
def named_partner(organiser_staff):
    """A draft whose lead typed in a partner that nobody has registered, under a name of its choosing."""
    lead = make_applicant()
    bang = make_bang_list(by=organiser_staff).bangs.get()
    application = application_services.application_start(bang=bang, by=lead)
    application_services.application_save_draft(
        application=application, data={}, by=lead,
        partners=[dict(credit_code=CODE, name="随手填的名称", kind="institute", region=Region.objects.get(code="150502"),
                       role="检测评价", work_share=Decimal("20"))],
    )
    return application


def test_typed_in_partner_is_a_placeholder_nobody_owns(named_partner):
    org = Organisation.objects.get(credit_code=CODE)
    assert org.is_placeholder is True
    assert org.first_user is None
    assert org.is_verified is False


def test_registering_a_placeholders_code_claims_it(client, named_partner):
    placeholder = Organisation.objects.get(credit_code=CODE)
    response = client.post(reverse("accounts:register"), form_data(
        role="applicant", credit_code=CODE, name="内蒙古民族大学", kind="university",
        region=Region.objects.get(code="150502").pk, address="通辽市科尔沁区霍林河大街536号", postcode="028000",
    ))
    assert response.status_code == 302
    user = User.objects.get(username="zhang")
    org = Organisation.objects.get(credit_code=CODE)
    assert org.pk == placeholder.pk
    assert org.first_user == user and user.organisation == org
    assert (org.name, org.kind, org.region.code, org.address, org.postcode) == (
        "内蒙古民族大学", "university", "150502", "通辽市科尔沁区霍林河大街536号", "028000")
    assert org.is_placeholder is False
    assert org.is_verified is False
    assert user.has_role(Role.APPLICANT)
    assert not JoinRequest.objects.exists()
    entry = activity_list_for(org).get(action="认领代填单位")
    assert entry.actor == user and "随手填的名称" in entry.note
    # The application that named the unit still names the same unit, now under its own name.
    assert named_partner.partners.get().organisation_id == placeholder.pk
    assert "注册成功" in client.get(reverse("dashboard"), follow=True).content.decode()


def test_registering_a_registered_units_code_still_asks_to_join(client):
    client.post(reverse("accounts:register"), form_data(credit_code=CODE, name="真实单位"))
    client.logout()
    client.post(reverse("accounts:register"), form_data(credit_code=CODE, name="冒名单位", username="li",
                                                        email="li@example.com"))
    newcomer = User.objects.get(username="li")
    org = Organisation.objects.get(credit_code=CODE)
    assert org.name == "真实单位"
    assert org.first_user.username == "zhang"
    assert newcomer.organisation is None
    assert JoinRequest.objects.get(user=newcomer).organisation == org


def test_partner_code_of_a_registered_unit_never_renames_it(organiser_staff):
    client_org_user = make_applicant()
    registered = client_org_user.organisation
    lead = make_applicant()
    bang = make_bang_list(by=organiser_staff).bangs.get()
    application = application_services.application_start(bang=bang, by=lead)
    application_services.application_save_draft(
        application=application, data={}, by=lead,
        partners=[dict(credit_code=registered.credit_code, name="改个名字", kind="other",
                       region=Region.objects.get(code="150100"), role="检测", work_share=Decimal("10"))],
    )
    fresh = Organisation.objects.get(pk=registered.pk)
    assert (fresh.name, fresh.kind, fresh.region_id) == (registered.name, registered.kind, registered.region_id)
    assert fresh.is_placeholder is False
    assert application.partners.get().organisation_id == registered.pk


def test_staff_unit_pages_mark_a_placeholder_unverified(client, staff, named_partner):
    org = Organisation.objects.get(credit_code=CODE)
    client.force_login(staff)
    listing = client.get(reverse("accounts:unit_list"), {"q": CODE}).content.decode()
    assert "随手填的名称" in listing and "未注册·信息未核实" in listing
    page = client.get(reverse("accounts:unit_manage", args=[org.pk])).content.decode()
    assert "未注册·信息未核实" in page
    assert "核验通过" not in page


def test_staff_unit_pages_show_no_badge_for_a_registered_unit(client, staff, applicant):
    client.force_login(staff)
    listing = client.get(reverse("accounts:unit_list"), {"q": applicant.organisation.credit_code}).content.decode()
    assert applicant.organisation.name in listing and "未注册·信息未核实" not in listing
    page = client.get(reverse("accounts:unit_manage", args=[applicant.organisation.pk])).content.decode()
    assert "未注册·信息未核实" not in page


def test_placeholder_cannot_be_chosen_as_issuer_invitee_or_recommender(client, organiser_staff, staff, named_partner):
    from ..factories import OrganisationFactory

    typed_enterprise = OrganisationFactory(kind="enterprise", name="代填的企业", is_placeholder=True)
    typed_bureau = OrganisationFactory(kind="government", name="代填的科技局", is_placeholder=True)
    real_enterprise = OrganisationFactory(kind="enterprise", name="注册的企业")
    draft = make_bang_list(by=organiser_staff, publish=False, bangs=0)
    client.force_login(organiser_staff)
    for url in (reverse("bangs:bang_create", args=[draft.pk]), reverse("bangs:list_edit", args=[draft.pk])):
        page = client.get(url).content.decode()
        assert real_enterprise.name in page and typed_enterprise.name not in page, url
    real_bureau = OrganisationFactory(kind="government", name="注册的科技局")
    client.force_login(staff)
    page = client.get(reverse("applications:routes")).content.decode()
    assert real_bureau.name in page and typed_bureau.name not in page


def test_a_placeholder_cannot_be_verified(client, staff):
    from accounts.models import Organisation
    from tests.factories import OrganisationFactory

    placeholder = OrganisationFactory(is_placeholder=True, name="代填的名称")
    client.force_login(staff)
    response = client.post(reverse("accounts:unit_manage", args=[placeholder.pk]),
                           {"action": "verify", "verified": "1"}, follow=True)
    assert "尚未注册，不能核验" in response.content.decode()
    assert Organisation.objects.get(pk=placeholder.pk).is_verified is False
