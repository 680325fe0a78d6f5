"""axe-core over the pages each role works in, at desktop width and, for the pages people open on a
phone, at 390 px (tables fold and stack there): no serious or critical finding."""

import pytest

from accounts.enums import Role
from accounts.models import Department
from applications import services as application_services
from bangs import services as bang_services
from demands import services as demand_services

from ..applications.helpers import fill
from ..factories import DemandFactory, OrganisationFactory, RoundFactory, make_bang_list, make_staff
from .axe import axe_violations, blocking, describe
from .conftest import PASSWORD, journey_user, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal():
    """A published list with a bang, a draft application on it, a demand in screening and one with
    an expert: every page below has real rows to show."""
    organiser = make_staff()
    bang_list = make_bang_list(
        by=organiser, title="鄂尔多斯市“揭榜挂帅”科技项目榜单", bangs=2, indicators=2
    )
    bang = bang_list.bangs.order_by("pk").first()

    applicant = journey_user(username="imun", full_name="包伟", roles=[Role.APPLICANT],
                             organisation=OrganisationFactory(kind="university", name="内蒙古民族大学"))
    application = application_services.application_start(bang=bang, by=applicant)
    fill(application, applicant)

    round_ = RoundFactory(title="2026年度揭榜挂帅需求征集")
    enterprise = journey_user(username="changan", full_name="张继鹏", roles=[Role.ENTERPRISE],
                              organisation=OrganisationFactory(name="包头长安永磁电机有限公司"))
    staff = journey_user(
        username="gaoxin", department=Department.objects.get(name="高新技术处"), roles=[Role.STAFF]
    )
    expert = journey_user(username="zhuanjia", full_name="王教授", roles=[Role.EXPERT],
                          organisation=OrganisationFactory(kind="university"))
    screening = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_)
    demand_services.demand_submit(demand=screening, by=enterprise)
    pooled = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_)
    demand_services.demand_submit(demand=pooled, by=enterprise)
    demand_services.demand_accept(demand=pooled, by=staff)
    bang_services.demand_experts_assign(demand=pooled, experts=[expert], by=staff)
    journey_user(username="pingtai", full_name="赵平台", roles=[Role.ADMIN])
    return {"bang": bang, "application": application, "applicant": applicant}


# (name, who signs in or None, path built from the portal's objects)
PAGES = [
    ("home", None, lambda p: "/"),
    ("bang list", None, lambda p: "/bangs/"),
    ("bang", None, lambda p: f"/bangs/{p['bang'].pk}/"),
    ("login", None, lambda p: "/accounts/login/"),
    ("demand form", "changan", lambda p: "/demands/new/"),
    ("application form", "imun", lambda p: f"/applications/{p['application'].pk}/edit/"),
    ("screening queue", "gaoxin", lambda p: "/demands/queue/"),
    ("expert dashboard", "zhuanjia", lambda p: "/bangs/expert/"),
    ("workbench (staff)", "gaoxin", lambda p: "/dashboard/"),
    ("workbench (applicant)", "imun", lambda p: "/dashboard/"),
    ("workbench (enterprise)", "changan", lambda p: "/dashboard/"),
    ("download centre", None, lambda p: "/downloads/"),
    ("version comparison", "imun", lambda p: f"/applications/{p['application'].pk}/compare/"),
    ("user management", "pingtai", lambda p: "/accounts/staff/users/"),
    ("account page", "pingtai", lambda p: f"/accounts/staff/users/{p['applicant'].pk}/"),
]


ON_A_PHONE = {"home", "bang list", "bang", "application form", "screening queue", "expert dashboard",
              "workbench (staff)", "workbench (applicant)"}
CASES = [pytest.param(who, path, {"width": 1280, "height": 900}, id=name) for name, who, path in PAGES] + [
    pytest.param(who, path, {"width": 390, "height": 844}, id=f"{name} at 390 px")
    for name, who, path in PAGES if name in ON_A_PHONE
]


@pytest.mark.parametrize("who,path,viewport", CASES)
def test_page_has_no_serious_accessibility_violation(new_page, portal, who, path, viewport):
    page = new_page()
    page.set_viewport_size(viewport)
    if who:
        login(page, who, PASSWORD)
    response = page.goto(path(portal))
    assert response.status == 200, page.url

    found = blocking(axe_violations(page))

    assert found == [], f"axe on {path(portal)}:\n{describe(found)}"
