"""At 390 px (a phone): no sideways scrolling, and list filters fold behind a 筛选 button."""

import pytest
from playwright.sync_api import expect

from ..factories import make_bang_list, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_home_and_bangs_fit_a_phone_and_filters_fold_away(new_page):
    make_bang_list(by=make_staff(), title="鄂尔多斯市2024年“揭榜挂帅”科技项目榜单", bangs=3)
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_test_id("figures")).to_be_visible()
    assert _scroll_width(page) <= 390

    page.goto("/bangs/")
    filters = page.get_by_test_id("bang-filters")
    expect(filters).to_be_hidden()
    assert _scroll_width(page) <= 390
    page.get_by_test_id("filter-toggle").click()
    expect(filters).to_be_visible()
    assert _scroll_width(page) <= 390


def test_filters_stay_open_on_a_desktop(new_page):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/bangs/")
    expect(page.get_by_test_id("bang-filters")).to_be_visible()
    expect(page.get_by_test_id("filter-toggle")).to_be_hidden()


def test_application_form_table_rows_become_full_width_cards_on_a_phone(new_page):
    from applications import services

    from ..applications.helpers import make_applicant
    from .conftest import PASSWORD, login

    bang = make_bang_list(by=make_staff()).bangs.get()
    applicant = make_applicant(username="phone_lead")
    applicant.set_password(PASSWORD)
    applicant.save()
    application = services.application_start(bang=bang, by=applicant)
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, "phone_lead", PASSWORD)
    page.goto(f"/applications/{application.pk}/edit/")
    credit_code = page.locator("input[name='partners-0-credit_code']")
    expect(credit_code).to_be_visible()
    expect(page.locator("label[for='id_partners-0-credit_code']")).to_be_visible()  # the row's own label
    assert credit_code.bounding_box()["width"] >= 200
    subsidy = page.locator("input[name='equipment__subsidy']")
    assert subsidy.bounding_box()["width"] >= 200
    assert _scroll_width(page) <= 390


def test_bang_demand_form_and_queue_fit_a_phone(new_page):
    from accounts.enums import Role
    from accounts.models import Department
    from demands import services as demand_services

    from ..factories import DemandFactory, OrganisationFactory, RoundFactory
    from .conftest import PASSWORD, journey_user, login

    bang = make_bang_list(by=make_staff(), title="鄂尔多斯市“揭榜挂帅”科技项目榜单", bangs=2).bangs.first()
    enterprise = journey_user(username="changan", roles=[Role.ENTERPRISE],
                              organisation=OrganisationFactory(name="包头长安永磁电机有限公司"))
    journey_user(username="gaoxin", department=Department.objects.get(name="高新技术处"), roles=[Role.STAFF])
    round_ = RoundFactory()
    for _ in range(3):
        demand = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_)
        demand_services.demand_submit(demand=demand, by=enterprise)

    visitor = new_page()
    visitor.set_viewport_size(PHONE)
    visitor.goto(f"/bangs/{bang.pk}/")
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    assert _scroll_width(visitor) <= 390

    company = new_page()
    company.set_viewport_size(PHONE)
    login(company, "changan", PASSWORD)
    company.goto("/demands/new/")
    expect(company.locator("#id_name")).to_be_visible()
    assert company.locator("#id_name").bounding_box()["width"] >= 200
    assert _scroll_width(company) <= 390

    staff = new_page()
    staff.set_viewport_size(PHONE)
    login(staff, "gaoxin", PASSWORD)
    staff.goto("/demands/queue/")
    expect(staff.get_by_test_id("queue-filters")).to_be_hidden()
    assert _scroll_width(staff) <= 390
