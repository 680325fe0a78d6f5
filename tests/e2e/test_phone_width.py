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


# List tables on a phone keep their key columns (title, state, deadline, actions); the others fold
# away and are on the page the row links to. On a desktop every column is back.

DESKTOP = {"width": 1280, "height": 900}


def _key_columns_stay_and_the_rest_fold(page, table, *, keep, folded):
    """At 390 px: the key cells are visible, the `folded` column header is hidden and nothing scrolls
    sideways, neither the page nor the table in its wrapper; widened to 1280 px, the folded header shows again."""
    for locator in keep:
        expect(locator).to_be_visible()
    header = table.get_by_role("columnheader", name=folded, exact=True, include_hidden=True)
    expect(header).to_have_count(1)  # so that "hidden" cannot pass on a header that is not there
    expect(header).to_be_hidden()
    assert _scroll_width(page) <= 390
    box = table.bounding_box()  # nor inside its .table-responsive
    assert box["x"] + box["width"] <= 390
    page.set_viewport_size(DESKTOP)
    expect(header).to_be_visible()


def test_screening_queue_keeps_title_and_state_on_a_phone(new_page):
    from accounts.enums import Role
    from accounts.models import Department
    from demands import services as demand_services

    from ..factories import DemandFactory, make_enterprise_user
    from .conftest import PASSWORD, journey_user, login

    enterprise = make_enterprise_user()
    journey_user(username="gaoxin", department=Department.objects.get(name="高新技术处"), roles=[Role.STAFF])
    demand = DemandFactory(organisation=enterprise.organisation, created_by=enterprise,
                           name="高性能稀土永磁电机驱动控制系统关键技术研发")
    demand_services.demand_submit(demand=demand, by=enterprise)

    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, "gaoxin", PASSWORD)
    page.goto("/demands/queue/")
    queue = page.get_by_test_id("queue")
    row = queue.locator("tbody tr").first
    _key_columns_stay_and_the_rest_fold(
        page, queue, folded="拟总投入（万元）",
        keep=[row.get_by_role("checkbox"), row.get_by_role("link", name=demand.name),
              row.get_by_role("cell", name="已提交", exact=True)],
    )


def test_bang_table_of_a_list_keeps_number_and_title_on_a_phone(new_page):
    bang_list = make_bang_list(by=make_staff(), title="鄂尔多斯市“揭榜挂帅”科技项目榜单", bangs=2)
    bang = bang_list.bangs.order_by("number").first()

    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"/bangs/lists/{bang_list.pk}/")
    table = page.get_by_test_id("list-bangs")
    _key_columns_stay_and_the_rest_fold(
        page, table, folded="发榜企业",
        keep=[table.get_by_role("link", name=bang.title), table.get_by_role("cell", name=str(bang.number), exact=True)],
    )


def _submitted_application():
    """A university's application, submitted and routed to 通辽市科学技术局; its users sign in."""
    from accounts.enums import Role
    from accounts.models import Region
    from applications import services
    from applications.models import RecommenderRoute

    from ..applications.helpers import fill
    from ..factories import OrganisationFactory, credit_code
    from .conftest import journey_user

    bang = make_bang_list(by=make_staff(), title="鄂尔多斯市“揭榜挂帅”科技项目榜单").bangs.get()
    bureau = OrganisationFactory(kind="government", name="通辽市科学技术局", credit_code=credit_code(900, "150500"))
    RecommenderRoute.objects.create(region=Region.objects.get(code="150500"), recommender=bureau)
    journey_user(username="tuijian", organisation=bureau, roles=[Role.RECOMMENDER])
    lead_org = OrganisationFactory(kind="university", name="内蒙古民族大学", region=Region.objects.get(code="150502"),
                                   credit_code=credit_code(901, "150502"))
    lead = journey_user(username="imun", organisation=lead_org, roles=[Role.APPLICANT])
    partner = OrganisationFactory(kind="institute", name="中国科学院过程工程研究所", credit_code=credit_code(902))
    application = fill(services.application_start(bang=bang, by=lead), lead, partners=[partner])
    services.application_submit(application=application, by=lead)
    application.refresh_from_db()
    return application


def test_review_queue_fits_a_phone(new_page):
    from .conftest import PASSWORD, login

    application = _submitted_application()
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, "tuijian", PASSWORD)
    page.goto("/applications/review/")
    queue = page.get_by_test_id("review-queue")
    row = queue.locator("tbody tr").first
    _key_columns_stay_and_the_rest_fold(
        page, queue, folded="成员单位",
        keep=[row.get_by_role("link", name=application.number), row.get_by_text(application.bang.title),
              row.get_by_role("cell", name="已提交", exact=True)],
    )


def test_my_applications_keep_number_deadline_and_state_on_a_phone(new_page):
    from django.utils.timezone import localtime

    from .conftest import PASSWORD, login

    application = _submitted_application()
    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, "imun", PASSWORD)
    page.goto("/applications/")
    table = page.get_by_test_id("applications")
    row = table.locator("tbody tr").first
    deadline = localtime(application.bang.bang_list.deadline).strftime("%Y-%m-%d %H:%M:%S")
    _key_columns_stay_and_the_rest_fold(
        page, table, folded="牵头单位",
        keep=[row.get_by_role("link", name=application.number), row.get_by_text(deadline),
              row.get_by_role("cell", name="已提交", exact=True)],
    )


def test_without_javascript_the_filters_are_open_on_a_phone(new_page):
    page = new_page(java_script_enabled=False)
    page.set_viewport_size(PHONE)
    page.goto("/bangs/")
    expect(page.get_by_test_id("bang-filters")).to_be_visible()
    expect(page.get_by_test_id("filter-toggle")).to_be_hidden()
    assert _scroll_width(page) <= 390
