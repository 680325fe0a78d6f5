"""After signing in, each role lands on 我的工作台, sees what waits for it and follows a link to
where it does the work: organiser staff, an applicant, an enterprise and a recommender on a 390 px
phone screen without sideways scrolling, an expert and a platform administrator at desktop width."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.models import Department, Region
from accounts.services import organisation_register
from applications import services as application_services
from applications.models import Application
from bangs import services as bang_services
from demands import services as demand_services
from demands.models import TechField

from ..applications.helpers import fill
from ..factories import DemandFactory, OrganisationFactory, RoundFactory, credit_code, make_bang_list, make_staff
from .conftest import PASSWORD, login
from .conftest import journey_user as _user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_staff_and_applicant_land_on_their_workbench_on_a_phone(new_page):
    bureau = OrganisationFactory(kind="government", name="鄂尔多斯市科学技术局")
    organiser = _user(username="organiser", organisation=bureau, roles=[Role.STAFF])
    make_bang_list(by=organiser, publish=False, title="2026年鄂尔多斯市第二批榜单（草稿）")
    published = make_bang_list(by=organiser, title="2026年鄂尔多斯市第一批“揭榜挂帅”榜单")
    applicant = _user(username="imun", organisation=OrganisationFactory(kind="university", name="内蒙古民族大学"),
                      roles=[Role.APPLICANT])
    bang = published.bangs.get()
    draft = Application.objects.create(bang=bang, lead=applicant.organisation, created_by=applicant)

    staff_page = new_page()
    staff_page.set_viewport_size(PHONE)
    login(staff_page, "organiser", PASSWORD)
    expect(staff_page).to_have_url(re.compile(r"/dashboard/$"))
    lists = staff_page.locator("#workbench-organiser_lists")
    expect(lists.get_by_role("heading", name="我的榜单")).to_be_visible()
    expect(lists.get_by_role("link", name="2026年鄂尔多斯市第二批榜单（草稿）")).to_be_visible()
    expect(lists.get_by_role("link", name="2026年鄂尔多斯市第一批“揭榜挂帅”榜单")).to_be_visible()
    expect(staff_page.locator("#workbench-screening")).to_have_count(0)
    assert fits_the_phone(staff_page)
    lists.get_by_role("link", name="全部").click()
    expect(staff_page).to_have_url(re.compile(r"/bangs/manage/$"))

    applicant_page = new_page()
    applicant_page.set_viewport_size(PHONE)
    login(applicant_page, "imun", PASSWORD)
    mine = applicant_page.locator("#workbench-applicant")
    expect(mine.get_by_role("heading", name="我的揭榜申报")).to_be_visible()
    expect(mine.get_by_text("草稿，申报截止：")).to_be_visible()
    assert fits_the_phone(applicant_page)
    mine.get_by_role("link", name=str(bang)).click()
    expect(applicant_page).to_have_url(re.compile(rf"/applications/{draft.pk}/edit/$"))


DESKTOP = {"width": 1280, "height": 900}


def _screening_staff():
    """Staff of 高新技术处, the department that screens 能源资源 demands."""
    return _user(username="gaoxin", department=Department.objects.get(name="高新技术处"), roles=[Role.STAFF])


def test_enterprise_sees_its_demands_and_bangs_and_opens_the_returned_one_on_a_phone(new_page):
    enterprise = _user(username="changan", roles=[Role.ENTERPRISE],
                       organisation=OrganisationFactory(name="包头长安永磁电机有限公司"))
    round_ = RoundFactory(title="2026年度揭榜挂帅需求征集")
    screening = _screening_staff()
    DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_, name="稀土永磁电机控制器研制")
    returned = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_,
                             name="高推力密度永磁同步直线电机研制")
    demand_services.demand_submit(demand=returned, by=enterprise)
    demand_services.demand_return(demand=returned, by=screening, reason="请补充现有基础情况和已有专利")
    listed = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_,
                           name="大功率永磁电机散热技术")
    demand_services.demand_submit(demand=listed, by=enterprise)
    demand_services.demand_accept(demand=listed, by=screening)
    organiser = make_staff(username="organiser", organisation=OrganisationFactory(kind="government", name="包头市科学技术局"))
    bang_list = bang_services.bang_list_create(
        data=dict(title="2026年包头市第一批“揭榜挂帅”榜单", opens_at=timezone.now() - datetime.timedelta(days=1),
                  deadline=timezone.now() + datetime.timedelta(days=20)),
        by=organiser,
    )
    bang = bang_services.bang_save(
        bang_list=bang_list, bang=None,
        data=dict(title="大功率永磁电机高效散热技术攻关", kind="tackling", field=TechField.objects.get(name="能源资源"),
                  total_investment=Decimal("600"), contact_name="高乐乐", contact_department="稀土技术创新中心",
                  contact_phone="13347199639"),
        demands=[listed], issuers=[], indicators=[dict(name="温升", target="≤60", unit="K", test_method="")],
        by=organiser,
    )
    bang_services.bang_list_publish(bang_list=bang_list, by=organiser)

    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, "changan", PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    demands = page.locator("#workbench-enterprise_demands")
    expect(demands.get_by_role("heading", name="我的需求")).to_be_visible()
    expect(demands.locator(".list-inline-item", has_text="退回修改").locator(".workbench-count")).to_have_text("1")
    expect(demands.locator(".list-inline-item", has_text="草稿").locator(".workbench-count")).to_have_text("1")
    expect(demands.get_by_role("link", name="稀土永磁电机控制器研制")).to_be_visible()
    expect(demands.get_by_text("退回修改：请补充现有基础情况和已有专利")).to_be_visible()
    # Submitted and accepted, then listed: nothing left for the enterprise to do on it here.
    expect(demands.get_by_role("link", name="大功率永磁电机散热技术")).to_have_count(0)
    issued = page.locator("#workbench-issued_bangs")
    expect(issued.get_by_role("heading", name="我的需求已发榜")).to_be_visible()
    expect(issued.get_by_role("link", name="大功率永磁电机高效散热技术攻关")).to_have_attribute(
        "href", f"/bangs/{bang.pk}/")
    expect(issued.get_by_text("2026年包头市第一批“揭榜挂帅”榜单")).to_be_visible()
    assert fits_the_phone(page)

    demands.get_by_role("link", name="高推力密度永磁同步直线电机研制").click()
    expect(page).to_have_url(re.compile(rf"/demands/{returned.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("高推力密度永磁同步直线电机研制")
    reason = page.get_by_test_id("screening-reason")
    expect(reason).to_contain_text("退回修改原因：请补充现有基础情况和已有专利")
    assert fits_the_phone(page)


def test_recommender_sees_the_application_to_precheck_and_opens_it_on_a_phone(new_page):
    organiser = make_staff(username="organiser", organisation=OrganisationFactory(kind="government"))
    recommend_by = timezone.localtime(timezone.now() + datetime.timedelta(days=30)).replace(
        hour=17, minute=0, second=0, microsecond=0)
    bang_list = make_bang_list(by=organiser, title="2026年自治区第一批“揭榜挂帅”榜单", recommend_deadline=recommend_by)
    bureau = OrganisationFactory(kind="government", name="通辽市科学技术局")
    recommender = _user(username="tongliao", organisation=bureau, roles=[Role.RECOMMENDER])
    application_services.recommender_route_set(region=Region.objects.get(code="150500"), recommender=bureau,
                                               by=_user(username="pingtai", roles=[Role.ADMIN]))
    lead = _user(username="imun", roles=[Role.APPLICANT], organisation=OrganisationFactory(
        kind="university", name="内蒙古民族大学", region=Region.objects.get(code="150502")))
    application = fill(application_services.application_start(bang=bang_list.bangs.get(), by=lead), lead)
    application_services.application_submit(application=application, by=lead)
    application.refresh_from_db()
    assert application.recommender == bureau

    page = new_page()
    page.set_viewport_size(PHONE)
    login(page, recommender.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    queue = page.locator("#workbench-recommender")
    expect(queue.get_by_role("heading", name="待形式审查的申报")).to_be_visible()
    expect(queue.locator(".list-inline-item", has_text="待形式审查").locator(".workbench-count")).to_have_text("1")
    item = queue.get_by_role("link", name=f"内蒙古民族大学 · {application.bang}")
    expect(item).to_be_visible()
    expect(queue.get_by_text(f"推荐截止：{recommend_by:%Y-%m-%d} 17:00，剩余")).to_be_visible()
    assert fits_the_phone(page)

    queue.get_by_role("link", name="全部").click()
    expect(page).to_have_url(re.compile(r"/applications/review/\?state=submitted&mine=1$"))
    expect(page.get_by_role("heading", name="形式审查 / 推荐报送")).to_be_visible()
    expect(page.get_by_text("内蒙古民族大学").first).to_be_visible()
    assert fits_the_phone(page)

    page.go_back()
    page.locator("#workbench-recommender").get_by_role("link", name=f"内蒙古民族大学 · {application.bang}").click()
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(application.bang.title)
    assert fits_the_phone(page)


def test_expert_sees_the_opinion_to_give_and_opens_it(new_page):
    enterprise = _user(username="changan", roles=[Role.ENTERPRISE],
                       organisation=OrganisationFactory(name="包头长安永磁电机有限公司"))
    round_ = RoundFactory(title="2026年度揭榜挂帅需求征集")
    screening = _screening_staff()
    expert = _user(username="zhuanjia", full_name="王教授", roles=[Role.EXPERT],
                   organisation=OrganisationFactory(kind="university", name="内蒙古科技大学"))
    pooled = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_,
                           name="高推力密度永磁同步直线电机研制")
    done = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_,
                         name="稀土永磁电机控制器研制")
    for demand in (pooled, done):
        demand_services.demand_submit(demand=demand, by=enterprise)
        demand_services.demand_accept(demand=demand, by=screening)
    [opinion] = bang_services.demand_experts_assign(demand=pooled, experts=[expert], by=screening)
    [given] = bang_services.demand_experts_assign(demand=done, experts=[expert], by=screening)
    bang_services.demand_opinion_submit(opinion=given, recommend=True, comments="技术路线清晰，建议发榜", by=expert)

    page = new_page()
    page.set_viewport_size(DESKTOP)
    login(page, "zhuanjia", PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    block = page.locator("#workbench-expert_opinions")
    expect(block.get_by_role("heading", name="待提交的专家意见")).to_be_visible()
    expect(block.locator(".list-inline-item", has_text="待提交").locator(".workbench-count")).to_have_text("1")
    expect(block.get_by_text("包头长安永磁电机有限公司，指派于")).to_be_visible()
    # The opinion already given is not waiting any more.
    expect(block.get_by_role("link", name="稀土永磁电机控制器研制")).to_have_count(0)

    block.get_by_role("link", name="高推力密度永磁同步直线电机研制").click()
    expect(page).to_have_url(re.compile(rf"/bangs/opinions/{opinion.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("高推力密度永磁同步直线电机研制")

    page.goto("/dashboard/")
    page.locator("#workbench-expert_opinions").get_by_role("link", name="全部").click()
    expect(page).to_have_url(re.compile(r"/bangs/expert/\?pending=1$"))
    expect(page.get_by_role("heading", name="专家工作台：需求筛选")).to_be_visible()
    expect(page.get_by_role("link", name="高推力密度永磁同步直线电机研制")).to_be_visible()


def test_administrator_sees_pending_join_requests_and_opens_the_list(new_page):
    _user(username="pingtai", full_name="赵平台", roles=[Role.ADMIN])
    unit = OrganisationFactory(name="包头长安永磁电机有限公司", credit_code=credit_code(4711))
    organisation_register(
        unit=dict(credit_code=unit.credit_code, name=unit.name, kind="enterprise",
                  region=Region.objects.get(code="150207"), address="", postcode=""),
        user=dict(username="zhangjipeng", full_name="张继鹏", mobile="13900000001", email="zjp@example.com"),
        password=PASSWORD, role=Role.ENTERPRISE,
    )

    page = new_page()
    page.set_viewport_size(DESKTOP)
    login(page, "pingtai", PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    block = page.locator("#workbench-join_requests")
    expect(block.get_by_role("heading", name="待审核的加入单位申请")).to_be_visible()
    expect(block.locator(".list-inline-item", has_text="待审核").locator(".workbench-count")).to_have_text("1")
    expect(block.get_by_role("link", name="张继鹏 申请加入 包头长安永磁电机有限公司（发榜企业）")).to_be_visible()
    expect(block.get_by_role("link", name="用户管理")).to_be_visible()

    block.get_by_role("link", name="张继鹏 申请加入 包头长安永磁电机有限公司（发榜企业）").click()
    expect(page).to_have_url(re.compile(r"/accounts/join-requests/$"))
    expect(page.get_by_role("heading", name="加入单位申请")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("张继鹏"))
    expect(row).to_contain_text("包头长安永磁电机有限公司")
    expect(row.get_by_role("button", name="同意")).to_be_visible()
