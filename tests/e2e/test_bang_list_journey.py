import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.models import Department
from bangs.models import BangList
from demands import services as demand_services
from demands.enums import DemandState
from demands.models import Demand

from ..factories import DemandFactory, OrganisationFactory, RoundFactory, make_bang_list, make_enterprise_user
from .conftest import PASSWORD, login
from .conftest import journey_user as _user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_staff_condense_publish_and_public_find(new_page):
    kjt = OrganisationFactory(kind="government", name="内蒙古自治区科学技术厅")
    staff = _user(username="gaoxin", organisation=kjt, department=Department.objects.get(name="高新技术处"),
                  roles=[Role.STAFF])
    _user(username="zhuanjia", full_name="寇专家", organisation=OrganisationFactory(kind="university"),
                   roles=[Role.EXPERT])
    enterprise = make_enterprise_user()
    round_ = RoundFactory()
    demands = []
    for name in ("高推力密度永磁同步直线电机研制", "永磁直线电机驱动控制系统开发"):
        d = DemandFactory(organisation=enterprise.organisation, created_by=enterprise, round=round_, name=name)
        demand_services.demand_submit(demand=d, by=enterprise)
        demands.append(demand_services.demand_accept(demand=d, by=staff))

    # 1. Staff gather an expert's opinion on a pooled demand.
    st = new_page()
    login(st, "gaoxin", PASSWORD)
    st.goto(f"/bangs/pool/{demands[0].pk}/experts/")
    st.get_by_label("寇专家", exact=False).check()
    st.get_by_role("button", name="指派").click()
    expect(st.get_by_text("已指派专家")).to_be_visible()

    ex = new_page()
    login(ex, "zhuanjia", PASSWORD)
    ex.goto("/bangs/expert/")
    ex.get_by_role("link", name=demands[0].name).click()
    ex.check("input[name=recommend][value='1']")
    ex.fill("#id_comments", "需求明确，技术指标先进，建议与控制系统需求合并发榜。")
    ex.get_by_role("button", name="提交意见").click()
    expect(ex.get_by_text("意见已提交")).to_be_visible()

    st.reload()
    expect(st.get_by_test_id("opinions")).to_contain_text("建议与控制系统需求合并发榜")

    # 2. Staff create a draft list...
    deadline = timezone.localtime() + datetime.timedelta(days=20)
    st.goto("/bangs/manage/new/")
    st.fill("#id_title", "2026年电机产业“揭榜挂帅”技术榜单")
    st.fill("#id_opens_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"))
    st.fill("#id_deadline", deadline.strftime("%Y-%m-%dT23:59:59"))
    st.get_by_role("button", name="保存").click()
    expect(st.get_by_text("榜单已保存")).to_be_visible()
    bang_list = BangList.objects.get(title="2026年电机产业“揭榜挂帅”技术榜单")

    # ...condense the two demands into one bang from the pool...
    st.goto("/bangs/pool/")
    for d in demands:
        st.check(f"input[name=demands][value='{d.pk}']")
    st.select_option("select[name=list]", str(bang_list.pk))
    st.get_by_role("button", name="将勾选的需求凝练为一个技术榜").click()
    expect(st.locator("#id_title")).to_have_value(demands[0].name)
    st.fill("#id_title", "高推力密度永磁同步直线电机及驱动控制系统研制")
    st.fill("input[name='indicators-0-name']", "推力密度")
    st.fill("input[name='indicators-0-target']", "≥1.2")
    st.fill("input[name='indicators-0-unit']", "N/cm²")
    st.fill("#id_contact_name", "李艳丽")
    st.fill("#id_contact_phone", "0471-6328606")
    st.get_by_role("button", name="保存").click()
    expect(st.get_by_text("技术榜已保存")).to_be_visible()

    # ...add two more bangs and publish the list of three.
    for title in ("稀土环保颜料耐高温关键技术", "稀土镁合金压铸材料制备技术"):
        st.goto(f"/bangs/lists/{bang_list.pk}/bangs/new/")
        st.fill("#id_title", title)
        st.select_option("#id_field", label="能源资源")
        st.select_option("#id_issuers", str(enterprise.organisation_id))
        st.fill("#id_total_investment", "600")
        st.fill("input[name='indicators-0-name']", "耐温")
        st.fill("input[name='indicators-0-target']", "≥1000℃")
        st.fill("#id_contact_name", "高乐乐")
        st.fill("#id_contact_phone", "13347199639")
        st.get_by_role("button", name="保存").click()
        expect(st.get_by_text("技术榜已保存")).to_be_visible()
    expect(st.get_by_test_id("list-bangs").locator("tbody tr")).to_have_count(3)
    st.get_by_role("button", name="发布榜单").click()
    expect(st.get_by_text("榜单已发布")).to_be_visible()
    expect(st.get_by_test_id("list-status")).to_have_text("申报中")
    assert set(Demand.objects.values_list("state", flat=True)) == {DemandState.LISTED}

    # 3. An anonymous visitor finds the bang with a filter and a search.
    anon = new_page()
    anon.goto("/bangs/")
    anon.select_option("#id_status", "open")
    anon.fill("#id_q", "永磁")
    anon.get_by_role("button", name="查询").click()
    rows = anon.get_by_test_id("bang-row")
    expect(rows).to_have_count(1)
    rows.get_by_role("link").click()
    expect(anon.locator("h1")).to_contain_text("高推力密度永磁同步直线电机及驱动控制系统研制")
    expect(anon.get_by_test_id("countdown")).to_contain_text("距截止还有")
    expect(anon.get_by_test_id("bang-contacts")).to_contain_text("李艳丽")

    # 4. A non-invited applicant cannot reach a targeted list.
    invited = OrganisationFactory(kind="university", name="内蒙古大学")
    targeted = make_bang_list(by=staff, title="2026年稀土新材料定向发榜技术榜单", is_targeted=True, invited=[invited])
    _user(username="hit", organisation=OrganisationFactory(kind="university"), roles=[Role.APPLICANT])
    ap = new_page()
    login(ap, "hit", PASSWORD)
    response = ap.goto(f"/bangs/lists/{targeted.pk}/")
    assert response.status == 404
    ap.goto("/bangs/?q=定向")
    expect(ap.get_by_test_id("no-results")).to_be_visible()
