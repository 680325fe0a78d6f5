import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from accounts.models import Department, Region
from demands.models import Demand

from ..factories import RoundFactory, UserFactory, credit_code
from .conftest import PASSWORD, fill_demand, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_enterprise_files_demand_staff_returns_then_accepts(new_page):
    round_ = RoundFactory(title="2026年度揭榜挂帅需求征集")
    staff = UserFactory(username="gaoxin", department=Department.objects.get(name="高新技术处"), roles=[Role.STAFF])
    staff.set_password(PASSWORD)
    staff.save()

    # 1. The enterprise registers its unit.
    ent = new_page()
    ent.goto("/accounts/register/")
    ent.check("input[name=role][value=enterprise]")
    ent.fill("#id_credit_code", credit_code(4242))
    ent.fill("#id_name", "包头长安永磁电机有限公司")
    ent.select_option("#id_kind", "enterprise")
    ent.select_option("#id_region", str(Region.objects.get(code="150207").pk))
    ent.fill("#id_address", "包头市九原区稀土高新区")
    ent.fill("#id_postcode", "014060")
    ent.fill("#id_username", "changan")
    ent.fill("#id_full_name", "张继鹏")
    ent.fill("#id_mobile", "13912345678")
    ent.fill("#id_email", "changan@example.com")
    ent.fill("#id_password1", PASSWORD)
    ent.fill("#id_password2", PASSWORD)
    ent.click("input[type=submit][name=submit]")
    expect(ent.get_by_text("注册成功")).to_be_visible()

    # The 需求表 quotes the unit's particulars: complete them first.
    ent.goto("/accounts/unit/")
    ent.fill("#id_legal_rep", "张继鹏")
    ent.fill("#id_legal_rep_phone", "0472-5100000")
    ent.select_option("#id_economic_nature", "private")
    ent.fill("#id_staff_size", "260")
    ent.fill("#id_last_year_output", "18600")
    ent.click("input[type=submit]")
    expect(ent.get_by_text("单位信息已保存")).to_be_visible()

    # 2. It files a demand; an over-long background fails next to the field and keeps the text.
    ent.goto("/demands/new/")
    ent.select_option("#id_round", str(round_.pk))
    long_background = "稀土永磁电机是稀土产业延链补链的重要领域。" * 60
    n = len(long_background)
    assert n > 1000
    fill_demand(ent, name="高推力密度永磁同步直线电机研制", background=long_background)
    expect(ent.locator("#id_background + .char-counter")).to_have_text(f"{n} / 1000")
    ent.click("button[name=submit]")
    error = ent.locator("#id_background ~ .invalid-feedback, #error_1_id_background")
    expect(error.first).to_contain_text(f"不能超过1000字（当前{n}字）")
    expect(ent.locator("#id_background")).to_have_value(long_background)

    # 3. It shortens the text and submits.
    ent.fill("#id_background", "稀土永磁电机是稀土产业延链补链的重要领域。")
    ent.click("button[name=submit]")
    expect(ent.get_by_test_id("demand-state")).to_have_text("已提交")
    demand = Demand.objects.get(name="高推力密度永磁同步直线电机研制")

    # Staff return it with a reason.
    st = new_page()
    login(st, "gaoxin", PASSWORD)
    st.goto("/demands/queue/")
    st.get_by_role("link", name="高推力密度永磁同步直线电机研制").click()
    st.fill("#id_reason", "请补充推力密度的具体指标和测试方法。")
    st.click("button[name=action][value=return]")
    expect(st.get_by_text("已退回企业修改")).to_be_visible()

    # The enterprise sees the reason, edits and resubmits.
    ent.goto(f"/demands/{demand.pk}/")
    expect(ent.get_by_test_id("screening-reason")).to_contain_text("请补充推力密度的具体指标和测试方法")
    ent.get_by_role("link", name="修改").click()
    ent.fill("#id_content", "推力密度≥1.2 N/cm²（连续），推力波动<2%，由第三方检测机构测试。")
    ent.click("button[name=submit]")
    expect(ent.get_by_test_id("demand-state")).to_have_text("已提交")

    # Staff accept.
    st.goto(f"/demands/{demand.pk}/")
    st.click("button[name=action][value=accept]")
    expect(st.get_by_text("已审核通过，进入需求库")).to_be_visible()

    # 4. The enterprise sees "accepted" and a message in its inbox.
    ent.goto(f"/demands/{demand.pk}/")
    expect(ent.get_by_test_id("demand-state")).to_have_text("已入库")
    expect(ent.get_by_test_id("inbox-badge")).to_be_visible()
    ent.get_by_test_id("inbox-link").click()
    expect(ent.get_by_test_id("inbox")).to_contain_text("已通过审核，进入需求库")
